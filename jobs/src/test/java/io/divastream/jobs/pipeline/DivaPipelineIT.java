package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.artefacts.ExportedModel;
import io.divastream.artefacts.ModelExport;
import io.divastream.artefacts.ModelManifest;
import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.evaluation.MapAtR;
import io.divastream.evaluation.RecallAtK;
import io.divastream.images.ImageDecoder;
import io.divastream.images.ImageSpec;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.testing.CorruptEvents;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.embed.Embedder;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.ViewAugmenter;
import io.divastream.producer.LabeledImage;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.schemas.RetrievalMetrics;
import io.divastream.schemas.Split;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline against a real Kafka broker (in-process KRaft) and a Flink MiniCluster: a few
 * hundred real Omniglot image events plus corrupt ones go in; the embeddings, metrics, model-version
 * and dead-letter topics are read back with read_committed consumers and checked.
 */
class DivaPipelineIT {

    private static final int TRAIN_CLASSES = 24;
    private static final int EVAL_CLASSES = 10;
    private static final int IMAGES_PER_CLASS = 10;
    private static final long TARGET_VERSION = 10;

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineFixture.miniCluster();

    @TempDir
    Path checkpoints;

    @TempDir
    Path exports;

    @Test
    void imageEventsBecomeEmbeddingsMetricsAndDeadLetters() throws Exception {
        JobConfig config = JobOptions.parse(new String[] {
            "--kafka.bootstrap-servers", KAFKA.bootstrapServers(),
            "--batch.classes", "8",
            "--batch.images-per-class", "4",
            "--batch.buffer-per-class", "10",
            "--batch.new-images", "16",
            "--train.steps-per-version", "25",
            "--train.queue-size", "128",
            "--checkpoint.interval-ms", "1500",
            "--checkpoint.dir", checkpoints.toUri().toString(),
            "--export.dir", exports.toString(),
            "--export.keep", "1000"
        });
        List<LabeledImage> images = OmniglotSample.of(TRAIN_CLASSES, EVAL_CLASSES, IMAGES_PER_CLASS);
        Set<String> evalIds = images.stream()
                .filter(i -> OmniglotSample.isEval(i.label()))
                .map(LabeledImage::imageId)
                .collect(Collectors.toSet());
        assertThat(evalIds).hasSize(EVAL_CLASSES * IMAGES_PER_CLASS);
        TopicAdmin.ensureTopics(KAFKA.settings(), TopicAdmin.defaultTopics());
        CorruptEvents.publish(KAFKA, config.kafka().imagesTopic());
        PipelineFixture.publish(KAFKA, config, images, 7);

        JobClient job = PipelineFixture.start(config, "diva-pipeline-it");
        List<MetricsRecord> metrics;
        try {
            metrics = awaitMetrics(
                    config, m -> m.getModelVersion() >= TARGET_VERSION && m.getEvalImages() == evalIds.size());
        } finally {
            job.cancel().get();
        }

        CorruptEvents.assertDeadLettered(
                KAFKA, config.kafka().imagesTopic(), config.kafka().deadLettersTopic());
        checkModelVersions(config);
        checkEmbeddings(config, images, evalIds);
        checkArtefacts(config, images);
        checkMetrics(metrics, evalIds.size(), untrainedScores(config, images, evalIds));
    }

    /** Combined Recall@1 and MAP@R of the untrained model (the trainer's initial parameters, same seed). */
    private static double[] untrainedScores(JobConfig config, List<LabeledImage> images, Set<String> evalIds) {
        ImageDecoder decoder = new ImageDecoder(new ImageSpec(28, true));
        List<float[]> pixels = new ArrayList<>();
        Map<String, Integer> classes = new HashMap<>();
        List<Integer> labels = new ArrayList<>();
        for (LabeledImage image : images) {
            if (evalIds.contains(image.imageId())) {
                pixels.add(decoder.decode(image.bytes()));
                labels.add(classes.computeIfAbsent(image.label(), l -> classes.size()));
            }
        }
        try (DivaTrainer trainer = new DivaTrainer(config.training().model(), ViewAugmenter.IDENTITY);
                Embedder embedder = new Embedder(config.training().model().network())) {
            embedder.load(trainer.snapshot(0));
            float[][] combined = EmbeddingCombiner.combine(
                    embedder.embed(pixels.toArray(new float[0][])),
                    config.embedding().headWeights());
            int[] classOf = labels.stream().mapToInt(Integer::intValue).toArray();
            return new double[] {
                new RecallAtK().compute(combined, classOf)[0],
                new MapAtR().compute(combined, classOf).mapAtR()
            };
        }
    }

    private static List<MetricsRecord> awaitMetrics(JobConfig config, Predicate<MetricsRecord> done)
            throws InterruptedException {
        AvroCodec<MetricsRecord> codec = AvroCodec.of(MetricsRecord.class);
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        while (System.nanoTime() < deadline) {
            List<MetricsRecord> records = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    KAFKA.readAll(config.kafka().metricsTopic(), 0, Duration.ofSeconds(2))) {
                records.add(codec.decode(r.value()));
            }
            if (records.stream().anyMatch(done)) {
                return records;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no metrics record reached version " + TARGET_VERSION + " in time");
    }

    private static void checkModelVersions(JobConfig config) {
        AvroCodec<ModelVersionRecord> codec = AvroCodec.of(ModelVersionRecord.class);
        List<ModelVersionRecord> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().modelVersionsTopic(), (int) TARGET_VERSION + 1, Duration.ofSeconds(30))) {
            ModelVersionRecord v = codec.decode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(v.getModelVersion()));
            versions.add(v);
        }
        for (int i = 0; i < versions.size(); i++) {
            ModelVersionRecord v = versions.get(i);
            assertThat(v.getModelVersion())
                    .as("versions are consecutive from 0")
                    .isEqualTo(i);
            assertThat(v.getTrainingStep()).isEqualTo(25L * i);
            assertThat(v.getHeads()).containsExactly("discriminative", "selfsim", "shared", "intra");
            assertThat(v.getParameterSha256()).hasSize(64);
            if (i > 0) {
                assertThat(v.getLosses())
                        .containsKeys("total", "discriminative", "selfsim", "shared", "intra", "decorrelation");
                assertThat(v.getTrainClasses()).isEqualTo(TRAIN_CLASSES);
            }
        }
        assertThat(versions.get(versions.size() - 1).getImagesSeen())
                .isEqualTo((long) TRAIN_CLASSES * IMAGES_PER_CLASS);
    }

    private static void checkEmbeddings(JobConfig config, List<LabeledImage> images, Set<String> evalIds) {
        AvroCodec<EmbeddingRecord> codec = AvroCodec.of(EmbeddingRecord.class);
        Map<String, EmbeddingRecord> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().embeddingsTopic(), images.size(), Duration.ofSeconds(30))) {
            EmbeddingRecord e = codec.decode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.getImageId());
            EmbeddingRecord previous = latest.put(e.getImageId(), e);
            if (previous != null) {
                assertThat(e.getModelVersion())
                        .as("versions never go back per image")
                        .isGreaterThanOrEqualTo(previous.getModelVersion());
            }
        }
        Set<String> expected =
                images.stream().map(LabeledImage::imageId).collect(Collectors.toCollection(TreeSet::new));
        assertThat(new TreeSet<>(latest.keySet())).isEqualTo(expected);
        for (EmbeddingRecord e : latest.values()) {
            assertThat(e.getSplit()).isEqualTo(evalIds.contains(e.getImageId()) ? Split.EVAL : Split.TRAIN);
            assertThat(e.getCombined()).hasSize(4 * 128);
            assertThat(e.getHeads()).containsOnlyKeys("discriminative", "selfsim", "shared", "intra");
            assertThat(norm(e.getCombined())).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
            for (List<Float> head : e.getHeads().values()) {
                assertThat(head).hasSize(128);
                assertThat(norm(head)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
            }
            assertThat(e.getModelVersion()).isBetween(0L, 1000L);
        }
        assertThat(latest.values().stream()
                        .mapToLong(EmbeddingRecord::getModelVersion)
                        .max()
                        .orElse(-1))
                .isGreaterThanOrEqualTo(TARGET_VERSION);
    }

    /**
     * Every committed version has its artefact (same version and parameter SHA-256), and an artefact's model
     * embeds an image as the job did with that version (within 1e-5: the job embeds in chunks whose size
     * depends on timing, and libtorch rounds differently per batch size).
     */
    private void checkArtefacts(JobConfig config, List<LabeledImage> images) throws Exception {
        AvroCodec<ModelVersionRecord> versionCodec = AvroCodec.of(ModelVersionRecord.class);
        Map<Long, Path> artefacts = new HashMap<>();
        Map<Long, String> shas = new HashMap<>();
        ArtefactStore store = new ArtefactStore(exports);
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().modelVersionsTopic(), (int) TARGET_VERSION + 1, Duration.ofSeconds(30))) {
            ModelVersionRecord v = versionCodec.decode(r.value());
            Path dir = store.find(v.getModelVersion(), v.getParameterSha256())
                    .orElseThrow(() -> new AssertionError(
                            "no artefact of committed version " + v.getModelVersion() + " in " + exports));
            ModelManifest m =
                    ModelManifest.fromJson(Files.readString(dir.resolve(ModelExport.MANIFEST)), dir.toString());
            assertThat(m.modelVersion()).isEqualTo(v.getModelVersion());
            assertThat(m.parameterSha256()).isEqualTo(v.getParameterSha256());
            assertThat(m.trainingStep()).isEqualTo(v.getTrainingStep());
            assertThat(v.getManifestSha256())
                    .isEqualTo(ModelSnapshot.sha256(Files.readAllBytes(dir.resolve(ModelExport.MANIFEST))));
            artefacts.put(v.getModelVersion(), dir);
            shas.put(v.getModelVersion(), v.getParameterSha256());
        }
        Map<String, byte[]> bytes = new HashMap<>();
        for (LabeledImage image : images) {
            bytes.put(image.imageId(), image.bytes());
        }
        AvroCodec<EmbeddingRecord> codec = AvroCodec.of(EmbeddingRecord.class);
        Map<Long, List<EmbeddingRecord>> byVersion = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().embeddingsTopic(), images.size(), Duration.ofSeconds(30))) {
            EmbeddingRecord e = codec.decode(r.value());
            List<EmbeddingRecord> list = byVersion.computeIfAbsent(e.getModelVersion(), v -> new ArrayList<>());
            if (list.size() < 5) {
                list.add(e);
            }
        }
        int compared = 0;
        for (Map.Entry<Long, List<EmbeddingRecord>> entry : byVersion.entrySet()) {
            Path dir = artefacts.get(entry.getKey());
            if (dir == null) {
                // the cancelled job committed this version's embeddings but not (yet) its record
                continue;
            }
            try (ExportedModel model = ExportedModel.load(dir, shas.get(entry.getKey()))) {
                for (EmbeddingRecord e : entry.getValue()) {
                    ExportedModel.Embedding mine =
                            model.embed(bytes.get(e.getImageId().toString()));
                    assertThat(mine.combined())
                            .containsExactly(floats(e.getCombined()), org.assertj.core.data.Offset.offset(1e-5f));
                    List<String> heads = List.of("discriminative", "selfsim", "shared", "intra");
                    for (int h = 0; h < heads.size(); h++) {
                        assertThat(mine.heads()[h])
                                .containsExactly(
                                        floats(e.getHeads().get(heads.get(h))),
                                        org.assertj.core.data.Offset.offset(1e-5f));
                    }
                    compared++;
                }
            }
        }
        assertThat(compared).isPositive();
        System.out.printf(
                "%d committed versions exported; %d published embeddings of %d versions reproduced from the artefacts%n",
                artefacts.size(), compared, byVersion.size());
    }

    private static float[] floats(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    private static void checkMetrics(List<MetricsRecord> metrics, int evalImages, double[] untrainedScores) {
        MetricsRecord untrained = metrics.stream()
                .filter(m -> m.getModelVersion() == 0)
                .findFirst()
                .orElse(null);
        MetricsRecord last = metrics.get(metrics.size() - 1);
        for (MetricsRecord m : metrics) {
            assertThat(m.getMetrics()).containsOnlyKeys("combined", "discriminative", "selfsim", "shared", "intra");
            for (RetrievalMetrics r : m.getMetrics().values()) {
                for (double value : new double[] {
                    r.getRecallAt1(), r.getRecallAt2(), r.getRecallAt4(), r.getRecallAt8(), r.getNmi(), r.getMapAtR()
                }) {
                    assertThat(value).isBetween(0.0, 1.0);
                }
                assertThat(r.getRecallAt1()).isLessThanOrEqualTo(r.getRecallAt2());
                assertThat(r.getRecallAt2()).isLessThanOrEqualTo(r.getRecallAt4());
                assertThat(r.getRecallAt4()).isLessThanOrEqualTo(r.getRecallAt8());
            }
        }
        assertThat(last.getEvalImages()).isEqualTo(evalImages);
        assertThat(last.getEvalClasses()).isEqualTo(EVAL_CLASSES);
        assertThat(last.getModelVersion()).isGreaterThanOrEqualTo(TARGET_VERSION);
        assertThat(untrained).as("version 0 (the untrained model) is scored").isNotNull();
        RetrievalMetrics trained = last.getMetrics().get("combined");
        System.out.printf(
                "combined scores on %d eval images: untrained R@1 %.4f MAP@R %.4f, version %d R@1 %.4f MAP@R %.4f%n",
                evalImages,
                untrainedScores[0],
                untrainedScores[1],
                last.getModelVersion(),
                trained.getRecallAt1(),
                trained.getMapAtR());
        // Recall@1 on 100 queries moves by whole points with the stream's timing (0.63 to 0.80 over seven runs
        // against 0.60 untrained); MAP@R ranks every same-class image and varies less (0.287 to 0.366 over
        // four runs against 0.244), so it carries the margin, half the smallest gain observed
        assertThat(trained.getMapAtR())
                .as("the trained model ranks the held-out classes better than the untrained one")
                .isGreaterThan(untrainedScores[1] + 0.02);
        assertThat(trained.getRecallAt1())
                .as("and is not worse at Recall@1")
                .isGreaterThanOrEqualTo(untrainedScores[0]);
    }

    private static double norm(List<Float> v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
