package io.divastream.jobs.train;

import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.TrainingBatch;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/** What the trainer-operator tests share: feeding batches to a harness, and a run-independent view of its output. */
final class TrainerOutputs {

    private TrainerOutputs() {}

    /** Processes the batches (timestamped with their sequence) and returns, then clears, the harness's output. */
    static List<ModelUpdate> feed(
            OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> h, List<TrainingBatch> batches)
            throws Exception {
        for (TrainingBatch b : batches) {
            h.processElement(b, b.sequence());
        }
        List<ModelUpdate> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    /** What must be equal between two runs: everything but the wall-clock time and the checkpoint id. */
    static String content(ModelUpdate m) {
        return m.version() + "/" + m.step() + "/" + m.imagesSeen() + "/" + m.trainClasses() + "/"
                + m.parameterSha256() + "/" + m.parameterCount() + "/" + Arrays.toString(m.lossNames())
                + Arrays.toString(m.lossValues());
    }
}
