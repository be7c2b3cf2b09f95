package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.divastream.model.DivaHead;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.embed.Embedder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The DaNCE queue initialised batch by batch before training, as the streaming trainer does
 * (DIVA_SPEC section 2.4, pitfall 8.4): the queue holds the key encoder's selfsim embeddings of one
 * augmented view of each image (checked against an inference-mode forward pass of the initial
 * network on views drawn naively from the documented stream), first in, first out; nothing else
 * changes; the counts are part of the saved state, so an initialisation interrupted by a restore
 * continues exactly.
 */
class DivaTrainerQueueFillTest {

    private static final int P = 4;
    private static final int K = 4;
    private static final int B = P * K;

    /** A random brightness change: a view depends on the draws, as the real augmentation does. */
    private static final ViewAugmenter AUGMENTER = (image, size, random) -> {
        float[] out = image.clone();
        float shift = (float) random.nextDouble();
        for (int i = 0; i < out.length; i++) {
            out[i] = 0.5f * out[i] + 0.5f * shift;
        }
        return out;
    };

    private static DivaTrainer trainer() {
        return new DivaTrainer(DivaTrainerTest.smallConfig(), AUGMENTER, 64); // queue of 64 keys
    }

    private static List<LabeledBatch> batches(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LabeledBatch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(SyntheticGlyphs.batch(random, P, K, 12));
        }
        return out;
    }

    /** The naive expectation: each batch's views from the stream at its key position, embedded by the initial network. */
    private static List<float[]> expectedKeys(DivaConfig config, ModelSnapshot initial, List<LabeledBatch> batches) {
        List<float[]> keys = new ArrayList<>();
        int self = config.network().indexOf(DivaHead.SELFSIM);
        try (Embedder embedder = new Embedder(config.network())) {
            embedder.load(initial);
            long position = 0;
            for (LabeledBatch batch : batches) {
                RandomGenerator random =
                        RandomStreams.of(config.seed(), RandomStreams.Purpose.QUEUE_VIEWS, 0, position);
                float[][] views = new float[batch.size()][];
                for (int i = 0; i < views.length; i++) {
                    views[i] = AUGMENTER.augment(
                            batch.images()[i], config.network().inputSize(), random);
                }
                for (float[] row : embedder.embed(views)[self]) {
                    keys.add(row);
                }
                position += batch.size();
            }
        }
        return keys;
    }

    @Test
    void theQueueHoldsTheInitialKeyEncodersEmbeddingsOfViewAFirstInFirstOut() {
        List<LabeledBatch> batches = batches(5, 1); // 80 keys for a queue of 64: the first batch drops out
        try (DivaTrainer trainer = trainer()) {
            DivaConfig config = trainer.config();
            ModelSnapshot initial = trainer.snapshot(0);
            List<float[]> expected = expectedKeys(config, initial, batches);
            for (int i = 0; i < batches.size(); i++) {
                int size = trainer.initializeQueue(batches.get(i));
                assertThat(size).isEqualTo(Math.min(64, (i + 1) * B));
                assertThat(trainer.queueInitBatches()).isEqualTo(i + 1);
            }
            float[][] queue = TrainerProbes.queueKeys(trainer);
            assertThat(queue).hasNumberOfRows(64);
            for (int r = 0; r < 64; r++) {
                assertThat(queue[r]).as("queue row %d", r).containsExactly(expected.get(B + r), within(1e-5f));
            }
            assertThat(trainer.steps()).as("initialisation takes no step").isZero();
            assertThat(trainer.classCount()).isZero();
            assertThat(trainer.snapshot(0).sha256())
                    .as("nor changes a parameter")
                    .isEqualTo(initial.sha256());

            trainer.step(batches.get(0));
            assertThat(trainer.queueSize()).isEqualTo(64);
            assertThatThrownBy(() -> trainer.initializeQueue(batches.get(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("1 steps");
        }
    }

    @Test
    void withoutTheSelfsimHeadNothingIsQueuedOrCounted() {
        DivaConfig config = DivaTrainerTest.smallConfig().withHeads(List.of(DivaHead.DISCRIMINATIVE));
        try (DivaTrainer trainer = new DivaTrainer(config, AUGMENTER, 64)) {
            assertThat(trainer.initializeQueue(batches(1, 2).get(0))).isZero();
            assertThat(trainer.queueInitBatches()).isZero();
        }
    }

    @Test
    void anInitialisationRestoredHalfwayContinuesAsOneWithoutTheRestore() throws IOException {
        List<LabeledBatch> batches = batches(8, 3);
        byte[] straight;
        try (DivaTrainer trainer = trainer()) {
            for (LabeledBatch batch : batches.subList(0, 5)) {
                trainer.initializeQueue(batch);
            }
            for (LabeledBatch batch : batches.subList(5, 8)) {
                trainer.step(batch);
            }
            straight = trainer.saveState();
        }
        byte[] halfway;
        try (DivaTrainer trainer = trainer()) {
            trainer.initializeQueue(batches.get(0));
            trainer.initializeQueue(batches.get(1));
            halfway = trainer.saveState();
        }
        try (DivaTrainer trainer = trainer()) {
            trainer.restore(halfway);
            assertThat(trainer.queueInitBatches()).isEqualTo(2);
            assertThat(trainer.queueSize()).isEqualTo(2 * B);
            for (LabeledBatch batch : batches.subList(2, 5)) {
                trainer.initializeQueue(batch);
            }
            assertThat(trainer.queueInitBatches()).isEqualTo(5);
            for (LabeledBatch batch : batches.subList(5, 8)) {
                trainer.step(batch);
            }
            assertThat(new ModelSnapshot(0, 0, trainer.saveState(), 1).sha256())
                    .as("the whole state after three steps")
                    .isEqualTo(new ModelSnapshot(0, 0, straight, 1).sha256());
        }
    }
}
