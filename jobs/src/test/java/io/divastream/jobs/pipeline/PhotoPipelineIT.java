package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.artefacts.ExportedModel;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.images.HostileImages;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.jobs.testing.TestPhotos;
import io.divastream.model.DjlRuntime;
import io.divastream.model.net.backbone.SharedFiles;
import io.divastream.producer.LabeledImage;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The photo path end to end (docs/photos.md): JPEG photos through the real broker and a MiniCluster with the
 * {@code photo-mobilenetv2} preset, the frozen MobileNetV2 computing features in the decoders, DiVA's heads trained
 * on the stored features, every photo embedded from its evaluation view, the held-out ones scored, and a
 * decompression bomb a dead letter.
 */
class PhotoPipelineIT {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineFixture.miniCluster();

    @TempDir
    Path checkpoints;

    @TempDir
    Path artefacts;

    @Test
    void photosAreTrainedOnAsFrozenFeaturesEmbeddedAndScored() throws Exception {
        run("photo-it", SamplePayload.STORED_FEATURES, List.of());
    }

    /** The finetune mode at the small scale a CPU allows: MobileNetV2 at 64 pixels trains whole on the photos. */
    @Test
    void photosTrainTheWholeNetworkInTheFinetuneMode() throws Exception {
        run(
                "photo-finetune-it",
                SamplePayload.ENCODED_PHOTO,
                List.of(
                        "--train.mode", "finetune",
                        "--model.backbone-input-size", "64",
                        "--model.backbone-resize", "72",
                        "--train.intra-op-threads", "1"));
    }

    private void run(String run, SamplePayload payload, List<String> mode) throws Exception {
        List<String> args = new ArrayList<>(PipelineFixture.runArgs(KAFKA, run));
        args.addAll(List.of(
                "--model.preset", "photo-mobilenetv2",
                "--model.backbone-file", SharedFiles.mobileNetV2().toString(),
                "--model.embedding-dim", "16",
                "--route.eval-labels", "^held-out/",
                "--train.feature-views", "2",
                "--train.queue-size", "24",
                "--train.steps-per-version", "2",
                "--batch.classes", "3",
                "--batch.images-per-class", "2",
                "--batch.buffer-per-class", "4",
                "--batch.new-images", "2",
                "--batch.replay-interval-ms", "50",
                "--metrics.min-eval-images", "4",
                "--checkpoint.interval-ms", "1000",
                "--checkpoint.dir", checkpoints.toUri().toString(),
                "--export.dir", artefacts.toString(),
                "--export.keep", "1000"));
        args.addAll(mode);
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));
        assertThat(config.training().payload()).isEqualTo(payload);
        PipelineFixture.createTopics(KAFKA, config);
        Random random = new Random(4);
        List<LabeledImage> images = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            for (int klass = 0; klass < 5; klass++) {
                String label = klass < 3 ? "birds/" + klass : "held-out/" + klass;
                images.add(
                        new LabeledImage(label + "/" + i, label, "image/jpeg", TestPhotos.photo(klass, random), "it"));
            }
        }
        images.add(new LabeledImage("bomb", "birds/0", "image/png", HostileImages.declaringPng(60_000, 60_000), "it"));
        PipelineFixture.publishInOrder(KAFKA, config, images);

        JobClient job = PipelineFixture.start(config, "diva-" + run);
        try {
            PipelineFixture.awaitWrittenVersion(KAFKA, config, 2, Duration.ofMinutes(4));
            List<PipelineFixture.Keyed<DeadLetter>> dead = PipelineFixture.read(
                    KAFKA, DeadLetter.class, config.kafka().deadLettersTopic(), 1, Duration.ofMinutes(2));
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).value().getReason()).isEqualTo(DeadLetterReason.INVALID_IMAGE);
            assertThat(dead.get(0).value().getMessage()).contains("60000x60000");
            // every photo is embedded, with 4 heads of 16 dimensions
            List<PipelineFixture.Keyed<EmbeddingRecord>> embeddings = List.of();
            Set<String> embedded = Set.of();
            // the topic also holds re-embeddings by later versions: read until every photo's key is there
            for (int atLeast = 25; embedded.size() < 25 && atLeast <= 400; atLeast += 25) {
                embeddings = PipelineFixture.read(
                        KAFKA, EmbeddingRecord.class, config.kafka().embeddingsTopic(), atLeast, Duration.ofMinutes(2));
                embedded = embeddings.stream().map(PipelineFixture.Keyed::key).collect(Collectors.toSet());
            }
            assertThat(embedded).hasSize(25).doesNotContain("bomb");
            assertThat(embeddings.get(0).value().getCombined()).hasSize(64);
            // the artefact of a photo's latest embedding's version embeds the photo as the job did
            EmbeddingRecord latest = embeddings.stream()
                    .filter(e -> e.key().equals("held-out/3/2"))
                    .reduce((a, b) -> b)
                    .orElseThrow()
                    .value();
            byte[] photo = images.stream()
                    .filter(i -> i.imageId().equals("held-out/3/2"))
                    .findFirst()
                    .orElseThrow()
                    .bytes();
            assertArtefactEmbedsAsTheJob(config, latest, photo);
            // the held-out photos are scored by a trained version
            List<PipelineFixture.Keyed<MetricsRecord>> metrics = PipelineFixture.read(
                    KAFKA, MetricsRecord.class, config.kafka().metricsTopic(), 1, Duration.ofMinutes(3));
            assertThat(metrics).isNotEmpty();
            assertThat(metrics.stream().anyMatch(m -> m.value().getTrainingStep() > 0))
                    .as(
                            "a trained version scored: %s",
                            metrics.stream()
                                    .map(m -> m.value().getTrainingStep())
                                    .toList())
                    .isTrue();
        } finally {
            PipelineFixture.cancelAndAwait(job);
        }
    }

    /**
     * Loads the artefact of an embedding's model version, checked against the committed model-versions record (the
     * parameters' and the manifest's SHA-256, as the search service does), and embeds the photo with it. The job
     * may have embedded the photo in a batch of other photos, so the last bits may differ.
     */
    private void assertArtefactEmbedsAsTheJob(JobConfig config, EmbeddingRecord job, byte[] photo) throws Exception {
        long version = job.getModelVersion();
        ModelVersionRecord record = PipelineFixture.read(
                        KAFKA,
                        ModelVersionRecord.class,
                        config.kafka().modelVersionsTopic(),
                        (int) version + 1,
                        Duration.ofMinutes(1))
                .stream()
                .map(PipelineFixture.Keyed::value)
                .filter(v -> v.getModelVersion() == version)
                .findFirst()
                .orElseThrow();
        assertThat(record.getManifestSha256())
                .as("the record carries its artefact's manifest digest")
                .isNotNull();
        Path dir = new ArtefactStore(artefacts).dirFor(version, record.getParameterSha256());
        DjlRuntime.useIntraOpThreads(1); // as the job's decoders and embedders
        try (ExportedModel model = ExportedModel.load(dir, record.getParameterSha256(), record.getManifestSha256())) {
            ExportedModel.Embedding e = model.embed(photo);
            assertThat(e.combined()).hasSize(job.getCombined().size());
            for (int i = 0; i < e.combined().length; i++) {
                assertThat(e.combined()[i]).isCloseTo(job.getCombined().get(i), within(1e-4f));
            }
        }
    }
}
