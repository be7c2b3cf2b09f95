package io.divastream.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.connectors.producer.ImageEventProducer;
import io.divastream.connectors.producer.InterleavedOrder;
import io.divastream.connectors.producer.LabeledImage;
import io.divastream.connectors.producer.OmniglotDataset;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.jobs.DivaStreamJob;
import io.divastream.jobs.Uids;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.testing.CorruptEvents;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.ImageEvent;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on a standalone Flink session cluster: a job manager and two task managers as
 * separate JVM processes on 127.0.0.1 ({@link FlinkSessionCluster}, from {@code target/flink-lib}),
 * the job submitted through the REST API with parallelism 2 against the in-process Kafka broker (a
 * two-partition images topic). Real Omniglot events and three corrupt ones go in; the same four
 * output topics as with the embedded runner ({@code DivaPipelineIT}) are read back: model versions,
 * embeddings of every image, retrieval metrics over every evaluation image, dead letters. The
 * embedder runs two subtasks, one per task manager, and each task manager extracted the PyTorch
 * native library from the job jar into its own DJL cache. Needs {@code package} first (failsafe runs
 * after it); bounded to a few minutes; the processes are stopped even when it fails.
 */
class StandaloneClusterIT {

    private static final int TRAIN_CLASSES = 24;
    private static final int EVAL_CLASSES = 6;
    private static final int IMAGES_PER_CLASS = 6;
    private static final long TARGET_VERSION = 2;
    private static final Duration BUDGET = Duration.ofMinutes(5);

    @RegisterExtension static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @TempDir Path work;

    @Test
    void shadedJarOnSessionClusterFillsTheSameTopicsAsTheEmbeddedRunner() throws Exception {
        Path jar = Path.of(System.getProperty("diva.job.jar", "target/diva-jobs-0.1.0-SNAPSHOT-job.jar"));
        Path lib = Path.of(System.getProperty("diva.flink.lib", "target/flink-lib"));
        assertThat(jar).as("the shaded job jar (mvn package builds it)").isRegularFile();

        String run = "cluster-it";
        JobConfig config = JobOptions.parse(jobArgs(run, work.resolve("checkpoints")).toArray(String[]::new));
        createTopics(config);
        List<LabeledImage> images = omniglot();
        Set<String> evalIds =
                images.stream().filter(i -> isEval(i.label())).map(LabeledImage::imageId).collect(Collectors.toSet());
        CorruptEvents.publish(KAFKA, config.kafka().imagesTopic());
        try (ImageEventProducer producer = new ImageEventProducer(KAFKA.settings(), config.kafka().imagesTopic(), 0)) {
            producer.publish(InterleavedOrder.of(images, 3));
        }

        FlinkSessionCluster.Config clusterConfig =
                FlinkSessionCluster.Config.of(lib, work.resolve("cluster"))
                        .withExtraConfig(Map.of("taskmanager.load-balance.mode", "slots"));
        try (FlinkSessionCluster cluster = FlinkSessionCluster.start(clusterConfig)) {
            String jobId =
                    cluster.submit(jar, DivaStreamJob.class.getName(), jobArgs(run, work.resolve("checkpoints")), 0);
            try {
                List<MetricsRecord> metrics =
                        awaitMetrics(cluster, jobId, config, m -> m.getModelVersion() >= TARGET_VERSION
                                && m.getEvalImages() == evalIds.size());
                assertThat(metrics).isNotEmpty();

                Map<String, Integer> parallelism = cluster.vertexParallelism(jobId);
                assertThat(parallelismOf(parallelism, Uids.EMBEDDER)).isEqualTo(2);
                assertThat(parallelismOf(parallelism, Uids.TRAINER)).isEqualTo(1);
                assertThat(parallelismOf(parallelism, Uids.METRICS)).isEqualTo(1);
            } finally {
                cluster.cancel(jobId, Duration.ofMinutes(1));
            }
            for (int tm = 0; tm < 2; tm++) {
                assertThat(nativeLibraries(work.resolve("cluster").resolve("djl-cache-" + tm)))
                        .as("task manager %d extracted PyTorch's native library from the job jar; native libraries under %s: %s",
                                tm, work, nativeLibraries(work) + "\n" + cluster.logLines(l -> l.contains("PyTorch") || l.contains("djl"), 30))
                        .anyMatch(name -> Path.of(name).getFileName().toString().startsWith("libtorch"));
            }
        }

        CorruptEvents.assertDeadLettered(KAFKA, config.kafka().imagesTopic(), config.kafka().deadLettersTopic());
        checkModelVersions(config);
        checkEmbeddings(config, images);
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

    private static List<LabeledImage> omniglot() {
        Map<String, List<LabeledImage>> byLabel = new LinkedHashMap<>();
        for (LabeledImage image : OmniglotDataset.loadEmbedded()) {
            byLabel.computeIfAbsent(image.label(), l -> new ArrayList<>()).add(image);
        }
        List<LabeledImage> out = new ArrayList<>();
        int train = 0;
        int eval = 0;
        for (Map.Entry<String, List<LabeledImage>> entry : byLabel.entrySet()) {
            if (isEval(entry.getKey()) ? eval++ < EVAL_CLASSES : train++ < TRAIN_CLASSES) {
                out.addAll(entry.getValue().subList(0, IMAGES_PER_CLASS));
            }
        }
        return out;
    }

    private static boolean isEval(String label) {
        return label.matches(JobOptions.OMNIGLOT_EVAL_LABELS + ".*");
    }

    /** The images topic has two partitions, so the source runs two readers. */
    private static void createTopics(JobConfig config) {
        JobConfig.KafkaConfig k = config.kafka();
        TopicAdmin.ensureTopics(
                KAFKA.settings(),
                k.singleBrokerTopics(2));
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
            FlinkSessionCluster cluster, String jobId, JobConfig config, java.util.function.Predicate<MetricsRecord> done)
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
            for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(config.kafka().metricsTopic(), 0, Duration.ofSeconds(2))) {
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

    private static void checkModelVersions(JobConfig config) {
        AvroCodec<ModelVersionRecord> codec = AvroCodec.of(ModelVersionRecord.class);
        List<Long> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readAll(config.kafka().modelVersionsTopic(), (int) TARGET_VERSION + 1, Duration.ofSeconds(30))) {
            ModelVersionRecord v = codec.decode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(v.getModelVersion()));
            versions.add(v.getModelVersion());
        }
        // one logical trainer: versions 0, 1, 2, ... in order, none repeated or skipped
        for (int i = 0; i < versions.size(); i++) {
            assertThat(versions.get(i)).isEqualTo(i);
        }
        assertThat(versions.size()).isGreaterThan((int) TARGET_VERSION);
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
        Map<String, String> labels = images.stream().collect(Collectors.toMap(LabeledImage::imageId, LabeledImage::label));
        assertThat(latest.keySet()).isEqualTo(labels.keySet());
        latest.forEach((id, e) -> assertThat(e.getLabel()).isEqualTo(labels.get(id)));
    }
}
