package io.divastream.jobs.bench;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.dev.LocalKafkaBroker;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.EmbeddingOptions;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.config.LocalJobOptions;
import io.divastream.jobs.config.OptionType;
import io.divastream.jobs.config.RouteOptions;
import io.divastream.jobs.config.RuntimeOptions;
import io.divastream.jobs.config.TrainOptions;
import io.divastream.jobs.pipeline.DivaEnvironment;
import io.divastream.jobs.pipeline.DivaPipeline;
import io.divastream.jobs.pipeline.Uids;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.producer.OmniglotDataset;
import io.divastream.schemas.DeadLetter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Flood benchmark of the bounds (not a test): starts the local Kafka broker and the DiVA job on a
 * local MiniCluster with RocksDB, publishes the Omniglot images once and then the training images
 * again and again under new ids, as fast as Kafka takes them (far faster than the trainer, which
 * paces the job by back-pressure), and every few seconds prints the JVM heap after a full GC, the
 * last checkpoint's size, the consumed input and the embedder's catalogue, backlog and counters.
 * At the end it stops the job with a savepoint (committing the outputs) and accounts for every
 * consumed input record: each must have an embedding or a dead letter.
 *
 * <pre>
 * mvn -B -q -pl jobs -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_WAIT_POLICY=PASSIVE java -Xmx3g -Dai.djl.offline=true \
 *     -cp "jobs/target/test-classes:jobs/target/classes:$(cat jobs/target/test-classpath.txt)" \
 *     io.divastream.jobs.bench.CatalogueFloodBench --flood.minutes 6
 * </pre>
 *
 * Any job option may be given too (e.g. {@code --embedding.catalogue-ttl 2m}); the bench's own
 * defaults for the job are in {@link #JOB_DEFAULTS}.
 */
public final class CatalogueFloodBench {

    private static final DivaOption<Long> EVENTS = DivaOption.of(
            "flood.events",
            OptionType.longInteger(1, 100_000_000),
            "150000",
            "image events to publish in all (the Omniglot images once, then training copies)");
    private static final DivaOption<Double> MINUTES =
            DivaOption.of("flood.minutes", OptionType.number(0.1, 1e4), "6", "how long to run the job");
    private static final DivaOption<Double> SAMPLE_SECONDS =
            DivaOption.of("flood.sample-seconds", OptionType.number(1, 3600), "15", "seconds between two samples");
    private static final DivaOption<String> WORK_DIR = DivaOption.of(
            "flood.work-dir",
            OptionType.nonBlank(),
            "target/flood-bench",
            "directory of the broker's log and the checkpoints (wiped)");
    private static final DivaOption<Long> SEED = DivaOption.of(
            "flood.seed", OptionType.longInteger(Long.MIN_VALUE, Long.MAX_VALUE), "5", "seed of the publication order");

    /** Job options whose bench default differs from the job's. */
    static final List<DivaOption<?>> JOB_DEFAULTS = List.of(
            EmbeddingOptions.CATALOGUE_TTL.withDefault("60s"),
            EmbeddingOptions.MAX_IMAGES_PER_SUBTASK.withDefault("5000"),
            RuntimeOptions.CHECKPOINT_INTERVAL_MS.withDefault("5000"),
            TrainOptions.STEPS_PER_VERSION.withDefault("100"));

    private static final LocalJobOptions OPTIONS = LocalJobOptions.of(
            List.of(EVENTS, MINUTES, SAMPLE_SECONDS, WORK_DIR, SEED),
            JOB_DEFAULTS,
            "ignored: the bench starts its own broker");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] EMBEDDER_METRICS = {
        "catalogueImages", "reembedBacklog", "embeddedVersionLag", "modelVersion",
        "numEmbeddings", "numReembeddings", "numCatalogueExpired", "numCatalogueRejected"
    };

    private CatalogueFloodBench() {}

    /**
     * Runs the bench.
     *
     * @param args options, see the class comment
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        Configuration a = OPTIONS.parse(args);
        long events = EVENTS.get(a);
        double minutes = MINUTES.get(a);
        long sampleMs = (long) (1000 * SAMPLE_SECONDS.get(a));
        Path work = Path.of(WORK_DIR.get(a)).toAbsolutePath();
        wipe(work);
        Files.createDirectories(work);

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(
                LocalKafkaBroker.Config.defaults().withPort(0).withLogDirectory(work.resolve("kafka")))) {
            Configuration jobConf = OPTIONS.jobConfiguration(a, broker.bootstrapServers(), work.resolve("checkpoints"));
            JobConfig config = JobOptions.fromConfiguration(jobConf);
            JobConfig.KafkaConfig kafka = config.kafka();
            TopicAdmin.ensureTopics(kafka.settings(), kafka.singleBrokerTopics(1));
            System.out.println("job options: " + LocalJobOptions.describe(jobConf));

            Configuration conf = DivaEnvironment.configuration(config.runtime());
            conf.set(RestOptions.BIND_PORT, "0");
            conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
            MiniClusterConfiguration clusterConfig = new MiniClusterConfiguration.Builder()
                    .setConfiguration(conf)
                    .setNumTaskManagers(1)
                    .setNumSlotsPerTaskManager(config.runtime().parallelism())
                    .build();
            try (MiniCluster cluster = new MiniCluster(clusterConfig)) {
                cluster.start();
                StreamExecutionEnvironment env = DivaEnvironment.configure(
                        StreamExecutionEnvironment.getExecutionEnvironment(conf), config.runtime());
                DivaPipeline.defineKafkaWorkflow(env, config);
                JobGraph graph = env.getStreamGraph().getJobGraph();
                cluster.submitJob(graph).get();
                JobID job = graph.getJobID();
                URI rest = cluster.getRestAddress().get();

                AtomicLong produced = new AtomicLong();
                Thread producer = startProducer(kafka, events, SEED.get(a), produced);
                run(cluster, job, rest, kafka, work, produced, (long) (minutes * 60_000), sampleMs);
                producer.interrupt();
                producer.join(30_000);

                System.out.println("\nstopping the job with a savepoint (commits the last outputs) ...");
                String savepoint = cluster.stopWithSavepoint(
                                job,
                                work.resolve("savepoints").toUri().toString(),
                                false,
                                SavepointFormatType.CANONICAL)
                        .get(10, TimeUnit.MINUTES);
                System.out.println("savepoint " + savepoint);
                account(kafka, produced.get());
            }
        }
    }

    private static Thread startProducer(JobConfig.KafkaConfig kafka, long events, long seed, AtomicLong produced) {
        List<LabeledImage> all = OmniglotDataset.loadEmbedded();
        List<LabeledImage> train = all.stream()
                .filter(i -> !i.label().matches(RouteOptions.OMNIGLOT_EVAL_LABELS + ".*"))
                .toList();
        Thread thread = new Thread(
                () -> {
                    try (ImageEventProducer producer =
                            new ImageEventProducer(kafka.settings(), kafka.imagesTopic(), 0)) {
                        long left = events;
                        List<LabeledImage> batch = InterleavedOrder.of(all, seed);
                        for (int copy = 1; left > 0; copy++) {
                            long sent = producer.publish(batch, left, (n, total) -> produced.incrementAndGet());
                            left -= sent;
                            int c = copy;
                            batch = InterleavedOrder.of(train, seed + c).stream()
                                    .map(i -> new LabeledImage(
                                            i.imageId() + "~" + c, i.label(), i.contentType(), i.bytes(), i.source()))
                                    .toList();
                        }
                        System.out.printf("  [producer] done: %d image events%n", produced.get());
                    } catch (RuntimeException e) {
                        if (!Thread.currentThread().isInterrupted()) {
                            System.err.println("producer failed: " + e);
                        }
                    }
                },
                "flood-producer");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void run(
            MiniCluster cluster,
            JobID job,
            URI rest,
            JobConfig.KafkaConfig kafka,
            Path work,
            AtomicLong produced,
            long durationMs,
            long sampleMs)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long start = System.currentTimeMillis();
        System.out.println();
        System.out.println(
                "    t s | produced | consumed | catalogue | backlog | lag | embeddings | re-embedded | expired | rejected |"
                        + " heap MiB | ckpts | ckpt state MiB | ckpt dir MiB");
        try (Admin admin = Admin.create(adminProps(kafka))) {
            while (System.currentTimeMillis() - start < durationMs) {
                Thread.sleep(sampleMs);
                if (cluster.getJobStatus(job).get().isGloballyTerminalState()) {
                    throw new IllegalStateException(
                            "the job ended: " + cluster.getJobStatus(job).get());
                }
                Map<String, Long> m = embedderMetrics(http, rest, job);
                CheckpointStatsSnapshot stats =
                        cluster.getExecutionGraph(job).get().getCheckpointStatsSnapshot();
                CompletedCheckpointStats last =
                        stats == null ? null : stats.getHistory().getLatestCompletedCheckpoint();
                long completed = stats == null ? 0 : stats.getCounts().getNumberOfCompletedCheckpoints();
                System.gc();
                long heap =
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                System.out.printf(
                        "%8.0f | %8d | %8d | %9d | %7d | %3d | %10d | %11d | %7d | %8d | %8.0f | %5d | %14.1f | %12.1f%n",
                        (System.currentTimeMillis() - start) / 1000.0,
                        produced.get(),
                        committedOffset(admin, kafka),
                        m.getOrDefault("catalogueImages", -1L),
                        m.getOrDefault("reembedBacklog", -1L),
                        m.getOrDefault("embeddedVersionLag", -1L),
                        m.getOrDefault("numEmbeddings", -1L),
                        m.getOrDefault("numReembeddings", -1L),
                        m.getOrDefault("numCatalogueExpired", -1L),
                        m.getOrDefault("numCatalogueRejected", -1L),
                        heap / 1048576.0,
                        completed,
                        last == null ? 0 : last.getStateSize() / 1048576.0,
                        directorySize(work.resolve("checkpoints")) / 1048576.0);
            }
        }
    }

    /** Sums each embedder metric over the subtasks, from the REST API. */
    private static Map<String, Long> embedderMetrics(HttpClient http, URI rest, JobID job) {
        Map<String, Long> out = new HashMap<>();
        try {
            JsonNode vertices =
                    get(http, rest.resolve("/jobs/" + job).toString()).get("vertices");
            String vertex = null;
            for (JsonNode v : vertices) {
                if (v.get("name").asText().contains(Uids.EMBEDDER)) {
                    vertex = v.get("id").asText();
                }
            }
            String base = rest.resolve("/jobs/" + job + "/vertices/" + vertex + "/metrics")
                    .toString();
            List<String> ids = new ArrayList<>();
            for (JsonNode metric : get(http, base)) {
                String id = metric.get("id").asText();
                for (String name : EMBEDDER_METRICS) {
                    if (id.endsWith("." + name) && id.contains(Uids.EMBEDDER)) {
                        ids.add(id);
                    }
                }
            }
            if (ids.isEmpty()) {
                return out;
            }
            String query = URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
            for (JsonNode metric : get(http, base + "?get=" + query)) {
                String id = metric.get("id").asText();
                String name = id.substring(id.lastIndexOf('.') + 1);
                out.merge(name, (long) Double.parseDouble(metric.get("value").asText()), Long::sum);
            }
        } catch (Exception e) {
            System.err.println("metrics unavailable: " + e);
        }
        return out;
    }

    private static JsonNode get(HttpClient http, String uri) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static Properties adminProps(JobConfig.KafkaConfig kafka) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return props;
    }

    private static long committedOffset(Admin admin, JobConfig.KafkaConfig kafka) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(kafka.groupId())
                .partitionsToOffsetAndMetadata()
                .get();
        return offsets.entrySet().stream()
                .filter(e -> e.getKey().topic().equals(kafka.imagesTopic()) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset())
                .sum();
    }

    /**
     * Reads the input keys and the committed outputs and checks that every consumed input record
     * has an embedding or a dead letter.
     */
    private static void account(JobConfig.KafkaConfig kafka, long produced) throws Exception {
        long consumed;
        try (Admin admin = Admin.create(adminProps(kafka))) {
            consumed = committedOffset(admin, kafka);
        }
        List<String> inputs = new ArrayList<>();
        readAll(kafka, kafka.imagesTopic(), r -> inputs.add(new String(r.key(), StandardCharsets.UTF_8)));
        Set<String> embedded = new HashSet<>();
        AtomicLong embeddingRecords = new AtomicLong();
        readAll(kafka, kafka.embeddingsTopic(), r -> {
            embedded.add(new String(r.key(), StandardCharsets.UTF_8));
            embeddingRecords.incrementAndGet();
        });
        AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
        Set<String> dead = new HashSet<>();
        Map<String, Long> reasons = new TreeMap<>();
        readAll(kafka, kafka.deadLettersTopic(), r -> {
            DeadLetter d = codec.decode(r.value());
            ByteBuffer key = d.getKey().duplicate();
            byte[] bytes = new byte[key.remaining()];
            key.get(bytes);
            dead.add(new String(bytes, StandardCharsets.UTF_8));
            reasons.merge(d.getReason().name(), 1L, Long::sum);
        });
        BitSet covered = new BitSet(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            if (embedded.contains(inputs.get(i)) || dead.contains(inputs.get(i))) {
                covered.set(i);
            }
        }
        int prefix = covered.nextClearBit(0);
        long uncoveredConsumed = consumed
                - covered.get(0, (int) Math.min(consumed, inputs.size())).cardinality();
        int coveredAfterPrefix = covered.get(prefix, inputs.size()).cardinality();
        long both = embedded.stream().filter(dead::contains).count();
        System.out.println();
        System.out.printf(
                "input events published:                   %,d (in the topic: %,d)%n", produced, inputs.size());
        System.out.printf("input events consumed (committed offset): %,d%n", consumed);
        System.out.printf(
                "images with an embedding:                 %,d (%,d embedding records)%n",
                embedded.size(), embeddingRecords.get());
        System.out.printf("images with a dead letter:                %,d %s%n", dead.size(), reasons);
        System.out.printf("images with both:                         %,d%n", both);
        System.out.printf(
                "inputs covered from offset 0 without gap: %,d; covered after the first gap: %,d%n",
                prefix, coveredAfterPrefix);
        System.out.printf("consumed inputs without any output:       %,d%n", uncoveredConsumed);
    }

    private interface RecordSink {
        void accept(ConsumerRecord<byte[], byte[]> record);
    }

    private static void readAll(JobConfig.KafkaConfig kafka, String topic, RecordSink sink) {
        Properties props = KafkaSettings.of(kafka.bootstrapServers()).toProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    sink.accept(r);
                }
            }
        }
    }

    private static long directorySize(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> files = Files.walk(dir)) {
                return files.filter(Files::isRegularFile)
                        .mapToLong(p -> {
                            try {
                                return Files.size(p);
                            } catch (IOException e) {
                                return 0; // deleted meanwhile
                            }
                        })
                        .sum();
            } catch (java.io.UncheckedIOException e) {
                if (attempt == 5) {
                    return -1; // checkpoints kept being subsumed while walking
                }
            }
        }
    }

    private static void wipe(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
