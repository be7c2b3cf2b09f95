package io.divastream.jobs.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.divastream.jobs.records.ImageEmbedding;
import io.divastream.jobs.records.ImageSample;
import io.divastream.jobs.records.ModelUpdate;
import io.divastream.jobs.records.Role;
import io.divastream.jobs.records.TrainingBatch;
import io.divastream.jobs.testing.TinyModel;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.embed.Embedder;
import io.divastream.model.eval.EmbeddingCombiner;
import io.divastream.model.image.ImageDecoder;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.LabeledBatch;
import io.divastream.model.train.ViewAugmenter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedder in a keyed broadcast harness, with model versions that are real snapshots of a tiny
 * DiVA trainer; an {@link Embedder} loaded with the same snapshot is the oracle of the vectors.
 */
class EmbeddingFunctionTest {

    private static final double[] WEIGHTS = {1.0, 0.5, 2.0, 0.0};
    private static final float TOLERANCE = 1e-5f;

    private static ModelUpdate v1;
    private static ModelUpdate v2;
    private static ModelUpdate v3;

    private final Random random = new Random(17);
    private final List<KeyedBroadcastOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding>>
            harnesses = new ArrayList<>();

    @BeforeAll
    static void trainSomeVersions() {
        Random random = new Random(1);
        try (DivaTrainer trainer = new DivaTrainer(TinyModel.config(), ViewAugmenter.IDENTITY)) {
            v1 = update(trainer.snapshot(1), 0, 1_000L);
            step(trainer, random, 0);
            step(trainer, random, 1);
            v2 = update(trainer.snapshot(2), 16, 2_000L);
            step(trainer, random, 2);
            v3 = update(trainer.snapshot(3), 24, 3_000L);
        }
        assertThat(v2.parameterSha256()).isNotEqualTo(v1.parameterSha256());
        assertThat(v3.parameterSha256()).isNotEqualTo(v2.parameterSha256());
    }

    private static void step(DivaTrainer trainer, Random random, long sequence) {
        TrainingBatch b = TinyModel.batch(sequence, random, 6, 4, 2, 8);
        float[][] images = Arrays.stream(b.pixels()).map(ImageDecoder::fromBytes).toArray(float[][]::new);
        trainer.step(new LabeledBatch(Arrays.asList(b.labels()), images));
    }

    private static ModelUpdate update(ModelSnapshot s, long imagesSeen, long createdAt) {
        return new ModelUpdate(
                s.version(),
                s.step(),
                imagesSeen,
                6,
                s.parameters(),
                s.parameterCount(),
                s.sha256(),
                new String[] {"total"},
                new double[] {1.0},
                createdAt);
    }

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    private KeyedBroadcastOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> opened()
            throws Exception {
        var h =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new EmbeddingFunction(TinyModel.NETWORK, WEIGHTS),
                        ImageSample::imageId,
                        Types.STRING,
                        EmbeddingFunction.MODEL_STATE);
        harnesses.add(h);
        return h;
    }

    private KeyedBroadcastOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> restored(
            OperatorSubtaskState snapshot) throws Exception {
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new EmbeddingFunction(TinyModel.NETWORK, WEIGHTS),
                                List.of(EmbeddingFunction.MODEL_STATE)),
                        ImageSample::imageId,
                        Types.STRING,
                        1,
                        1,
                        0);
        harnesses.add(h);
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    private ImageSample image(String id, String label, Role role) {
        return new ImageSample(id, label, role, TinyModel.randomImage(random), 500L + id.hashCode());
    }

    private static List<ImageEmbedding> drain(
            KeyedBroadcastOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h) {
        List<ImageEmbedding> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    private static long storedImages(
            KeyedBroadcastOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h) {
        try (Stream<Object> keys =
                h.getOperator()
                        .getKeyedStateBackend()
                        .getKeys(EmbeddingFunction.IMAGE_STATE.getName(), VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /** Checks an embedding against the oracle embedder loaded with the same model. */
    private static void assertEmbedded(ImageEmbedding e, ImageSample sample, ModelUpdate model) {
        assertThat(e.imageId()).isEqualTo(sample.imageId());
        assertThat(e.label()).isEqualTo(sample.label());
        assertThat(e.role()).isEqualTo(sample.role());
        assertThat(e.eventTime()).isEqualTo(sample.eventTime());
        assertThat(e.modelVersion()).isEqualTo(model.version());
        assertThat(e.modelStep()).isEqualTo(model.step());
        assertThat(e.modelImagesSeen()).isEqualTo(model.imagesSeen());
        assertThat(e.modelCreatedAt()).isEqualTo(model.createdAt());
        assertThat(e.embeddedAt()).isCloseTo(System.currentTimeMillis(), within(60_000L));

        float[][][] expected;
        try (Embedder oracle = new Embedder(TinyModel.NETWORK)) {
            oracle.load(new ModelSnapshot(model.version(), model.step(), model.parameters(), model.parameterCount()));
            expected = oracle.embed(new float[][] {ImageDecoder.fromBytes(sample.pixels())});
        }
        assertThat(e.heads()).hasNumberOfRows(4);
        for (int h = 0; h < 4; h++) {
            assertThat(e.heads()[h]).hasSize(16).containsExactly(expected[h][0], within(TOLERANCE));
            assertThat(norm(e.heads()[h])).isCloseTo(1.0, within(1e-4));
        }
        float[][][] perHead = new float[4][1][];
        for (int h = 0; h < 4; h++) {
            perHead[h][0] = e.heads()[h];
        }
        float[] combined = EmbeddingCombiner.combine(perHead, WEIGHTS)[0];
        assertThat(e.combined()).hasSize(64).containsExactly(combined, within(TOLERANCE));
        assertThat(norm(e.combined())).isCloseTo(1.0, within(1e-4));
        // the last head has weight 0: its slice of the combined vector is zero
        assertThat(norm(Arrays.copyOfRange(e.combined(), 48, 64))).isZero();
        // weighted concatenation: slice h is proportional to w_h * head h
        double squaredNorm = 0;
        for (int h = 0; h < 4; h++) {
            squaredNorm += WEIGHTS[h] * WEIGHTS[h] * norm(e.heads()[h]) * norm(e.heads()[h]);
        }
        double scale = 1 / Math.sqrt(squaredNorm);
        for (int h = 0; h < 3; h++) {
            for (int t = 0; t < 16; t++) {
                assertThat((double) e.combined()[16 * h + t])
                        .isCloseTo(scale * WEIGHTS[h] * e.heads()[h][t], within(1e-5));
            }
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void imagesWaitForTheFirstModelThenAllAreEmbeddedWithIt() throws Exception {
        var h = opened();
        List<ImageSample> images =
                List.of(
                        image("a", "Korean/character01", Role.TRAIN),
                        image("b", "Korean/character02", Role.TRAIN),
                        image("c", "Greek/character01", Role.EVAL));
        for (ImageSample s : images) {
            h.processElement(s, s.eventTime());
        }
        assertThat(drain(h)).isEmpty();
        assertThat(storedImages(h)).isEqualTo(3);

        h.processBroadcastElement(v1, 10);
        List<ImageEmbedding> out = drain(h);

        assertThat(out).extracting(ImageEmbedding::imageId).containsExactlyInAnyOrder("a", "b", "c");
        Map<String, ImageSample> byId =
                images.stream().collect(Collectors.toMap(ImageSample::imageId, Function.identity()));
        for (ImageEmbedding e : out) {
            assertEmbedded(e, byId.get(e.imageId()), v1);
        }
        assertThat(h.getBroadcastState(EmbeddingFunction.MODEL_STATE).get(EmbeddingFunction.LATEST))
                .isEqualTo(v1);
    }

    @Test
    void aNewImageIsEmbeddedAtOnceWithTheLatestModel() throws Exception {
        var h = opened();
        h.processBroadcastElement(v2, 1);
        assertThat(drain(h)).isEmpty(); // nothing stored yet

        ImageSample d = image("d", "Tagalog/character03", Role.EVAL);
        h.processElement(d, 2);
        List<ImageEmbedding> out = drain(h);
        assertThat(out).hasSize(1);
        assertEmbedded(out.get(0), d, v2);
    }

    @Test
    void aNewerVersionReEmbedsEveryImageAndOlderOrEqualOnesAreIgnored() throws Exception {
        var h = opened();
        for (int i = 0; i < 5; i++) {
            h.processElement(image("img-" + i, "Korean/character0" + (i % 2), Role.TRAIN), i);
        }
        h.processBroadcastElement(v2, 10);
        List<ImageEmbedding> atV2 = drain(h);
        assertThat(atV2).hasSize(5).extracting(ImageEmbedding::modelVersion).containsOnly(2L);

        h.processBroadcastElement(v1, 11); // older
        h.processBroadcastElement(v2, 12); // the same again
        assertThat(drain(h)).isEmpty();
        assertThat(h.getBroadcastState(EmbeddingFunction.MODEL_STATE).get(EmbeddingFunction.LATEST))
                .isEqualTo(v2);

        ImageSample late = image("late", "Korean/character05", Role.TRAIN);
        h.processElement(late, 13);
        List<ImageEmbedding> lateOut = drain(h);
        assertThat(lateOut).hasSize(1);
        assertEmbedded(lateOut.get(0), late, v2);

        h.processBroadcastElement(v3, 14);
        List<ImageEmbedding> atV3 = drain(h);
        assertThat(atV3)
                .extracting(ImageEmbedding::imageId)
                .containsExactlyInAnyOrder("img-0", "img-1", "img-2", "img-3", "img-4", "late");
        assertThat(atV3).extracting(ImageEmbedding::modelVersion).containsOnly(3L);
        // a new model gives new vectors
        ImageEmbedding firstAtV2 = atV2.stream().filter(e -> e.imageId().equals("img-0")).findFirst().orElseThrow();
        ImageEmbedding firstAtV3 = atV3.stream().filter(e -> e.imageId().equals("img-0")).findFirst().orElseThrow();
        assertThat(firstAtV3.combined()).isNotEqualTo(firstAtV2.combined());
    }

    @Test
    void aRedeliveredImageReplacesTheStoredOne() throws Exception {
        var h = opened();
        ImageSample original = image("x", "Korean/character01", Role.TRAIN);
        ImageSample redelivered = image("x", "Korean/character01", Role.TRAIN); // same id, other pixels
        h.processElement(original, 1);
        h.processElement(redelivered, 2);
        h.processElement(image("y", "Korean/character02", Role.TRAIN), 3);
        assertThat(storedImages(h)).isEqualTo(2);

        h.processBroadcastElement(v1, 4);
        List<ImageEmbedding> out = drain(h);
        assertThat(out).extracting(ImageEmbedding::imageId).containsExactlyInAnyOrder("x", "y");
        ImageEmbedding x = out.stream().filter(e -> e.imageId().equals("x")).findFirst().orElseThrow();
        assertEmbedded(x, redelivered, v1);

        h.processElement(original, 5); // and again, now embedded at once
        List<ImageEmbedding> again = drain(h);
        assertThat(again).hasSize(1);
        assertEmbedded(again.get(0), original, v1);
        assertThat(storedImages(h)).isEqualTo(2);
    }

    @Test
    void restoreKeepsTheImagesAndTheLatestModel() throws Exception {
        var h = opened();
        ImageSample a = image("a", "Korean/character01", Role.TRAIN);
        ImageSample b = image("b", "Greek/character01", Role.EVAL);
        h.processElement(a, 1);
        h.processElement(b, 2);
        h.processBroadcastElement(v2, 3);
        assertThat(drain(h)).hasSize(2);
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);

        var r = restored(snapshot);
        ImageSample c = image("c", "Korean/character02", Role.TRAIN);
        r.processElement(c, 4);
        List<ImageEmbedding> out = drain(r);
        assertThat(out).hasSize(1);
        assertEmbedded(out.get(0), c, v2); // the model came back from broadcast state

        r.processBroadcastElement(v2, 5);
        assertThat(drain(r)).isEmpty();
        r.processBroadcastElement(v3, 6);
        List<ImageEmbedding> atV3 = drain(r);
        assertThat(atV3).extracting(ImageEmbedding::imageId).containsExactlyInAnyOrder("a", "b", "c");
        for (ImageEmbedding e : atV3) {
            assertEmbedded(e, Map.of("a", a, "b", b, "c", c).get(e.imageId()), v3);
        }
    }
}
