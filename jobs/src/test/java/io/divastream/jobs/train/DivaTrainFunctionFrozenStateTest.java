package io.divastream.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.testing.TinyModel;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.embed.StoredFeatures;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The trainer's checkpoint in the {@code frozen} mode (DiVA's heads on a frozen backbone's stored features): a run
 * restored from a checkpoint anywhere (during the DaNCE queue's initialisation, mid-version) publishes the versions
 * of a run without the interruption bit for bit (the SHA-256 of the parameters, the losses, the counters).
 */
class DivaTrainFunctionFrozenStateTest {

    private static final int STEPS_PER_VERSION = 3;

    private static JobConfig.TrainingConfig config() {
        DivaConfig model = BatchInputTest.featureModel();
        return TinyModel.training(model, STEPS_PER_VERSION, 5)
                .withQueueInitBatches(2)
                .withDecoding(
                        new SampleDecoding.Features(model.network().backbone(), 3, StoredFeatures.Precision.HALF, 0));
    }

    private static OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new DivaTrainFunction(config())));
    }

    private static List<TrainingBatch> batches(int n) {
        List<TrainingBatch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TrainingBatch b = BatchInputTest.featureBatch(100 + i);
            out.add(new TrainingBatch(i, b.labels(), b.imageIds(), b.pixels(), b.newImages()));
        }
        return out;
    }

    @Test
    void aFrozenModeRunRestoredAnywherePublishesTheVersionsOfARunWithoutTheRestoreBitForBit() throws Exception {
        List<TrainingBatch> batches = batches(12);
        List<String> straight = TrainerOutputs.straightRun(DivaTrainFunctionFrozenStateTest::harness, batches);
        // two batches fill the queue, then versions 0 to 3 at steps 0, 3, 6, 9 (version 0 before the first step)
        assertThat(straight).hasSize(4);
        assertThat(straight.stream().distinct()).as("the parameters change").hasSize(4);

        for (int cut : new int[] {1, 3, 7, 10}) { // in the queue's fill; after version 0; mid-version; before 3
            assertThat(TrainerOutputs.restoredRun(DivaTrainFunctionFrozenStateTest::harness, batches, cut))
                    .as("restored after batch %d", cut)
                    .isEqualTo(straight);
        }
    }
}
