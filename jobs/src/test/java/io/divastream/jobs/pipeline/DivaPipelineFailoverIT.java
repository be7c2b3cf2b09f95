package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.producer.LabeledImage;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task manager is killed while the pipeline trains; the job restarts from its last checkpoint on a
 * new one. Read with read_committed, the outputs show no lost and no duplicated work: every model
 * version exactly once, consecutive, at the right step, every image embedded, every training image
 * counted once, every scored version decided once by the promotion gate.
 */
class DivaPipelineFailoverIT {

    private static final int TRAIN_CLASSES = 16;
    private static final int EVAL_CLASSES = 6;
    private static final int IMAGES_PER_CLASS = 8;
    private static final int STEPS_PER_VERSION = 20;

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineFixture.miniCluster();

    @TempDir
    Path checkpoints;

    @Test
    void aKilledTaskManagerLosesAndDuplicatesNothing(@InjectMiniCluster MiniCluster cluster) throws Exception {
        JobConfig config = JobOptions.parse(new String[] {
            "--kafka.bootstrap-servers", KAFKA.bootstrapServers(),
            "--batch.classes", "8",
            "--batch.images-per-class", "4",
            "--batch.buffer-per-class", "8",
            "--train.steps-per-version", Integer.toString(STEPS_PER_VERSION),
            "--train.queue-size", "128",
            "--metrics.min-eval-images", "2",
            "--checkpoint.interval-ms", "1000",
            "--checkpoint.dir", checkpoints.toUri().toString()
        });
        List<LabeledImage> images = OmniglotSample.of(TRAIN_CLASSES, EVAL_CLASSES, IMAGES_PER_CLASS);
        PipelineFixture.publish(KAFKA, config, images, 11);
        JobClient job = PipelineFixture.start(config, "diva-failover-it");
        try {
            awaitVersion(config, 3);
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();
            awaitVersion(config, 9);
        } finally {
            job.cancel().get();
        }

        List<ModelVersionRecord> versions = versions(config);
        for (int i = 0; i < versions.size(); i++) {
            assertThat(versions.get(i).getModelVersion())
                    .as("each version once, in order")
                    .isEqualTo(i);
            assertThat(versions.get(i).getTrainingStep()).isEqualTo((long) STEPS_PER_VERSION * i);
        }
        assertThat(versions.get(versions.size() - 1).getImagesSeen())
                .as("every training image counted exactly once across the restart")
                .isEqualTo((long) TRAIN_CLASSES * IMAGES_PER_CLASS);

        Set<Long> scored = new HashSet<>();
        AvroCodec<MetricsRecord> metrics = AvroCodec.of(MetricsRecord.class);
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().metricsTopic(), 1, Duration.ofSeconds(10))) {
            assertThat(scored.add(metrics.decode(r.value()).getModelVersion()))
                    .as("a version is scored once")
                    .isTrue();
        }

        // the promotion gate decided every scored version exactly once, across the restart
        List<Long> decided = new java.util.ArrayList<>();
        AvroCodec<io.divastream.schemas.PromotionRecord> promotions =
                AvroCodec.of(io.divastream.schemas.PromotionRecord.class);
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().promotionsTopic(), scored.size(), Duration.ofSeconds(10))) {
            decided.add(promotions.decode(r.value()).getModelVersion());
        }
        assertThat(decided).as("one decision per scored version").doesNotHaveDuplicates();
        assertThat(new HashSet<>(decided)).isEqualTo(scored);

        AvroCodec<EmbeddingRecord> embeddings = AvroCodec.of(EmbeddingRecord.class);
        Map<String, Long> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().embeddingsTopic(), images.size(), Duration.ofSeconds(30))) {
            EmbeddingRecord e = embeddings.decode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.getImageId());
            latest.merge(e.getImageId(), e.getModelVersion(), Math::max);
        }
        assertThat(latest.keySet()).hasSize(images.size());
    }

    private static List<ModelVersionRecord> versions(JobConfig config) {
        return PipelineFixture.read(
                        KAFKA, ModelVersionRecord.class, config.kafka().modelVersionsTopic(), 0, Duration.ofSeconds(2))
                .stream()
                .map(PipelineFixture.Keyed::value)
                .toList();
    }

    private static void awaitVersion(JobConfig config, long version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline) {
            List<ModelVersionRecord> versions = versions(config);
            if (!versions.isEmpty() && versions.get(versions.size() - 1).getModelVersion() >= version) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("model version " + version + " was not committed in time");
    }
}
