package io.divastream.jobs.train;

import static io.divastream.jobs.train.TrainerOutputs.feed;
import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.testing.TinyModel;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer operator's checkpoint: a run restored from a checkpoint publishes exactly the versions
 * of a run without the interruption (parameters, losses, counters), versions carry the checkpoint
 * they belong to, and a checkpoint written by the previous build (format 1) still restores.
 */
class DivaTrainFunctionStateTest {

    private static final int STEPS_PER_VERSION = 3;

    @TempDir
    Path temp;

    private static JobConfig.TrainingConfig config() {
        return TinyModel.training(TinyModel.config(), STEPS_PER_VERSION, 5);
    }

    private static OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new DivaTrainFunction(config())));
    }

    private static List<TrainingBatch> batches(int n) {
        Random random = new Random(5);
        List<TrainingBatch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TinyModel.batch(i, random, 6, 4, 2, 1 + i % 3));
        }
        return out;
    }

    @Test
    void aRunRestoredMidVersionPublishesTheVersionsOfARunWithoutTheRestore() throws Exception {
        List<TrainingBatch> batches = batches(10);
        List<String> straight = TrainerOutputs.straightRun(DivaTrainFunctionStateTest::harness, batches);
        assertThat(straight).hasSize(4); // versions 0 to 3 at steps 0, 3, 6, 9

        for (int cut : new int[] {1, 4, 8}) { // after version 0; one step into version 2; two into 3
            assertThat(TrainerOutputs.restoredRun(DivaTrainFunctionStateTest::harness, batches, cut))
                    .as("restored after batch %d", cut)
                    .isEqualTo(straight);
        }
    }

    @Test
    void aVersionCarriesTheNewestCheckpointKnownToBeComplete() throws Exception {
        List<TrainingBatch> batches = batches(9);
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            assertThat(feed(h, batches.subList(0, 1)))
                    .extracting(ModelUpdate::checkpointId)
                    .containsExactly(ModelUpdate.NO_CHECKPOINT); // version 0, before any checkpoint
            snapshot = h.snapshot(4L, 100L);
            assertThat(feed(h, batches.subList(1, 3)))
                    .extracting(ModelUpdate::checkpointId)
                    .as("checkpoint 4 was taken but is not known to be complete")
                    .containsExactly(ModelUpdate.NO_CHECKPOINT);
            h.notifyOfCompletedCheckpoint(4L);
            h.notifyOfCompletedCheckpoint(3L); // a late notification does not go back
            assertThat(feed(h, batches.subList(3, 6)))
                    .extracting(ModelUpdate::checkpointId)
                    .containsExactly(4L);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            List<ModelUpdate> out = feed(h, batches.subList(1, 3));
            assertThat(out).extracting(ModelUpdate::version).containsExactly(1L);
            assertThat(out.get(0).checkpointId())
                    .as("the checkpoint the trainer was restored from")
                    .isEqualTo(4L);
        }
    }

    @Test
    void aFormat1CheckpointOfThePreviousBuildRestoresAndTrainsOn() throws Exception {
        Properties published = new Properties();
        try (InputStream in = getClass().getResourceAsStream("trainer-checkpoint-v1.properties")) {
            published.load(in);
        }
        Path file = temp.resolve("trainer-checkpoint-v1.snapshot");
        try (InputStream in =
                new GZIPInputStream(getClass().getResourceAsStream("trainer-checkpoint-v1.snapshot.gz"))) {
            Files.copy(in, file);
        }
        OperatorSubtaskState v1 = OperatorSnapshotUtil.readStateHandle(file.toString());
        // version 1 was published at step 3 after 2 + 3 + 4 new images; the fourth batch brought 5 more
        assertThat(published.getProperty("version1")).startsWith("3,9,6,");

        try (var h = harness()) {
            h.initializeState(v1);
            h.open();
            Random random = new Random(8);
            List<TrainingBatch> next =
                    List.of(TinyModel.batch(4, random, 6, 4, 2, 1), TinyModel.batch(5, random, 6, 4, 2, 1));
            List<ModelUpdate> out = feed(h, next);
            assertThat(out).hasSize(1);
            ModelUpdate v2 = out.get(0);
            assertThat(v2.version()).as("no version 0 or 1 again").isEqualTo(2);
            assertThat(v2.step()).isEqualTo(6);
            assertThat(v2.imagesSeen()).isEqualTo(9 + 5 + 1 + 1);
            assertThat(v2.trainClasses()).isEqualTo(6);
            assertThat(Arrays.stream(v2.lossValues()).allMatch(Double::isFinite))
                    .isTrue();

            // its new checkpoint is in the current format and restores to the same trainer
            OperatorSubtaskState v2State = h.snapshot(2L, 2L);
            try (var again = harness()) {
                again.initializeState(v2State);
                again.open();
                Random r2 = new Random(9);
                List<TrainingBatch> more = new ArrayList<>();
                for (int i = 6; i < 9; i++) {
                    more.add(TinyModel.batch(i, r2, 6, 4, 2, 1));
                }
                List<ModelUpdate> fromRestored = feed(again, more);
                List<ModelUpdate> fromOriginal = feed(h, more);
                assertThat(fromRestored)
                        .extracting(TrainerOutputs::content)
                        .isEqualTo(fromOriginal.stream()
                                .map(TrainerOutputs::content)
                                .toList())
                        .hasSize(1);
            }
        }
    }
}
