package io.divastream.jobs.train;

import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.TrainingBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
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

    /** Makes a fresh harness of the trainer operator. */
    @FunctionalInterface
    interface Harnesses {
        OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> create() throws Exception;
    }

    /** The {@link #content} of what a fresh trainer publishes for the batches, without interruption. */
    static List<String> straightRun(Harnesses harnesses, List<TrainingBatch> batches) throws Exception {
        try (var h = harnesses.create()) {
            h.open();
            return feed(h, batches).stream().map(TrainerOutputs::content).toList();
        }
    }

    /**
     * The {@link #content} of what a trainer publishes when it is snapshotted after the first {@code cut} batches
     * and a fresh one, restored from that snapshot, takes the rest.
     */
    static List<String> restoredRun(Harnesses harnesses, List<TrainingBatch> batches, int cut) throws Exception {
        List<String> resumed = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harnesses.create()) {
            h.open();
            feed(h, batches.subList(0, cut)).forEach(m -> resumed.add(content(m)));
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harnesses.create()) {
            h.initializeState(snapshot);
            h.open();
            feed(h, batches.subList(cut, batches.size())).forEach(m -> resumed.add(content(m)));
        }
        return resumed;
    }

    /** What must be equal between two runs: everything but the wall-clock time and the checkpoint id. */
    static String content(ModelUpdate m) {
        return m.version() + "/" + m.step() + "/" + m.imagesSeen() + "/" + m.trainClasses() + "/"
                + m.parameterSha256() + "/" + m.parameterCount() + "/" + Arrays.toString(m.lossNames())
                + Arrays.toString(m.lossValues());
    }
}
