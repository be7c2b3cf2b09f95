package io.divastream.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.dev.FlinkSessionCluster;
import io.divastream.jobs.DivaStreamJob;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.pipeline.Uids;
import io.divastream.jobs.testing.CorruptEvents;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on a standalone Flink session cluster: a job manager and two task managers as
 * separate JVM processes on 127.0.0.1 ({@link FlinkSessionCluster}, from {@code target/flink-lib}, with
 * DJL's jars from {@code target/djl-lib} on the class path as in a long-lived cluster's {@code lib/}),
 * the job submitted with Flink's client with parallelism 2 against the in-process Kafka broker (a
 * two-partition images topic). Real Omniglot events and three corrupt ones go in; the same four
 * output topics as with the embedded runner ({@code DivaPipelineIT}) are read back: model versions,
 * embeddings of every image, retrieval metrics over every evaluation image, dead letters. The
 * embedder runs two subtasks, one per task manager, and each task manager extracted the PyTorch
 * native library into its own DJL cache.
 *
 * <p>Then the upgrade path on the same task managers: the job is stopped with a savepoint and the same
 * jar submitted again from it; the second job must load DJL's native library in both task managers
 * again and publish the next model version, continuing the first job's versions and training steps.
 * With {@code -Ddiva.djl.lib=none} (DJL only from the job jar) the second job fails to load the
 * library, as the README records. Needs {@code package} first (failsafe runs after it); bounded to a
 * few minutes; the processes are stopped even when it fails.
 */
class StandaloneClusterIT {

    private static final int TRAIN_CLASSES = 24;
    private static final int EVAL_CLASSES = 6;
    private static final int IMAGES_PER_CLASS = 6;
    private static final long TARGET_VERSION = 2;
    private static final Duration BUDGET = Duration.ofMinutes(5);

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @TempDir
    Path work;

    @Test
    void shadedJarOnSessionClusterFillsTheSameTopicsAsTheEmbeddedRunnerAndResumesFromASavepoint() throws Exception {
        Path jar = Path.of(System.getProperty("diva.job.jar", "target/diva-jobs-0.1.0-SNAPSHOT-job.jar"));
        Path lib = Path.of(System.getProperty("diva.flink.lib", "target/flink-lib"));
        String djlLib = System.getProperty("diva.djl.lib", "target/djl-lib");
        assertThat(jar).as("the shaded job jar (mvn package builds it)").isRegularFile();

        String run = "cluster-it";
        JobConfig config =
                JobOptions.parse(jobArgs(run, work.resolve("checkpoints")).toArray(String[]::new));
        createTopics(config);
        List<LabeledImage> images = OmniglotSample.of(TRAIN_CLASSES, EVAL_CLASSES, IMAGES_PER_CLASS);
        Set<String> evalIds = images.stream()
                .filter(i -> OmniglotSample.isEval(i.label()))
                .map(LabeledImage::imageId)
                .collect(Collectors.toSet());
        CorruptEvents.publish(KAFKA, config.kafka().imagesTopic());
        try (ImageEventProducer producer =
                new ImageEventProducer(KAFKA.settings(), config.kafka().imagesTopic(), 0)) {
            producer.publish(InterleavedOrder.of(images, 3));
        }

        FlinkSessionCluster.Config clusterConfig = FlinkSessionCluster.Config.of(lib, work.resolve("cluster"))
                .withExtraConfig(Map.of("taskmanager.load-balance.mode", "slots"));
        if (!djlLib.isBlank() && !djlLib.equals("none")) {
            clusterConfig = clusterConfig.withSharedLibraries(Path.of(djlLib));
        }
        List<String> args = jobArgs(run, work.resolve("checkpoints"));
        try (FlinkSessionCluster cluster = FlinkSessionCluster.start(clusterConfig)) {
            String jobId = cluster.submit(jar, DivaStreamJob.class.getName(), args, 0);
            String savepoint;
            try {
                List<MetricsRecord> metrics = awaitMetrics(
                        cluster,
                        jobId,
                        config,
                        m -> m.getModelVersion() >= TARGET_VERSION && m.getEvalImages() == evalIds.size());
                assertThat(metrics).isNotEmpty();

                Map<String, Integer> parallelism = cluster.vertexParallelism(jobId);
                assertThat(parallelismOf(parallelism, Uids.EMBEDDER)).isEqualTo(2);
                assertThat(parallelismOf(parallelism, Uids.TRAINER)).isEqualTo(1);
                assertThat(parallelismOf(parallelism, Uids.METRICS)).isEqualTo(1);
                savepoint = cluster.stopWithSavepoint(
                        jobId, work.resolve("savepoints").toUri().toString(), Duration.ofMinutes(4));
            } catch (Throwable t) {
                keepLogs(cluster);
                try {
                    cluster.cancel(jobId, Duration.ofMinutes(1));
                } catch (Exception e) {
                    t.addSuppressed(e);
                }
                throw t;
            }
            assertThat(cluster.jobState(jobId)).isEqualTo("FINISHED");

            // the upgrade path: the same jar again, from the savepoint, on the same task managers
            ModelVersionRecord lastBefore = last(modelVersions(config));
            String resumed = cluster.submit(jar, DivaStreamJob.class.getName(), args, 0, savepoint);
            try {
                ModelVersionRecord next = awaitModelVersion(cluster, resumed, config, lastBefore.getModelVersion() + 1);
                assertThat(next.getTrainingStep()).isGreaterThan(lastBefore.getTrainingStep());
                assertThat(next.getTrainClasses()).isGreaterThanOrEqualTo(lastBefore.getTrainClasses());
                assertThat(parallelismOf(cluster.vertexParallelism(resumed), Uids.EMBEDDER))
                        .isEqualTo(2);
                assertThat(cluster.taskManagerCount()).isEqualTo(2);
                assertThat(cluster.allAlive()).isTrue();
            } catch (Throwable t) {
                keepLogs(cluster);
                throw t;
            } finally {
                cluster.cancel(resumed, Duration.ofMinutes(1));
            }
            for (int tm = 0; tm < 2; tm++) {
                assertThat(nativeLibraries(work.resolve("cluster").resolve("djl-cache-" + tm)))
                        .as(
                                "task manager %d extracted PyTorch's native library; native libraries under %s: %s",
                                tm,
                                work,
                                nativeLibraries(work) + "\n"
                                        + cluster.logLines(l -> l.contains("PyTorch") || l.contains("djl"), 30))
                        .anyMatch(name -> Path.of(name).getFileName().toString().startsWith("libtorch"));
            }
        }

        CorruptEvents.assertDeadLettered(
                KAFKA, config.kafka().imagesTopic(), config.kafka().deadLettersTopic());
        checkModelVersions(config);
        checkEmbeddings(config, images);
    }

    /** Copies the processes' logs out of the temporary directory, to {@code target/cluster-it-logs}. */
    private static void keepLogs(FlinkSessionCluster cluster) {
        try {
            Path kept = Files.createDirectories(Path.of("target", "cluster-it-logs"));
            for (Path log : cluster.logFiles()) {
                Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("could not keep the cluster's logs: " + e);
        }
    }

    private static List<String> jobArgs(String run, Path checkpoints) {
        return List.of(
                "--kafka.bootstrap-servers", KAFKA.bootstrapServers(),
                "--kafka.group-id", run,
                "--kafka.transactional-id-prefix", run,
                "--topic.images", run + ".images",
                "--topic.embeddings", run + ".embeddings",
                "--topic.metrics", run + ".metrics",
                "--topic.model-versions", run + ".model-versions",
                "--topic.dead-letters", run + ".dlq",
                "--model.channels", "8,8",
                "--model.embedding-dim", "16",
                "--batch.classes", "4",
                "--batch.images-per-class", "3",
                "--batch.buffer-per-class", "6",
                "--batch.new-images", "8",
                "--train.steps-per-version", "10",
                "--train.queue-size", "64",
                "--metrics.min-eval-images", "2",
                "--parallelism", "2",
                "--checkpoint.interval-ms", "2000",
                "--checkpoint.dir", checkpoints.toUri().toString());
    }

    /** The images topic has two partitions, so the source runs two readers. */
    private static void createTopics(JobConfig config) {
        JobConfig.KafkaConfig k = config.kafka();
        TopicAdmin.ensureTopics(KAFKA.settings(), k.singleBrokerTopics(2));
    }

    private static int parallelismOf(Map<String, Integer> vertices, String operator) {
        return vertices.entrySet().stream()
                .filter(e -> e.getKey().contains(operator))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no vertex named " + operator + " in " + vertices));
    }

    private static List<String> nativeLibraries(Path cache) throws IOException {
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(cache)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".so"))
                    .map(p -> cache.relativize(p).toString())
                    .toList();
        }
    }

    private static List<MetricsRecord> awaitMetrics(
            FlinkSessionCluster cluster,
            String jobId,
            JobConfig config,
            java.util.function.Predicate<MetricsRecord> done)
            throws Exception {
        AvroCodec<MetricsRecord> codec = AvroCodec.of(MetricsRecord.class);
        long deadline = System.nanoTime() + BUDGET.toNanos();
        while (System.nanoTime() < deadline) {
            String state = cluster.jobState(jobId);
            if (state.equals("FAILED") || state.equals("CANCELED") || !cluster.allAlive()) {
                throw new AssertionError("job " + state + ", processes alive: " + cluster.allAlive() + ": "
                        + cluster.rootException(jobId) + "\n" + cluster.errorLines(40));
            }
            List<MetricsRecord> records = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    KAFKA.readAll(config.kafka().metricsTopic(), 0, Duration.ofSeconds(2))) {
                records.add(codec.decode(r.value()));
            }
            if (records.stream().anyMatch(done)) {
                return records;
            }
            Thread.sleep(2000);
        }
        throw new AssertionError("no metrics record of version " + TARGET_VERSION + " within " + BUDGET
                + "; job state " + cluster.jobState(jobId) + ", last failure: " + cluster.rootException(jobId)
                + "\n" + cluster.errorLines(40));
    }

    /** The committed model versions, in topic order. */
    private static List<ModelVersionRecord> modelVersions(JobConfig config) {
        AvroCodec<ModelVersionRecord> codec = AvroCodec.of(ModelVersionRecord.class);
        List<ModelVersionRecord> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().modelVersionsTopic(), 0, Duration.ofSeconds(2))) {
            ModelVersionRecord v = codec.decode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(v.getModelVersion()));
            versions.add(v);
        }
        return versions;
    }

    private static ModelVersionRecord last(List<ModelVersionRecord> versions) {
        assertThat(versions).as("model versions before the savepoint").isNotEmpty();
        return versions.get(versions.size() - 1);
    }

    private static ModelVersionRecord awaitModelVersion(
            FlinkSessionCluster cluster, String jobId, JobConfig config, long version) throws Exception {
        long deadline = System.nanoTime() + BUDGET.toNanos();
        while (System.nanoTime() < deadline) {
            String state = cluster.jobState(jobId);
            if (state.equals("FAILED") || state.equals("CANCELED") || !cluster.allAlive()) {
                throw new AssertionError("resubmitted job " + state + ", processes alive: " + cluster.allAlive() + ": "
                        + cluster.rootException(jobId) + "\n" + cluster.errorLines(40));
            }
            String failure = cluster.rootException(jobId);
            if (!failure.isEmpty()) {
                throw new AssertionError(
                        "the resubmitted job failed (and restarts): " + failure + "\n" + cluster.errorLines(40));
            }
            for (ModelVersionRecord v : modelVersions(config)) {
                if (v.getModelVersion() == version) {
                    return v;
                }
            }
            Thread.sleep(2000);
        }
        throw new AssertionError("no model version " + version + " from the resubmitted job within " + BUDGET
                + "; job state " + cluster.jobState(jobId) + ", last failure: " + cluster.rootException(jobId)
                + "\n" + cluster.errorLines(40));
    }

    private static void checkModelVersions(JobConfig config) {
        List<ModelVersionRecord> records = modelVersions(config);
        // one logical trainer across both jobs: versions 0, 1, 2, ... in order, none repeated or skipped,
        // and its training steps only grow
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i).getModelVersion()).isEqualTo(i);
            if (i > 0) {
                assertThat(records.get(i).getTrainingStep())
                        .isGreaterThan(records.get(i - 1).getTrainingStep());
            }
        }
        assertThat(records.size()).isGreaterThan((int) TARGET_VERSION + 1);
    }

    private static void checkEmbeddings(JobConfig config, List<LabeledImage> images) {
        AvroCodec<EmbeddingRecord> codec = AvroCodec.of(EmbeddingRecord.class);
        Map<String, EmbeddingRecord> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().embeddingsTopic(), images.size(), Duration.ofSeconds(30))) {
            EmbeddingRecord e = codec.decode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.getImageId());
            assertThat(e.getCombined()).hasSize(16 * 4);
            double norm = 0;
            for (float x : e.getCombined()) {
                norm += x * x;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(e.getEmbeddedAt()).isAfterOrEqualTo(e.getEventTime());
            latest.put(e.getImageId(), e);
        }
        Map<String, String> labels =
                images.stream().collect(Collectors.toMap(LabeledImage::imageId, LabeledImage::label));
        assertThat(latest.keySet()).isEqualTo(labels.keySet());
        latest.forEach((id, e) -> assertThat(e.getLabel()).isEqualTo(labels.get(id)));
    }
}
