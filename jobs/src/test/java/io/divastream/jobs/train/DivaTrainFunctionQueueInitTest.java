package io.divastream.jobs.train;

import static io.divastream.jobs.train.TrainerOutputs.content;
import static io.divastream.jobs.train.TrainerOutputs.feed;
import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.images.ImageDecoder;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.testing.MetricsCapture;
import io.divastream.jobs.testing.TinyModel;
import io.divastream.model.augment.GlyphAugmenter;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.LabeledBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The DaNCE queue initialised by the streaming trainer's first batches ({@code
 * train.queue-init-batches}, DIVA_SPEC section 2.4): those batches take no step and publish nothing
 * but version 0, steps and versions count from the first batch after them, the trained parameters
 * are those of a bare trainer that filled its queue with the same batches, and a checkpoint taken in
 * the middle of the initialisation restores into a run that publishes exactly the versions of an
 * uninterrupted one.
 */
class DivaTrainFunctionQueueInitTest {

    private static final int STEPS_PER_VERSION = 2;
    private static final int INIT_BATCHES = 3;

    private static JobConfig.TrainingConfig config(int initBatches) {
        return TinyModel.training(TinyModel.config(), STEPS_PER_VERSION, 5, initBatches);
    }

    private static OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> harness(int initBatches)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new DivaTrainFunction(config(initBatches))));
    }

    private static List<TrainingBatch> batches(int n) {
        Random random = new Random(21);
        List<TrainingBatch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(TinyModel.batch(i, random, 6, 4, 2, 1 + i % 2));
        }
        return out;
    }

    private static LabeledBatch decoded(TrainingBatch batch) {
        float[][] images = new float[batch.size()][];
        for (int i = 0; i < images.length; i++) {
            images[i] = ImageDecoder.fromBytes(batch.pixels()[i]);
        }
        return new LabeledBatch(Arrays.asList(batch.labels()), images);
    }

    @Test
    void theFirstBatchesOnlyFillTheQueueThenTrainingCountsFromTheNext() throws Exception {
        List<TrainingBatch> batches = batches(INIT_BATCHES + 2 * STEPS_PER_VERSION);
        List<ModelUpdate> versions;
        try (var h = harness(INIT_BATCHES)) {
            MetricsCapture metrics = MetricsCapture.attach(h);
            h.open();
            assertThat(metrics.number("queueInitBatches")).isZero();
            for (int i = 0; i < INIT_BATCHES; i++) {
                List<ModelUpdate> out = feed(h, batches.subList(i, i + 1));
                if (i == 0) {
                    assertThat(out)
                            .extracting(ModelUpdate::version)
                            .as("the untrained version 0")
                            .containsExactly(0L);
                    assertThat(out.get(0).step()).isZero();
                } else {
                    assertThat(out).as("no version during the initialisation").isEmpty();
                }
                assertThat(metrics.number("queueInitBatches")).isEqualTo(i + 1);
                assertThat(metrics.number("queueSize")).isEqualTo(8 * (i + 1));
                assertThat(metrics.count("numTrainingSteps")).as("no step").isZero();
                assertThat(metrics.number("trainClasses")).isZero();
            }
            versions = feed(h, batches.subList(INIT_BATCHES, batches.size()));
            assertThat(metrics.count("numTrainingSteps")).isEqualTo(2 * STEPS_PER_VERSION);
            assertThat(metrics.number("queueInitBatches")).isEqualTo(INIT_BATCHES);
            assertThat(metrics.number("queueSize")).isEqualTo(8 * (INIT_BATCHES + 2 * STEPS_PER_VERSION));
        }
        assertThat(versions).extracting(ModelUpdate::version).containsExactly(1L, 2L);
        assertThat(versions).extracting(ModelUpdate::step).containsExactly(2L, 4L);
        long newImages = batches.stream().mapToLong(TrainingBatch::newImages).sum();
        assertThat(versions.get(1).imagesSeen())
                .as("the initialisation's images are seen too")
                .isEqualTo(newImages);

        // the same batches in a bare trainer: the queue from the first three, steps on the rest
        JobConfig.TrainingConfig training = config(INIT_BATCHES);
        GlyphAugmenter augmenter = new GlyphAugmenter(training.augmentation());
        try (DivaTrainer bare = new DivaTrainer(training.model(), augmenter::augment)) {
            for (TrainingBatch b : batches.subList(0, INIT_BATCHES)) {
                bare.initializeQueue(decoded(b));
            }
            for (TrainingBatch b : batches.subList(INIT_BATCHES, batches.size())) {
                bare.step(decoded(b));
            }
            assertThat(bare.snapshot(2).sha256()).isEqualTo(versions.get(1).parameterSha256());
        }

        // without the initialisation the same batches are all steps: other versions
        try (var h = harness(0)) {
            h.open();
            List<ModelUpdate> out = feed(h, batches);
            assertThat(out).extracting(ModelUpdate::step).containsExactly(0L, 2L, 4L, 6L);
            assertThat(out.get(2).parameterSha256())
                    .isNotEqualTo(versions.get(1).parameterSha256());
        }
    }

    @Test
    void aRestoreInTheMiddleOfTheInitialisationContinuesIt() throws Exception {
        List<TrainingBatch> batches = batches(INIT_BATCHES + 3 * STEPS_PER_VERSION);
        List<String> straight;
        try (var h = harness(INIT_BATCHES)) {
            h.open();
            straight = feed(h, batches).stream().map(TrainerOutputs::content).toList();
        }
        assertThat(straight).hasSize(4); // versions 0 to 3

        for (int cut : new int[] {1, 2, INIT_BATCHES, INIT_BATCHES + 1}) {
            List<String> resumed = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (var h = harness(INIT_BATCHES)) {
                h.open();
                feed(h, batches.subList(0, cut)).forEach(m -> resumed.add(content(m)));
                snapshot = h.snapshot(1L, 1L);
            }
            try (var h = harness(INIT_BATCHES)) {
                MetricsCapture metrics = MetricsCapture.attach(h);
                h.initializeState(snapshot);
                h.open();
                assertThat(metrics.number("queueInitBatches"))
                        .as("restored after batch %d", cut)
                        .isEqualTo(Math.min(cut, INIT_BATCHES));
                feed(h, batches.subList(cut, batches.size())).forEach(m -> resumed.add(content(m)));
            }
            assertThat(resumed).as("restored after batch %d", cut).isEqualTo(straight);
        }
    }
}
