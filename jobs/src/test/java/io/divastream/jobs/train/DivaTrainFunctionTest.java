package io.divastream.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.testing.MetricsCapture;
import io.divastream.jobs.testing.TinyModel;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.OptimizerSpec;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trainer operator with a tiny DiVA model: model versions, their contents, checkpoint and
 * restore, and diverged steps. Runs real DJL training steps (P=4, K=2 batches of random images).
 */
class DivaTrainFunctionTest {

    private static final int STEPS_PER_VERSION = 3;
    private static final int P = 4;
    private static final int K = 2;
    private static final int CLASSES = 6;

    private final Random random = new Random(5);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> harness(
            JobConfig.TrainingConfig config, MetricsCapture metrics) throws Exception {
        MockEnvironment env =
                new MockEnvironmentBuilder().setMetricGroup(metrics).build();
        toClose.add(env);
        OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> harness =
                new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new DivaTrainFunction(config)), env);
        toClose.add(harness);
        return harness;
    }

    /** Closes a harness now (releasing its trainer's native memory) rather than after the test. */
    private void close(OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> h) throws Exception {
        toClose.remove(h);
        h.close();
    }

    private static JobConfig.TrainingConfig config() {
        return TinyModel.training(TinyModel.config(), STEPS_PER_VERSION, 5);
    }

    private TrainingBatch batch(long sequence, int newImages) {
        return TinyModel.batch(sequence, random, CLASSES, P, K, newImages);
    }

    private static List<ModelUpdate> drain(OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> h) {
        List<ModelUpdate> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void assertWellFormed(ModelUpdate m) throws Exception {
        assertThat(m.parameters()).isNotEmpty();
        assertThat(m.parameterSha256()).isEqualTo(sha256(m.parameters()));
        // 4 bytes per float parameter plus DJL's per-parameter framing
        assertThat(m.parameterCount()).isPositive().isLessThan(m.parameters().length / 4);
        assertThat(m.lossNames())
                .containsExactly("total", "discriminative", "selfsim", "shared", "intra", "decorrelation");
        assertThat(m.lossValues()).hasSize(m.lossNames().length);
        assertThat(m.createdAt()).isCloseTo(System.currentTimeMillis(), within(60_000L));
    }

    /** The mean total equals the alpha-weighted sum of the mean task losses plus the decorrelation. */
    private static void assertTrainedLosses(ModelUpdate m) {
        double[] v = m.lossValues();
        assertThat(Arrays.stream(v).allMatch(Double::isFinite))
                .as(Arrays.toString(v))
                .isTrue();
        LossSpec loss = TinyModel.config().loss();
        double weighted =
                v[1] + loss.alphaSelfsim() * v[2] + loss.alphaShared() * v[3] + loss.alphaIntra() * v[4] + v[5];
        assertThat(v[0]).isCloseTo(weighted, within(1e-3 * Math.max(1, Math.abs(v[0]))));
        assertThat(v[1]).isNotNegative(); // margin loss
        assertThat(v[3]).isNotNegative();
        assertThat(v[4]).isNotNegative();
        assertThat(v[5]).isNotPositive(); // -rho * correlation
    }

    @Test
    void publishesVersionZeroFirstThenAVersionEveryThreeSteps() throws Exception {
        MetricsCapture metrics = new MetricsCapture();
        var harness = harness(config(), metrics);
        harness.open();
        int[] newImages = {8, 3, 0, 5, 8, 1, 2};
        List<TrainingBatch> batches = new ArrayList<>();
        List<ModelUpdate> versions = new ArrayList<>();

        TrainingBatch first = batch(0, newImages[0]);
        batches.add(first);
        harness.processElement(first, 0);
        List<ModelUpdate> afterFirst = drain(harness);
        assertThat(afterFirst).hasSize(1); // version 0, published before the first step
        versions.addAll(afterFirst);
        for (int i = 1; i < newImages.length; i++) {
            TrainingBatch b = batch(i, newImages[i]);
            batches.add(b);
            harness.processElement(b, i);
            List<ModelUpdate> out = drain(harness);
            assertThat(out).as("after batch %d", i).hasSize((i + 1) % STEPS_PER_VERSION == 0 ? 1 : 0);
            versions.addAll(out);
        }

        assertThat(versions).extracting(ModelUpdate::version).containsExactly(0L, 1L, 2L);
        assertThat(versions).extracting(ModelUpdate::step).containsExactly(0L, 3L, 6L);
        assertThat(versions).extracting(ModelUpdate::imagesSeen).containsExactly(0L, 11L, 25L);
        assertThat(versions.get(0).trainClasses()).isZero();
        assertThat(versions.get(1).trainClasses()).isEqualTo(classesIn(batches.subList(0, 3)));
        assertThat(versions.get(2).trainClasses()).isEqualTo(classesIn(batches.subList(0, 6)));
        for (ModelUpdate m : versions) {
            assertWellFormed(m);
        }
        assertThat(Arrays.stream(versions.get(0).lossValues()).allMatch(Double::isNaN))
                .isTrue();
        assertTrainedLosses(versions.get(1));
        assertTrainedLosses(versions.get(2));
        assertThat(versions).extracting(ModelUpdate::parameterSha256).doesNotHaveDuplicates();
        assertThat(versions)
                .extracting(ModelUpdate::parameterCount)
                .containsOnly(versions.get(0).parameterCount());

        assertThat(metrics.count("numTrainingSteps")).isEqualTo(7);
        assertThat(metrics.count("numDivergedSteps")).isZero();
        assertThat(metrics.gauge("modelVersion")).isEqualTo(2L);
    }

    private static int classesIn(List<TrainingBatch> batches) {
        Set<String> labels = new HashSet<>();
        for (TrainingBatch b : batches) {
            labels.addAll(Arrays.asList(b.labels()));
        }
        return labels.size();
    }

    @Test
    void metricsShowEachStepsLossesTimeQueueClassesAndLearningRate() throws Exception {
        // a version after every step carries that step's losses exactly (a mean of one)
        OptimizerSpec decaying = new OptimizerSpec(1e-3, 4e-4, 5e-4, 1e-3, List.of(2L), 0.5);
        MetricsCapture metrics = new MetricsCapture();
        var harness = harness(TinyModel.training(TinyModel.config(decaying), 1, 5), metrics);
        harness.open();
        for (String name : LossAccumulator.NAMES) {
            assertThat(metrics.number("loss." + name)).as(name).isNaN();
        }
        assertThat(metrics.number("queueSize")).isZero();
        assertThat(metrics.number("queueFill")).isZero();
        assertThat(metrics.number("trainClasses")).isZero();
        assertThat(metrics.number("learningRateScale")).isEqualTo(1.0);

        List<TrainingBatch> batches = new ArrayList<>();
        long slowestMs = 0;
        for (int i = 1; i <= 3; i++) {
            TrainingBatch b = batch(i, 8);
            batches.add(b);
            long started = System.nanoTime();
            harness.processElement(b, i);
            slowestMs = Math.max(slowestMs, (System.nanoTime() - started) / 1_000_000 + 1);
            List<ModelUpdate> out = drain(harness);
            ModelUpdate version = out.get(out.size() - 1);
            assertThat(version.step()).isEqualTo(i);
            for (int l = 0; l < LossAccumulator.NAMES.length; l++) {
                assertThat(metrics.number("loss." + LossAccumulator.NAMES[l]))
                        .as("%s after step %d", LossAccumulator.NAMES[l], i)
                        .isEqualTo(version.lossValues()[l]);
            }
            // the queue is filled with one batch of keys before the first step, then one per step
            int queued = Math.min(64, P * K * (i + 1));
            assertThat(metrics.number("queueSize")).isEqualTo(queued);
            assertThat(metrics.number("queueFill")).isEqualTo(queued / 64.0);
            assertThat(metrics.number("trainClasses")).isEqualTo(classesIn(batches));
            assertThat(metrics.number("learningRateScale"))
                    .as("scale of step %d", i + 1)
                    .isEqualTo(i >= 2 ? 0.5 : 1.0);
        }
        assertThat(Arrays.stream(LossAccumulator.NAMES).mapToDouble(n -> metrics.number("loss." + n)))
                .allSatisfy(v -> assertThat(v).isFinite());

        assertThat(metrics.count("numTrainingSteps")).isEqualTo(3);
        assertThat(metrics.count("numTrainingImages")).isEqualTo(3 * P * K);
        var stepTime = metrics.histogram("stepTimeMs");
        assertThat(stepTime.getCount()).isEqualTo(3);
        assertThat(stepTime.getStatistics().getMin()).isNotNegative();
        assertThat(stepTime.getStatistics().getMax()).isPositive().isLessThanOrEqualTo(slowestMs);
        metrics.updateViews(); // as the registry does every few seconds: rates over the last minute
        assertThat(metrics.meter("numTrainingStepsPerSecond").getRate()).isCloseTo(3 / 60.0, within(1e-12));
        assertThat(metrics.meter("numTrainingImagesPerSecond").getRate()).isCloseTo(3 * P * K / 60.0, within(1e-12));
    }

    @Test
    void restoreContinuesTheVersionsAndTheSteps() throws Exception {
        List<TrainingBatch> batches = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batches.add(batch(i, 2 + i));
        }

        OperatorSubtaskState snapshot;
        {
            var first = harness(config(), new MetricsCapture());
            first.open();
            for (int i = 0; i < 4; i++) {
                first.processElement(batches.get(i), i);
            }
            assertThat(drain(first)).extracting(ModelUpdate::version).containsExactly(0L, 1L);
            snapshot = first.snapshot(1L, 1L);
            close(first);
        }

        MetricsCapture metrics = new MetricsCapture();
        var restored = harness(config(), metrics);
        restored.initializeState(snapshot);
        restored.open();
        assertThat(metrics.gauge("modelVersion")).isEqualTo(1L);
        assertThat(metrics.number("queueSize")).as("the restored queue").isEqualTo(Math.min(64, P * K * 5));
        assertThat(metrics.number("trainClasses")).isEqualTo(classesIn(batches.subList(0, 4)));
        assertThat(metrics.number("loss.total")).as("no step since the restore").isNaN();

        restored.processElement(batches.get(4), 4);
        assertThat(drain(restored)).isEmpty(); // step 5: no version 0 again, no version yet
        restored.processElement(batches.get(5), 5);
        List<ModelUpdate> out = drain(restored);

        assertThat(out).hasSize(1);
        ModelUpdate v2 = out.get(0);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.step()).isEqualTo(6);
        assertThat(v2.imagesSeen()).isEqualTo(2 + 3 + 4 + 5 + 6 + 7);
        assertThat(v2.trainClasses()).isEqualTo(classesIn(batches)); // the class index was restored
        assertWellFormed(v2);
        assertTrainedLosses(v2);
        assertThat(metrics.count("numTrainingSteps")).isEqualTo(2);
        assertThat(metrics.gauge("modelVersion")).isEqualTo(2L);
    }

    @Test
    void aRestoredTrainerIsExactlyTheCheckpointedOne() throws Exception {
        List<TrainingBatch> batches = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batches.add(batch(i, 1));
        }
        var first = harness(config(), new MetricsCapture());
        first.open();
        for (int i = 0; i < 4; i++) {
            first.processElement(batches.get(i), i);
        }
        OperatorSubtaskState atStep4 = first.snapshot(1L, 1L);
        close(first);

        // a checkpoint taken right after a restore holds the same trainer ...
        var restored = harness(config(), new MetricsCapture());
        restored.initializeState(atStep4);
        restored.open();
        OperatorSubtaskState again = restored.snapshot(2L, 2L);
        close(restored);

        // ... so both checkpoints, fed the same batches, train to the same parameters
        String fromFirst = trainFrom(atStep4, batches.subList(4, 6));
        String fromSecond = trainFrom(again, batches.subList(4, 6));
        assertThat(fromSecond).isEqualTo(fromFirst);
    }

    private String trainFrom(OperatorSubtaskState snapshot, List<TrainingBatch> batches) throws Exception {
        var h = harness(config(), new MetricsCapture());
        h.initializeState(snapshot);
        h.open();
        for (TrainingBatch b : batches) {
            h.processElement(b, b.sequence());
        }
        List<ModelUpdate> out = drain(h);
        close(h);
        assertThat(out).extracting(ModelUpdate::version).containsExactly(2L);
        return out.get(0).parameterSha256();
    }

    @Test
    void aCheckpointBeforeTheFirstBatchStillPublishesVersionZero() throws Exception {
        var empty = harness(config(), new MetricsCapture());
        empty.open();
        OperatorSubtaskState snapshot = empty.snapshot(1L, 1L);
        close(empty);

        var restored = harness(config(), new MetricsCapture());
        restored.initializeState(snapshot);
        restored.open();
        restored.processElement(batch(0, 4), 0);
        List<ModelUpdate> out = drain(restored);
        assertThat(out).extracting(ModelUpdate::version).containsExactly(0L);
        assertThat(out.get(0).step()).isZero();
    }

    @Test
    void divergedStepsAreSkippedAndCountedUntilTooManyInARow() throws Exception {
        // A learning rate of 1e30 blows the parameters up in the first update, so every later step
        // overflows to a non-finite objective. (Pixel bytes cannot encode a NaN, and the losses are
        // guarded against degenerate batches, so no input alone makes a step diverge.)
        OptimizerSpec exploding = new OptimizerSpec(1e30, 4e-4, 5e-4, 1e-3);
        JobConfig.TrainingConfig config = TinyModel.training(TinyModel.config(exploding), 1, 3);
        MetricsCapture metrics = new MetricsCapture();
        var harness = harness(config, metrics);
        harness.open();

        harness.processElement(batch(0, 8), 0);
        List<ModelUpdate> first = drain(harness);
        assertThat(first).extracting(ModelUpdate::version).containsExactly(0L, 1L);
        double[] lastGood = first.get(1).lossValues();

        harness.processElement(batch(1, 8), 1);
        harness.processElement(batch(2, 8), 2);
        assertThat(drain(harness)).isEmpty(); // skipped, not published
        assertThat(metrics.count("numDivergedSteps")).isEqualTo(2);
        assertThat(metrics.count("numTrainingSteps")).isEqualTo(1);
        assertThat(metrics.count("numTrainingImages")).isEqualTo(P * K);
        assertThat(metrics.histogram("stepTimeMs").getCount())
                .as("diverged steps are timed too")
                .isEqualTo(3);
        assertThat(metrics.number("loss.total")).as("the last step taken").isEqualTo(lastGood[0]);

        TrainingBatch third = batch(3, 8);
        assertThatThrownBy(() -> harness.processElement(third, 3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("3 training steps in a row diverged");
        assertThat(metrics.count("numDivergedSteps")).isEqualTo(3);
        assertThat(metrics.gauge("modelVersion")).isEqualTo(1L);
    }
}
