package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.testing.TestPhotos;
import io.divastream.model.net.backbone.SharedFiles;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.schemas.ModelVersionRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery of the {@code frozen} mode changes nothing: photos through the frozen MobileNetV2 in the pipeline's
 * deterministic configuration (one partition, parallelism 1, no batch replay), once without interruption and once
 * stopped with a savepoint mid-stream (class buffers holding stored features, the trainer's heads, queue and
 * optimiser in the savepoint) and resumed in a fresh job, publish the same model versions bit for bit: equal
 * SHA-256 of the parameters, images seen and losses at every version.
 */
class PhotoPipelineRecoveryIT {

    private static final int TRAIN_CLASSES = 6;
    private static final int EVAL_CLASSES = 2;
    private static final int PHOTOS_PER_CLASS = 8;
    private static final int STEPS_PER_VERSION = 3;
    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineFixture.miniCluster();

    @TempDir
    static Path temp;

    private static final List<LabeledImage> PHOTOS = photos();

    private static List<LabeledImage> photos() {
        Random random = new Random(21);
        List<LabeledImage> photos = new ArrayList<>();
        for (int klass = 0; klass < TRAIN_CLASSES + EVAL_CLASSES; klass++) {
            String label = (klass < TRAIN_CLASSES ? "birds/" : "held-out/") + klass;
            for (int i = 0; i < PHOTOS_PER_CLASS; i++) {
                photos.add(new LabeledImage(
                        label + "/" + i, label, "image/jpeg", TestPhotos.photo(klass, random), "recovery-it"));
            }
        }
        return InterleavedOrder.of(photos, 3);
    }

    private static JobConfig config(String run) {
        List<String> args = new ArrayList<>(PipelineFixture.runArgs(KAFKA, run));
        args.addAll(List.of(
                "--model.preset", "photo-mobilenetv2",
                "--model.backbone-file", SharedFiles.mobileNetV2().toString(),
                "--model.embedding-dim", "16",
                "--model.seed", "5",
                "--route.eval-labels", "^held-out/",
                "--train.feature-views", "2",
                "--train.queue-size", "12",
                "--train.steps-per-version", Integer.toString(STEPS_PER_VERSION),
                "--batch.classes", "3",
                "--batch.images-per-class", "2",
                "--batch.buffer-per-class", Integer.toString(PHOTOS_PER_CLASS),
                "--batch.new-images", "2",
                "--batch.replay-interval-ms", "0",
                "--parallelism", "1",
                "--metrics.min-eval-images", "4",
                "--checkpoint.interval-ms", "1000",
                "--checkpoint.dir", temp.resolve(run).toUri().toString()));
        return JobOptions.parse(args.toArray(String[]::new));
    }

    private static List<LabeledImage> training(List<LabeledImage> photos) {
        return photos.stream().filter(p -> p.label().startsWith("birds/")).toList();
    }

    /** The last version of the whole input: the first batches only fill the DaNCE queue, the steps are the rest. */
    private static long finalVersion(JobConfig config) {
        int batches = PipelineFixture.batchesFor(training(PHOTOS), config.batching());
        return (batches - config.training().queueInitBatches()) / STEPS_PER_VERSION;
    }

    private static List<ModelVersionRecord> awaitEnd(JobConfig config) throws InterruptedException {
        PipelineFixture.awaitVersion(KAFKA, config, finalVersion(config), TIMEOUT);
        return PipelineFixture.versions(KAFKA, config);
    }

    private static String describe(List<ModelVersionRecord> versions) {
        StringBuilder text = new StringBuilder();
        for (ModelVersionRecord v : versions) {
            text.append(v.getModelVersion())
                    .append('@')
                    .append(v.getTrainingStep())
                    .append(" seen ")
                    .append(v.getImagesSeen())
                    .append(' ')
                    .append(v.getParameterSha256().substring(0, 8))
                    .append(' ')
                    .append(v.getLosses())
                    .append("; ");
        }
        return text.toString();
    }

    @Test
    void aSavepointOfTheFrozenModeResumesIntoTheUninterruptedRunsVersionsBitForBit() throws Exception {
        JobConfig clean = config("photo-clean");
        assertThat(finalVersion(clean)).as("versions of the whole input").isGreaterThanOrEqualTo(4);
        PipelineFixture.createTopics(KAFKA, clean);
        PipelineFixture.publishInOrder(KAFKA, clean, PHOTOS);
        List<ModelVersionRecord> expected;
        JobClient job = PipelineFixture.start(clean, "photo-recovery-clean");
        try {
            expected = awaitEnd(clean);
        } finally {
            job.cancel().get();
        }

        JobConfig config = config("photo-savepoint");
        PipelineFixture.createTopics(KAFKA, config);
        int prefix = PHOTOS.size() / 2;
        PipelineFixture.publishInOrder(KAFKA, config, PHOTOS.subList(0, prefix));
        JobClient first = PipelineFixture.start(config, "photo-recovery-before-savepoint");
        PipelineFixture.awaitVersion(KAFKA, config, 1, TIMEOUT);
        String savepoint = first.stopWithSavepoint(
                        false, temp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        long saved = PipelineFixture.versions(KAFKA, config).size() - 1;
        assertThat(saved).as("the savepoint is mid-stream").isLessThan(finalVersion(config));
        PipelineFixture.publishInOrder(KAFKA, config, PHOTOS.subList(prefix, PHOTOS.size()));
        JobClient resumed = PipelineFixture.start(config, "photo-recovery-after-savepoint", savepoint);
        List<ModelVersionRecord> actual;
        try {
            actual = awaitEnd(config);
        } finally {
            resumed.cancel().get();
        }

        String runs = "\nuninterrupted: " + describe(expected) + "\nresumed: " + describe(actual);
        assertThat(actual).as(runs).hasSameSizeAs(expected);
        for (int v = 0; v < expected.size(); v++) {
            ModelVersionRecord a = expected.get(v);
            ModelVersionRecord b = actual.get(v);
            assertThat(b.getModelVersion()).isEqualTo(v);
            assertThat(b.getParameterSha256())
                    .as("parameters of version %d%s", v, runs)
                    .isEqualTo(a.getParameterSha256());
            assertThat(b.getImagesSeen()).as("images seen at version %d", v).isEqualTo(a.getImagesSeen());
            assertThat(b.getLosses()).as("mean losses of version %d", v).isEqualTo(a.getLosses());
        }
        assertThat(expected.stream().map(ModelVersionRecord::getParameterSha256).distinct())
                .as("training moved the parameters")
                .hasSize(expected.size());
    }
}
