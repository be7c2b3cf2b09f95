package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.images.HostileImages;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.model.net.backbone.SharedFiles;
import io.divastream.producer.LabeledImage;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.MetricsRecord;
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

    @Test
    void photosAreTrainedOnAsFrozenFeaturesEmbeddedAndScored() throws Exception {
        String run = "photo-it";
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
                "--checkpoint.dir", checkpoints.toUri().toString()));
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));
        assertThat(config.training().payload()).isEqualTo(SamplePayload.STORED_FEATURES);
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

        JobClient job = PipelineFixture.start(config, "diva-photo-it");
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
            job.cancel().get();
        }
    }
}
