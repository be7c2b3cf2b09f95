package io.divastream.model.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.net.DivaNetwork;
import io.divastream.model.net.ParameterIo;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.SyntheticGlyphs;
import io.divastream.model.train.ViewAugmenter;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbedderTest {

    private static final NetworkSpec SPEC = new NetworkSpec(28, List.of(8, 8), 16, List.of(DivaHead.values()), 32);

    private static ModelSnapshot early;
    private static ModelSnapshot trained;
    private static float[][] images;

    private static DivaConfig config(NetworkSpec spec) {
        return new DivaConfig(
                spec,
                new LossSpec(0.2, 1.2, 0.5, 0.3, 0.3, 0.3, 1500, 0.01, 1.4, false),
                new OptimizerSpec(1e-3, 4e-4, 5e-4, 1e-3),
                new MomentumSpec(0.9, 64),
                3L);
    }

    /** A snapshot of a trainer of the given network shape, after a few steps. */
    private static ModelSnapshot snapshotOf(NetworkSpec spec, int steps, long version) {
        SplittableRandom random = new SplittableRandom(version);
        try (DivaTrainer trainer = new DivaTrainer(config(spec), ViewAugmenter.IDENTITY, 64)) {
            for (int s = 0; s < steps; s++) {
                trainer.step(SyntheticGlyphs.batch(random, 4, 4, 10));
            }
            return trainer.snapshot(version);
        }
    }

    @BeforeAll
    static void snapshots() {
        SplittableRandom random = new SplittableRandom(1);
        try (DivaTrainer trainer = new DivaTrainer(config(SPEC), ViewAugmenter.IDENTITY, 64)) {
            trainer.step(SyntheticGlyphs.batch(random, 4, 4, 10));
            early = trainer.snapshot(1);
            for (int s = 0; s < 5; s++) {
                trainer.step(SyntheticGlyphs.batch(random, 4, 4, 10));
            }
            trained = trainer.snapshot(2);
        }
        images = new float[12][];
        for (int i = 0; i < images.length; i++) {
            images[i] = SyntheticGlyphs.sample(i % 6, random);
        }
    }

    private static float[][][] embed(ModelSnapshot snapshot, float[][] x) {
        try (Embedder embedder = new Embedder(SPEC)) {
            embedder.load(snapshot);
            return embedder.embed(x);
        }
    }

    private static void assertSame(float[][][] actual, float[][][] expected) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int h = 0; h < expected.length; h++) {
            for (int i = 0; i < expected[h].length; i++) {
                assertThat(actual[h][i]).as("head %d, image %d", h, i).containsExactly(expected[h][i]);
            }
        }
    }

    @Test
    void embedsEveryHeadWithUnitRowsAndTwoEmbeddersAgreeExactly() {
        try (Embedder a = new Embedder(SPEC);
                Embedder b = new Embedder(SPEC)) {
            assertThat(a.version()).isEqualTo(-1);
            a.load(trained);
            b.load(trained);
            assertThat(a.version()).isEqualTo(2);
            assertThat(a.spec()).isEqualTo(SPEC);
            float[][][] ea = a.embed(images);
            assertThat(ea).hasNumberOfRows(4);
            for (float[][] head : ea) {
                assertThat(head).hasNumberOfRows(12);
                for (float[] row : head) {
                    assertThat(row).hasSize(16);
                    double norm = 0;
                    for (float v : row) {
                        norm += (double) v * v;
                    }
                    assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
                }
            }
            assertSame(b.embed(images), ea);
            // heads are different functions of the image
            assertThat(ea[0][0]).isNotEqualTo(ea[1][0]);
        }
    }

    @Test
    void embeddingsEqualTheNetworksOwnInferenceForward() {
        float[][][] expected;
        ModelSnapshot snapshot;
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            DivaNetwork network = DivaNetwork.create(SPEC, m);
            snapshot = new ModelSnapshot(5, 0, ParameterIo.toBytes(network), ParameterIo.count(network));
            float[] flat = new float[images.length * 28 * 28];
            for (int i = 0; i < images.length; i++) {
                System.arraycopy(images[i], 0, flat, i * 28 * 28, 28 * 28);
            }
            NDList out = network.forward(
                    new ParameterStore(m, false),
                    new NDList(m.create(flat, DivaNetwork.inputShape(SPEC, images.length))),
                    false);
            expected = new float[out.size()][images.length][16];
            for (int h = 0; h < out.size(); h++) {
                float[] values = out.get(h).toFloatArray();
                for (int i = 0; i < images.length; i++) {
                    System.arraycopy(values, i * 16, expected[h][i], 0, 16);
                }
            }
        }
        float[][][] actual = embed(snapshot, images);
        for (int h = 0; h < expected.length; h++) {
            for (int i = 0; i < images.length; i++) {
                assertThat(actual[h][i]).containsExactly(expected[h][i], within(1e-6f));
            }
        }
    }

    @Test
    void reloadingReplacesTheParametersSeenByLaterEmbeddings() {
        // the embedder's ParameterStore caches the arrays it saw first; a load must update those
        float[][][] expectedEarly = embed(early, images);
        float[][][] expectedTrained = embed(trained, images);
        try (Embedder embedder = new Embedder(SPEC)) {
            float[][][] random = embedder.embed(images);
            embedder.load(early);
            assertSame(embedder.embed(images), expectedEarly);
            embedder.load(trained);
            assertThat(embedder.version()).isEqualTo(2);
            assertSame(embedder.embed(images), expectedTrained);
            embedder.load(early);
            assertSame(embedder.embed(images), expectedEarly);
            assertThat(random[0][0]).isNotEqualTo(expectedEarly[0][0]);
            assertThat(expectedEarly[0][0]).isNotEqualTo(expectedTrained[0][0]);
        }
    }

    @Test
    void repeatedLoadsDoNotLeak() {
        try (Embedder embedder = new Embedder(SPEC)) {
            embedder.load(early);
            embedder.embed(images);
            int before = liveArrays();
            for (int i = 0; i < 20; i++) {
                embedder.load(i % 2 == 0 ? trained : early);
                embedder.embed(images);
            }
            assertThat(liveArrays()).isEqualTo(before);
        }
    }

    private static int liveArrays() {
        try (NDManager probe = DjlRuntime.engine().newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    @Test
    void snapshotsOfAnotherNetworkShapeAreRejectedAndLeaveTheEmbedderAsItWas() {
        NetworkSpec otherDim = new NetworkSpec(28, List.of(8, 8), 8, List.of(DivaHead.values()), 32);
        NetworkSpec otherChannels = new NetworkSpec(28, List.of(8, 4), 16, List.of(DivaHead.values()), 32);
        NetworkSpec otherHeads = new NetworkSpec(28, List.of(8, 8), 16, List.of(DivaHead.DISCRIMINATIVE), 32);
        float[][][] expected = embed(trained, images);
        try (Embedder embedder = new Embedder(SPEC)) {
            embedder.load(trained);
            for (NetworkSpec other : List.of(otherDim, otherChannels, otherHeads)) {
                ModelSnapshot foreign = snapshotOf(other, 0, 7);
                assertThatThrownBy(() -> embedder.load(foreign))
                        .as(other.toString())
                        .isInstanceOf(IllegalArgumentException.class);
                assertThat(embedder.version()).isEqualTo(2);
                // a rejected snapshot must not have been half loaded
                assertSame(embedder.embed(images), expected);
            }
            byte[] bytes = trained.parameters();
            ModelSnapshot truncated = new ModelSnapshot(9, 0, Arrays.copyOf(bytes, bytes.length - 10), 1);
            assertThatThrownBy(() -> embedder.load(truncated)).isInstanceOf(IllegalArgumentException.class);
            assertSame(embedder.embed(images), expected);
        }
    }

    @Test
    void imagesOfTheWrongSizeAreRejected() {
        try (Embedder embedder = new Embedder(SPEC)) {
            assertThatThrownBy(() -> embedder.embed(new float[][] {new float[27 * 27]}))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void largeInputsAreEmbeddedInChunksWithTheSameResultPerImage() {
        // more images than one internal chunk (256): each row must still belong to its own image
        SplittableRandom random = new SplittableRandom(2);
        float[][] many = new float[300][];
        for (int i = 0; i < many.length; i++) {
            many[i] = SyntheticGlyphs.sample(i % 10, random);
        }
        float[][] tail = Arrays.copyOfRange(many, 250, 300);
        try (Embedder embedder = new Embedder(SPEC)) {
            embedder.load(trained);
            float[][][] all = embedder.embed(many);
            float[][][] part = embedder.embed(tail);
            for (int h = 0; h < all.length; h++) {
                assertThat(all[h]).hasNumberOfRows(300);
                for (int i = 0; i < tail.length; i++) {
                    assertThat(all[h][250 + i]).containsExactly(part[h][i], within(1e-5f));
                }
            }
        }
    }
}
