package io.divastream.jobs.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.images.ImageDecoder;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.testing.MetricsCapture;
import io.divastream.jobs.testing.TinyModel;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.embed.Embedder;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.LabeledBatch;
import io.divastream.model.train.ViewAugmenter;
import io.divastream.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalogue embedder in a keyed two-input harness (images keyed by id, model versions
 * unkeyed), with model versions that are real snapshots of a tiny DiVA trainer; an {@link
 * Embedder} loaded with the same snapshot is the oracle of the vectors. Processing time is driven
 * by hand: with a rate of 20 images/s in chunks of 2, one chunk is re-embedded every 100 ms.
 */
class CatalogueEmbedderTest {

    private static final double[] WEIGHTS = {1.0, 0.5, 2.0, 0.0};
    private static final float TOLERANCE = 1e-5f;
    private static final long TICK = 100;
    private static final String TOPIC = "diva.images";

    private static ModelUpdate v1;
    private static ModelUpdate v2;
    private static ModelUpdate v3;

    private final Random random = new Random(17);
    private final Map<String, ImageSample> sent = new HashMap<>();
    private final List<KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding>>
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
        float[][] images =
                Arrays.stream(b.pixels()).map(ImageDecoder::fromBytes).toArray(float[][]::new);
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

    private static JobConfig.CatalogueConfig catalogue(long ttlMs, int maxImages) {
        return new JobConfig.CatalogueConfig(20, 2, ttlMs, maxImages);
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> harness(
            JobConfig.CatalogueConfig config, int maxParallelism, int parallelism, int subtask) throws Exception {
        CatalogueEmbedder operator = new CatalogueEmbedder(TinyModel.NETWORK, WEIGHTS, config, TOPIC);
        // chunks take no time by this clock, so the ticks alone pace the re-embedding (a slow chunk
        // on a busy machine must not shift the ticks these tests expect)
        operator.useClock(() -> 0L);
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding>(
                operator, ImageSample::imageId, null, Types.STRING, maxParallelism, parallelism, subtask);
        harnesses.add(h);
        return h;
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> opened(
            JobConfig.CatalogueConfig config) throws Exception {
        var h = harness(config, 128, 1, 0);
        h.open();
        return h;
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> restored(
            JobConfig.CatalogueConfig config, OperatorSubtaskState snapshot, int parallelism, int subtask)
            throws Exception {
        var h = harness(config, 128, parallelism, subtask);
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    private ImageSample send(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h,
            String id,
            Role role)
            throws Exception {
        String label = (role == Role.EVAL ? "Greek/character0" : "Korean/character0") + (id.length() % 3);
        ImageSample s = new ImageSample(id, label, role, TinyModel.randomImage(random), 500L + id.hashCode());
        sent.put(id, s);
        h.processElement1(s, s.eventTime());
        return s;
    }

    private static List<ImageEmbedding> drain(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h) {
        List<ImageEmbedding> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    /** Advances processing time by one tick and returns what was emitted meanwhile. */
    private static List<ImageEmbedding> tick(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h)
            throws Exception {
        h.setProcessingTime(h.getProcessingTime() + TICK);
        return drain(h);
    }

    /** Sets the processing time and returns what was emitted meanwhile. */
    private static List<ImageEmbedding> at(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h, long time)
            throws Exception {
        h.setProcessingTime(time);
        return drain(h);
    }

    private static List<String> ids(List<ImageEmbedding> out) {
        return out.stream().map(ImageEmbedding::imageId).toList();
    }

    private static List<String> storedIds(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h) {
        try (Stream<Object> keys = h.getOperator()
                .getKeyedStateBackend()
                .getKeys(CatalogueEmbedder.ENTRY_STATE.getName(), VoidNamespace.INSTANCE)) {
            return keys.map(Object::toString).sorted().toList();
        }
    }

    private static CatalogueEmbedder operator(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h) {
        return (CatalogueEmbedder) h.getOperator();
    }

    /** Checks an embedding against the oracle embedder loaded with the same model. */
    private void assertEmbedded(ImageEmbedding e, ModelUpdate model) {
        ImageSample sample = sent.get(e.imageId());
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
        }
        float[] combined = EmbeddingCombiner.combine(expected, WEIGHTS)[0];
        assertThat(e.combined()).hasSize(64).containsExactly(combined, within(TOLERANCE));
    }

    @Test
    void theStoredTypesUseFlinkSerializersNotKryo() {
        assertThat(TypeInformation.of(CatalogueEntry.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(ModelUpdate.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void imagesBeforeTheFirstModelAreStoredThenEmbeddedAtTheRateEvaluationFirst() throws Exception {
        var h = opened(catalogue(0, 100));
        send(h, "t1", Role.TRAIN);
        send(h, "e1", Role.EVAL);
        send(h, "t2", Role.TRAIN);
        send(h, "t3", Role.TRAIN);
        send(h, "e2", Role.EVAL);
        assertThat(drain(h)).isEmpty();
        assertThat(tick(h)).as("no model, nothing to embed").isEmpty();
        assertThat(storedIds(h)).containsExactly("e1", "e2", "t1", "t2", "t3");

        h.processElement2(v1, 1);
        assertThat(drain(h)).as("a model update embeds nothing by itself").isEmpty();
        assertThat(operator(h).backlogSize()).isEqualTo(5);

        List<ImageEmbedding> first = tick(h);
        List<ImageEmbedding> second = tick(h);
        List<ImageEmbedding> third = tick(h);
        assertThat(ids(first)).containsExactly("e1", "e2");
        assertThat(ids(second)).containsExactly("t1", "t2");
        assertThat(ids(third)).containsExactly("t3");
        assertThat(tick(h)).isEmpty();
        assertThat(operator(h).backlogSize()).isZero();
        for (ImageEmbedding e :
                Stream.of(first, second, third).flatMap(List::stream).toList()) {
            assertEmbedded(e, v1);
        }
    }

    @Test
    void theTickPeriodMakesTheConfiguredRate() {
        assertThat(catalogue(0, 1).tickMs()).isEqualTo(TICK);
        assertThat(new JobConfig.CatalogueConfig(1000, 64, 0, 1).tickMs()).isEqualTo(64);
        assertThat(new JobConfig.CatalogueConfig(1e6, 1, 0, 1).tickMs())
                .as("at least 1 ms")
                .isEqualTo(1);
    }

    @Test
    void aChunkSlowerThanTheTickDelaysTheNextSoReembeddingTakesAtMostHalfTheThread() throws Exception {
        var h = harness(catalogue(0, 100), 128, 1, 0); // 2 images every 100 ms
        long[] nanos = {0};
        operator(h).useClock(() -> nanos[0] += 75_000_000L); // read before and after: a chunk takes 75 ms
        h.open();
        for (int i = 0; i < 8; i++) {
            send(h, "t" + i, Role.TRAIN);
        }
        h.processElement2(v1, 1);

        assertThat(at(h, 99)).isEmpty();
        assertThat(at(h, 100)).hasSize(2); // 75 ms: the next at max(100 + 100, 100 + 75) = 200
        assertThat(at(h, 199)).isEmpty();
        assertThat(at(h, 200)).hasSize(2);
        nanos[0] = 0;
        operator(h).useClock(() -> nanos[0] += 130_000_000L); // now 130 ms a chunk
        assertThat(at(h, 300)).hasSize(2); // next at max(400, 300 + 130) = 430, not 400
        assertThat(at(h, 429)).as("the thread's other half goes to new images").isEmpty();
        assertThat(at(h, 430)).hasSize(2);
        assertThat(operator(h).backlogSize()).isZero();
        assertThat(CatalogueEmbedder.MAX_REEMBED_SHARE).isEqualTo(0.5);
    }

    @Test
    void aNewImageIsEmbeddedAtOnceWithTheNewestModelAndOlderVersionsAreIgnored() throws Exception {
        var h = opened(catalogue(0, 100));
        h.processElement2(v2, 1);
        h.processElement2(v1, 2); // older: ignored
        ImageSample d = send(h, "d", Role.EVAL);
        List<ImageEmbedding> out = drain(h);
        assertThat(out).hasSize(1);
        assertEmbedded(out.get(0), v2);

        h.processElement2(v2, 3); // the same again: no backlog
        assertThat(operator(h).backlogSize()).isZero();
        assertThat(tick(h)).isEmpty();

        // a redelivered id replaces the stored image and is embedded again at once
        ImageSample again = send(h, "d", Role.EVAL);
        assertThat(again.pixels()).isNotEqualTo(d.pixels());
        List<ImageEmbedding> replaced = drain(h);
        assertThat(replaced).hasSize(1);
        assertEmbedded(replaced.get(0), v2);
        assertThat(storedIds(h)).containsExactly("d");
    }

    @Test
    void aNewerVersionMidBacklogRestartsItAndEveryImageEndsAtTheNewestOnce() throws Exception {
        var h = opened(catalogue(0, 100));
        h.processElement2(v1, 1);
        for (String id : List.of("t1", "t2", "t3", "t4")) {
            send(h, id, Role.TRAIN);
        }
        send(h, "e1", Role.EVAL);
        send(h, "e2", Role.EVAL);
        assertThat(drain(h)).hasSize(6).extracting(ImageEmbedding::modelVersion).containsOnly(1L);

        h.processElement2(v2, 2);
        List<ImageEmbedding> atV2 = tick(h);
        assertThat(ids(atV2)).containsExactly("e1", "e2");
        assertThat(atV2).extracting(ImageEmbedding::modelVersion).containsOnly(2L);

        h.processElement2(v3, 3);
        assertThat(operator(h).backlogSize())
                .as("every stored image is behind v3")
                .isEqualTo(6);
        List<ImageEmbedding> atV3 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            atV3.addAll(tick(h));
        }
        assertThat(ids(atV3)).containsExactly("e1", "e2", "t1", "t2", "t3", "t4");
        for (ImageEmbedding e : atV3) {
            assertEmbedded(e, v3);
        }
        // a new image during the backlog is embedded at once and not again
        h.processElement2(update(new ModelSnapshot(4, v3.step(), v3.parameters(), v3.parameterCount()), 30, 4_000L), 4);
        send(h, "late", Role.TRAIN);
        assertThat(ids(drain(h))).containsExactly("late");
        List<String> atV4 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            atV4.addAll(ids(tick(h)));
        }
        assertThat(atV4).containsExactly("e1", "e2", "t1", "t2", "t3", "t4");
    }

    @Test
    void aRestoreMidBacklogReembedsTheRestExactlyOnce() throws Exception {
        var h = opened(catalogue(0, 100));
        h.processElement2(v1, 1);
        for (String id : List.of("t1", "e1", "t2", "t3", "t4")) {
            send(h, id, id.startsWith("e") ? Role.EVAL : Role.TRAIN);
        }
        drain(h);
        h.processElement2(v2, 2);
        assertThat(ids(tick(h))).containsExactly("e1", "t1");
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
        assertThat(ids(tick(h))).as("the original goes on after the snapshot").containsExactly("t2", "t3");

        var r = restored(catalogue(0, 100), snapshot, 1, 0);
        assertThat(operator(r).catalogueSize()).isEqualTo(5);
        assertThat(operator(r).backlogSize()).isEqualTo(3);
        List<ImageEmbedding> rest = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rest.addAll(tick(r));
        }
        assertThat(ids(rest)).containsExactly("t2", "t3", "t4");
        for (ImageEmbedding e : rest) {
            assertEmbedded(e, v2);
        }
        ImageSample c = send(r, "c", Role.TRAIN);
        List<ImageEmbedding> out = drain(r);
        assertThat(out).hasSize(1);
        assertEmbedded(out.get(0), v2); // the model came back from broadcast state
        assertThat(c.imageId()).isEqualTo("c");
    }

    @Test
    void aReembeddingLeavesTheStoredImageUntouchedAndExpiryClearsItsVersion() throws Exception {
        var h = opened(catalogue(1_000, 100));
        send(h, "a", Role.TRAIN);
        send(h, "e", Role.EVAL);
        CatalogueEntry storedA = stored(h, "a");
        h.processElement2(v1, 1);
        assertThat(ids(tick(h))).containsExactly("e", "a");
        assertThat(stored(h, "a")).as("the entry is not rewritten").isEqualTo(storedA);
        assertThat(stored(h, "a").embeddedVersion()).isEqualTo(CatalogueEntry.NOT_EMBEDDED);
        assertThat(reembeddedVersion(h, "a")).isEqualTo(v1.version());
        send(h, "b", Role.TRAIN); // arrives after v1: embedded at once, no re-embedded version
        drain(h);
        assertThat(stored(h, "b").embeddedVersion()).isEqualTo(v1.version());
        assertThat(reembeddedVersion(h, "b")).isNull();

        h.setProcessingTime(5_000);
        assertThat(storedIds(h)).containsExactly("e");
        assertThat(reembeddedVersion(h, "a")).as("cleared with the entry").isNull();
        assertThat(reembeddedVersion(h, "e")).isEqualTo(v1.version());
    }

    private static CatalogueEntry stored(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h, String id)
            throws Exception {
        return keyed(h, id, CatalogueEmbedder.ENTRY_STATE);
    }

    private static Long reembeddedVersion(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h, String id)
            throws Exception {
        return keyed(h, id, CatalogueEmbedder.REEMBEDDED_VERSION_STATE);
    }

    /** One image's value of the embedder's keyed state. */
    private static <T> T keyed(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h,
            String id,
            org.apache.flink.api.common.state.ValueStateDescriptor<T> state)
            throws Exception {
        operator(h).setCurrentKey(id);
        return operator(h).getKeyedStateStore().getState(state).value();
    }

    @Test
    void aRescaledRestoreSplitsTheCatalogueAndGivesEverySubtaskTheModel() throws Exception {
        var h = opened(catalogue(0, 100));
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = "img-" + i;
            all.add(id);
            send(h, id, i % 4 == 0 ? Role.EVAL : Role.TRAIN);
        }
        h.processElement2(v1, 1);
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);

        List<String> reembedded = new ArrayList<>();
        int stored = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, 128, 1, 2, subtask);
            var r = restored(catalogue(0, 100), part, 2, subtask);
            stored += operator(r).catalogueSize();
            assertThat(operator(r).catalogueSize()).isBetween(1, 11);
            for (int i = 0; i < 10; i++) {
                for (ImageEmbedding e : tick(r)) {
                    assertEmbedded(e, v1);
                    reembedded.add(e.imageId());
                }
            }
        }
        assertThat(stored).isEqualTo(12);
        assertThat(reembedded).containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void aTrainingImageNotReceivedForTheTtlIsDroppedAndEvaluationImagesStay() throws Exception {
        var h = opened(catalogue(1_000, 100));
        h.processElement2(v1, 1);
        send(h, "a", Role.TRAIN); // t = 0
        send(h, "e", Role.EVAL);
        h.setProcessingTime(600);
        send(h, "b", Role.TRAIN); // t = 600
        h.setProcessingTime(800);
        send(h, "a", Role.TRAIN); // received again at 800: its TTL starts over
        send(h, "c", Role.TRAIN); // t = 800
        drain(h);

        h.setProcessingTime(1_500);
        assertThat(storedIds(h)).containsExactly("a", "b", "c", "e");
        h.setProcessingTime(1_600);
        assertThat(storedIds(h)).as("b expired at 600 + 1000").containsExactly("a", "c", "e");
        h.setProcessingTime(1_800);
        assertThat(storedIds(h)).containsExactly("e");
        h.setProcessingTime(100_000);
        assertThat(storedIds(h)).as("evaluation images never expire").containsExactly("e");
        assertThat(operator(h).catalogueSize()).isEqualTo(1);

        h.processElement2(v2, 2);
        List<ImageEmbedding> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.addAll(tick(h));
        }
        assertThat(ids(out)).as("expired images are no longer re-embedded").containsExactly("e");
    }

    @Test
    void aFullCatalogueSendsNewImagesToTheDeadLettersUntilOneExpires() throws Exception {
        // one re-embedding tick every 2 s: the first tick comes after the arrivals below
        var h = harness(new JobConfig.CatalogueConfig(0.5, 1, 1_000, 3), 128, 1, 0);
        MetricsCapture metrics = MetricsCapture.attach(h);
        h.open();
        h.processElement2(v1, 1);
        send(h, "a", Role.TRAIN);
        send(h, "b", Role.EVAL);
        h.setProcessingTime(500);
        send(h, "c", Role.TRAIN);
        send(h, "d", Role.TRAIN); // full
        send(h, "b", Role.EVAL); // a stored id is always accepted
        assertThat(ids(drain(h))).containsExactly("a", "b", "c", "b");
        assertThat(storedIds(h)).containsExactly("a", "b", "c");

        List<DeadLetterEvent> dead = deadLetters(h);
        assertThat(dead).hasSize(1);
        DeadLetterEvent d = dead.get(0);
        assertThat(d.reason()).isEqualTo(DeadLetterReason.CATALOGUE_FULL.name());
        assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo("d");
        assertThat(d.value()).isNull();
        assertThat(d.topic()).isEqualTo(TOPIC);
        assertThat(d.stage()).isEqualTo(CatalogueEmbedder.STAGE);
        assertThat(d.message()).contains("image d", "maximum of 3", "--embedding.max-images-per-subtask");
        assertThat(metrics.count("deadLetters.CATALOGUE_FULL")).isEqualTo(1);
        assertThat(metrics.count("numCatalogueRejected")).isEqualTo(1);

        // between ticks, an arrival at a full catalogue first drops what has expired
        h.setProcessingTime(1_050);
        send(h, "d", Role.TRAIN);
        assertThat(ids(drain(h))).containsExactly("d");
        assertThat(storedIds(h)).containsExactly("b", "c", "d");
        assertThat(deadLetters(h)).hasSize(1);
    }

    /**
     * Issue 13, defect 7: an image id re-sent with another label moved between training and evaluation
     * (the held-out set grew with pixels already trained on). The first label stays: an event with another
     * label, of either role, is a LABEL_CHANGED dead letter and changes nothing; the same label again is a
     * redelivery. The rule outlives the catalogue entry (expiry) and a restore.
     */
    @Test
    void anImageIdKeepsItsFirstLabelAndAnotherLabelIsADeadLetter() throws Exception {
        var h = harness(catalogue(1_000, 100), 128, 1, 0);
        MetricsCapture metrics = MetricsCapture.attach(h);
        h.open();
        h.processElement2(v1, 1);
        ImageSample first = new ImageSample("img", "Korean/character01", Role.TRAIN, TinyModel.randomImage(random), 5);
        h.processElement1(first, 5);
        h.processElement1(new ImageSample("img", "Greek/character01", Role.EVAL, TinyModel.randomImage(random), 6), 6);
        h.processElement1(
                new ImageSample("img", "Korean/character02", Role.TRAIN, TinyModel.randomImage(random), 7), 7);
        h.processElement1(new ImageSample("img", "Korean/character01", Role.TRAIN, first.pixels(), 8), 8);
        List<ImageEmbedding> out = drain(h);
        assertThat(out).extracting(ImageEmbedding::imageId).containsExactly("img", "img");
        assertThat(out).extracting(ImageEmbedding::label).containsOnly("Korean/character01");
        assertThat(operator(h).oldestStaleEmbeddingAgeMs()).isZero();
        assertThat(deadLetters(h))
                .extracting(DeadLetterEvent::reason)
                .containsOnly("LABEL_CHANGED")
                .hasSize(2);
        assertThat(deadLetters(h).get(0).message())
                .isEqualTo("image img arrived with the label Greek/character01,"
                        + " but it arrived first with the label Korean/character01: the first label stays (a new label needs"
                        + " a new image id)");
        assertThat(new String(deadLetters(h).get(0).key(), StandardCharsets.UTF_8))
                .isEqualTo("img");
        assertThat(metrics.count("deadLetters.LABEL_CHANGED")).isEqualTo(2);

        // the training image expires from the catalogue; its first label is still remembered
        h.setProcessingTime(5_000);
        assertThat(storedIds(h)).isEmpty();
        h.processElement1(new ImageSample("img", "Greek/character01", Role.EVAL, TinyModel.randomImage(random), 9), 9);
        assertThat(drain(h)).isEmpty();
        assertThat(deadLetters(h)).hasSize(3);
        assertThat(deadLetters(h).get(2).message()).contains("it arrived first with another label");

        var restored = restored(catalogue(1_000, 100), h.snapshot(1, 5_001), 1, 0);
        restored.processElement1(
                new ImageSample("img", "Latin/character01", Role.EVAL, TinyModel.randomImage(random), 10), 10);
        restored.processElement1(new ImageSample("img", "Korean/character01", Role.TRAIN, first.pixels(), 11), 11);
        assertThat(drain(restored)).extracting(ImageEmbedding::label).containsExactly("Korean/character01");
        assertThat(deadLetters(restored)).extracting(DeadLetterEvent::reason).containsExactly("LABEL_CHANGED");
    }

    private static List<DeadLetterEvent> deadLetters(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h) {
        var queue = h.getSideOutput(CatalogueEmbedder.DEAD_LETTERS);
        return queue == null
                ? List.of()
                : queue.stream().map(StreamRecord::getValue).toList();
    }

    /** Sends a training image whose event happened {@code ageMs} of wall-clock time ago. */
    private ImageSample sendAged(
            KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> h,
            String id,
            long ageMs)
            throws Exception {
        ImageSample s = new ImageSample(
                id,
                "Korean/character01",
                Role.TRAIN,
                TinyModel.randomImage(random),
                System.currentTimeMillis() - ageMs);
        sent.put(id, s);
        h.processElement1(s, s.eventTime());
        return s;
    }

    @Test
    void theFreshnessGaugeIsTheTimeSinceTheStalestEmbeddingWasOvertaken() throws Exception {
        var h = harness(catalogue(0, 100), 128, 1, 0); // a chunk of 2 every 100 ms
        MetricsCapture metrics = MetricsCapture.attach(h);
        h.open();
        h.setProcessingTime(1_000); // the next tick is at 1,100
        long wallStart = System.currentTimeMillis();
        for (String id : List.of("t1", "t2", "t3")) {
            sendAged(h, id, 5_000);
        }
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs"))
                .as("no model: nothing is stale")
                .isZero();

        h.processElement2(v1, 1); // arrives at 1,000: the stored images are stale from now on
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isZero();
        h.setProcessingTime(1_050);
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isEqualTo(50);
        assertThat(ids(at(h, 1_100))).containsExactly("t1", "t2");
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs"))
                .as("t3 is still behind")
                .isEqualTo(100);
        assertThat(ids(at(h, 1_200))).containsExactly("t3");
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isZero();

        // each image's first embedding, stored before the model or not, is timed from its event
        sendAged(h, "n1", 2_000); // embedded at once with v1
        assertThat(ids(drain(h))).containsExactly("n1");
        var latency = metrics.histogram("eventToEmbeddingLatencyMs");
        long wallElapsed = System.currentTimeMillis() - wallStart;
        assertThat(latency.getCount()).isEqualTo(4);
        assertThat(latency.getStatistics().getMin()).isBetween(2_000L, 2_000L + wallElapsed);
        assertThat(latency.getStatistics().getMax()).isBetween(5_000L, 5_000L + wallElapsed);

        // v2 arrives at 1,250 and v3 at 1,280: the images on v1 have been stale since v2
        h.setProcessingTime(1_250);
        h.processElement2(v2, 2);
        h.setProcessingTime(1_280);
        h.processElement2(v3, 3);
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isEqualTo(30);
        assertThat(ids(at(h, 1_300))).containsExactly("t1", "t2");
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isEqualTo(50);
        assertThat(ids(at(h, 1_400))).containsExactly("t3", "n1"); // all on v3
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isZero();
        assertThat(latency.getCount())
                .as("re-embeddings are not first embeddings")
                .isEqualTo(4);

        // v4 at 1,450 overtakes v3; one chunk later v5 at 1,520: the rest, on v3, counts from v4
        ModelUpdate v4 = update(new ModelSnapshot(4, v3.step(), v3.parameters(), v3.parameterCount()), 30, 4_000L);
        ModelUpdate v5 = update(new ModelSnapshot(5, v3.step(), v3.parameters(), v3.parameterCount()), 30, 5_000L);
        h.setProcessingTime(1_450);
        h.processElement2(v4, 4);
        assertThat(ids(at(h, 1_500))).containsExactly("t1", "t2"); // on v4
        h.setProcessingTime(1_520);
        h.processElement2(v5, 5);
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isEqualTo(70);
        assertThat(ids(at(h, 1_600))).containsExactly("t1", "t2"); // on v5; t3 and n1 still on v3
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isEqualTo(150);
        assertThat(ids(at(h, 1_700))).containsExactly("t3", "n1");
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isZero();
        h.setProcessingTime(5_000);
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs"))
                .as("fresh stays fresh")
                .isZero();
    }

    @Test
    void aStaleImageThatExpiresIsNoLongerStale() throws Exception {
        var h = harness(new JobConfig.CatalogueConfig(1, 1, 700, 100), 128, 1, 0); // one image a second
        MetricsCapture metrics = MetricsCapture.attach(h);
        h.open(); // the first tick is at 1,000
        h.processElement2(v1, 1);
        send(h, "old", Role.TRAIN);
        h.setProcessingTime(400);
        h.processElement2(v2, 2);
        send(h, "new", Role.TRAIN);
        assertThat(ids(drain(h))).containsExactly("old", "new");
        h.setProcessingTime(900);
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isEqualTo(500);
        // the tick drops "old" (not received for the TTL) before it is re-embedded
        assertThat(at(h, 1_000)).isEmpty();
        assertThat(storedIds(h)).containsExactly("new");
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isZero();
    }

    @Test
    void afterARestoreStalenessCountsFromTheNewestVersionsCreation() throws Exception {
        var h = opened(catalogue(0, 100));
        h.processElement2(v1, 1);
        for (String id : List.of("t1", "t2", "t3")) {
            send(h, id, Role.TRAIN);
        }
        h.processElement2(v2, 2);
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);

        var r = harness(catalogue(0, 100), 128, 1, 0);
        MetricsCapture metrics = MetricsCapture.attach(r);
        r.setProcessingTime(5_000);
        r.initializeState(snapshot);
        r.open();
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs"))
                .as("v2 was created at %d", v2.createdAt())
                .isEqualTo(5_000 - v2.createdAt());
        r.setProcessingTime(5_050);
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isEqualTo(5_050 - v2.createdAt());
        for (int i = 0; i < 3; i++) {
            tick(r);
        }
        assertThat(operator(r).backlogSize()).isZero();
        assertThat(metrics.number("oldestStaleEmbeddingAgeMs")).isZero();
    }

    @Test
    void theIndexCountsImagesPerVersionForTheLagGauge() {
        CatalogueIndex index = new CatalogueIndex();
        index.put("a", false, 0, CatalogueEntry.NOT_EMBEDDED);
        index.put("b", true, 1, 3);
        index.put("c", false, 2, 5);
        assertThat(index.versionLag(5)).isEqualTo(6);
        assertThat(index.oldestVersion()).isEqualTo(CatalogueEntry.NOT_EMBEDDED);
        index.embedded("a", 5);
        assertThat(index.oldestVersion()).isEqualTo(3);
        assertThat(index.versionLag(5)).isEqualTo(2);
        index.restartBacklog(5);
        assertThat(index.pollStale(10)).containsExactly("b");
        index.embedded("b", 5);
        assertThat(index.versionLag(5)).isZero();
        Map<Long, Integer> expected = new LinkedHashMap<>();
        expected.put(5L, 3);
        assertThat(index.imagesPerVersion()).isEqualTo(expected);
        assertThat(index.expire(1, 10)).as("only training images expire").containsExactly("a");
        assertThat(index.size()).isEqualTo(2);
        index.remove("b");
        index.remove("c");
        assertThat(index.oldestVersion()).as("empty").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anImageNeverEmbeddedDoesNotExpireBeforeItIsEmbeddedOnce() throws Exception {
        var h = opened(catalogue(1_000, 100));
        send(h, "a", Role.TRAIN); // t = 0, no model yet
        send(h, "b", Role.TRAIN);
        h.setProcessingTime(5_000);
        assertThat(storedIds(h)).as("not embedded yet: kept past the TTL").containsExactly("a", "b");

        h.processElement2(v1, 1);
        assertThat(ids(tick(h))).containsExactly("a", "b");
        assertThat(storedIds(h))
                .as("embedded at 5,100; expired at the next tick")
                .containsExactly("a", "b");
        tick(h);
        assertThat(storedIds(h)).isEmpty();
    }
}
