package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.divastream.model.DivaHead;
import io.divastream.model.config.DivaConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link QueueInitialisation} on its own, with the identity view (a view is the image), so the
 * expected keys are the key encoder's embeddings of the images themselves. {@link
 * DivaTrainerQueueFillTest} checks the same through the trainer, with random views.
 */
class QueueInitialisationTest {

    private static TrainerState state(DivaConfig config) {
        return new TrainerState(config, 64, Device.cpu()); // a queue of 64 keys
    }

    private static QueueInitialisation of(TrainerState s) {
        return new QueueInitialisation(s, new TrainingViews(s.spec(), s.config().seed(), ViewAugmenter.IDENTITY));
    }

    private static List<LabeledBatch> batches(int n) {
        SplittableRandom random = new SplittableRandom(11);
        List<LabeledBatch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(SyntheticGlyphs.batch(random, 4, 4, 12)); // 16 images each
        }
        return out;
    }

    /** The key encoder's selfsim rows of images, one forward pass per image. */
    private static List<float[]> naiveKeys(TrainerState s, List<LabeledBatch> batches) {
        List<float[]> out = new ArrayList<>();
        try (NDManager m = s.root().newSubManager()) {
            for (LabeledBatch batch : batches) {
                for (float[] image : batch.images()) {
                    NDArray x = m.create(image, new TrainingViews(s.spec(), 0, null).shape(1));
                    NDList e = s.keyEncoder().forward(s.parameterStore(), new NDList(x), false);
                    out.add(e.get(s.spec().indexOf(DivaHead.SELFSIM)).toFloatArray());
                }
            }
        }
        return out;
    }

    private static void assertQueueHolds(TrainerState s, List<float[]> expected) {
        float[][] queue = DivaObjective.rows(s.queue().keys());
        assertThat(queue).hasNumberOfRows(expected.size());
        for (int i = 0; i < queue.length; i++) {
            for (int d = 0; d < queue[i].length; d++) {
                assertThat(queue[i][d])
                        .as("key %d, %d", i, d)
                        .isCloseTo(expected.get(i)[d], org.assertj.core.api.Assertions.within(1e-5f));
            }
        }
    }

    @Test
    void batchesAreEmbeddedUntilTheQueueIsFullAndCounted() {
        List<LabeledBatch> six = batches(6);
        try (TrainerState s = state(DivaTrainerTest.smallConfig())) {
            List<float[]> expected = naiveKeys(s, six.subList(0, 4));
            assertThat(of(s).fromBatches(six)).isEqualTo(64);
            assertQueueHolds(s, expected);
            assertThat(s.queueInitBatches()).isEqualTo(4);
            assertThat(s.queueInitKeys()).isEqualTo(64);
        }
    }

    @Test
    void oneBatchAtATimeBeyondTheCapacityKeepsTheNewestKeys() {
        List<LabeledBatch> five = batches(5);
        try (TrainerState s = state(DivaTrainerTest.smallConfig())) {
            List<float[]> expected = naiveKeys(s, five);
            QueueInitialisation init = of(s);
            for (LabeledBatch batch : five) {
                init.fromBatch(batch);
            }
            assertQueueHolds(s, expected.subList(16, 80));
            assertThat(s.queueInitBatches()).isEqualTo(5);
            assertThat(s.queueInitKeys()).isEqualTo(80);
            s.countStep();
            assertThatThrownBy(() -> init.fromBatch(five.get(0)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("1 steps");
        }
    }

    @Test
    void withoutTheSelfsimHeadNothingIsQueuedOrCounted() {
        DivaConfig config = DivaTrainerTest.smallConfig().withHeads(List.of(DivaHead.DISCRIMINATIVE, DivaHead.SHARED));
        try (TrainerState s = state(config);
                NDManager m = s.root().newSubManager()) {
            QueueInitialisation init = of(s);
            assertThat(init.fromBatches(batches(2))).isZero();
            assertThat(init.fromBatch(batches(1).get(0))).isZero();
            assertThat(init.fillIfEmpty(m.zeros(new TrainingViews(s.spec(), 0, null).shape(16))))
                    .isFalse();
            assertThat(s.queue().size()).isZero();
            assertThat(s.queueInitBatches()).isZero();
            assertThat(s.queueInitKeys()).isZero();
        }
    }

    @Test
    void theFirstStepFillsAnEmptyQueueOnlyAndCountsNothing() {
        LabeledBatch batch = batches(1).get(0);
        try (TrainerState s = state(DivaTrainerTest.smallConfig());
                NDManager m = s.root().newSubManager()) {
            List<float[]> expected = naiveKeys(s, List.of(batch));
            float[] flat = new float[0];
            for (float[] image : batch.images()) {
                float[] joined = java.util.Arrays.copyOf(flat, flat.length + image.length);
                System.arraycopy(image, 0, joined, flat.length, image.length);
                flat = joined;
            }
            NDArray xA = m.create(flat, new TrainingViews(s.spec(), 0, null).shape(batch.size()));
            QueueInitialisation init = of(s);
            assertThat(init.fillIfEmpty(xA)).isTrue();
            assertQueueHolds(s, expected);
            assertThat(init.fillIfEmpty(xA)).isFalse();
            assertThat(s.queue().size()).isEqualTo(16);
            assertThat(s.queueInitBatches()).isZero();
        }
    }
}
