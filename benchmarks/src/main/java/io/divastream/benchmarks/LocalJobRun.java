package io.divastream.benchmarks;

import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.demo.DemoOptions;
import io.divastream.dev.LocalCluster;
import io.divastream.dev.LocalKafkaBroker;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.config.LocalJobOptions;
import io.divastream.jobs.config.RuntimeOptions;
import io.divastream.jobs.pipeline.DivaEnvironment;
import io.divastream.jobs.pipeline.DivaPipeline;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The DiVA job as the local demo runs it, for the job benchmarks: the in-process Kafka broker
 * (KRaft, on a free port of 127.0.0.1) with the job's topics, and a Flink MiniCluster (one task
 * manager, RocksDB state, the configured checkpoints in the work directory) on which {@link
 * #submit()} starts {@link DivaPipeline#defineKafkaWorkflow}. The job's options are the job's
 * defaults with the demo's ({@link DemoOptions#JOB_DEFAULTS}), then the benchmark's, then the
 * command line's.
 */
final class LocalJobRun implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Checkpoints whose statistics the cluster keeps ({@code web.checkpoints.history}; Flink's default is 10). */
    static final int CHECKPOINT_HISTORY = 2000;

    private final HttpClient http = HttpClient.newHttpClient();
    private final LocalKafkaBroker broker;
    private final JobConfig config;
    private final String jobArguments;
    private LocalCluster cluster;
    private JobID job;
    private boolean closed;

    private LocalJobRun(LocalKafkaBroker broker, JobConfig config, String jobArguments) {
        this.broker = broker;
        this.config = config;
        this.jobArguments = jobArguments;
    }

    /**
     * The options a job benchmark accepts: its own, then every job option with the demo's and the
     * benchmark's defaults (the bootstrap servers are the local broker's).
     *
     * @param own the benchmark's own options
     * @param jobDefaults job options whose benchmark default differs from the demo's
     * @return the options
     */
    static LocalJobOptions options(List<DivaOption<?>> own, List<DivaOption<?>> jobDefaults) {
        Map<String, DivaOption<?>> defaults = new LinkedHashMap<>();
        for (DivaOption<?> option : DemoOptions.JOB_DEFAULTS) {
            defaults.put(option.key(), option);
        }
        for (DivaOption<?> option : jobDefaults) {
            defaults.put(option.key(), option);
        }
        return LocalJobOptions.of(own, List.copyOf(defaults.values()), "ignored: the benchmark starts its own broker");
    }

    /**
     * Wipes the work directory, starts the broker, creates the topics and builds the job's
     * configuration; the job is not started yet.
     *
     * @param options the benchmark's options (see {@link #options})
     * @param given the options given to the benchmark
     * @param work the work directory (wiped): broker log, checkpoints, log file
     * @return the run
     * @throws IOException if the work directory cannot be wiped
     */
    static LocalJobRun start(LocalJobOptions options, Configuration given, Path work) throws IOException {
        wipe(work);
        Files.createDirectories(work);
        LocalKafkaBroker broker = LocalKafkaBroker.start(
                LocalKafkaBroker.Config.defaults().withPort(0).withLogDirectory(work.resolve("kafka")));
        try {
            Configuration job = options.jobConfiguration(given, broker.bootstrapServers(), work.resolve("checkpoints"));
            // the checkpoints always go to the work directory, which is wiped
            RuntimeOptions.CHECKPOINT_DIR.set(
                    job, work.resolve("checkpoints").toUri().toString());
            JobConfig config = JobOptions.fromConfiguration(job);
            JobConfig.KafkaConfig kafka = config.kafka();
            TopicAdmin.ensureTopics(kafka.settings(), kafka.singleBrokerTopics(1));
            return new LocalJobRun(broker, config, LocalJobOptions.describe(job));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /**
     * Returns the job's configuration.
     *
     * @return the configuration
     */
    JobConfig config() {
        return config;
    }

    /**
     * Returns the job's options as passed to {@link JobOptions}, for the record.
     *
     * @return {@code --key=value} strings
     */
    String jobArguments() {
        return jobArguments;
    }

    /**
     * Starts a MiniCluster and submits the job to it.
     *
     * @throws Exception if the cluster or the job does not start
     */
    void submit() throws Exception {
        Configuration conf = DivaEnvironment.configuration(config.runtime());
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
        conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, CHECKPOINT_HISTORY);
        DivaEnvironment.localCluster(conf, "127.0.0.1", 0);
        cluster = LocalCluster.run(
                conf, config.runtime().parallelism(), DivaPipeline.kafkaJob(config, conf), "diva-stream-benchmark");
        job = cluster.jobId();
    }

    /**
     * Fails if the job has ended (it never ends by itself).
     *
     * @throws Exception if the job ended or its status is unavailable
     */
    void checkRunning() throws Exception {
        var status = cluster.status();
        if (status.isGloballyTerminalState()) {
            throw new IllegalStateException("the Flink job ended: " + status);
        }
    }

    /**
     * Returns the job's checkpoint statistics.
     *
     * @return the statistics, null before the job runs
     * @throws Exception if the execution graph is unavailable
     */
    CheckpointStatsSnapshot checkpointStats() throws Exception {
        return cluster.executionGraph().getCheckpointStatsSnapshot();
    }

    /**
     * Returns the job's execution graph (task names and ids, checkpoint statistics).
     *
     * @return the graph
     * @throws Exception if it is unavailable
     */
    AccessExecutionGraph executionGraph() throws Exception {
        return cluster.executionGraph();
    }

    /**
     * Reads metrics of the task (chain of operators) whose name contains an operator's name, from
     * the cluster's REST API: task-level ones such as {@code 0.busyTimeMsPerSecond} and
     * operator-level ones such as {@code 0.diva-trainer.stepTimeMs_mean} alike.
     *
     * @param operator the name of an operator of the task
     * @param select which metric ids to read
     * @return value per metric id; empty if the task or its metrics are not (yet) available
     */
    Map<String, Double> metrics(String operator, java.util.function.Predicate<String> select) {
        Map<String, Double> out = new java.util.TreeMap<>();
        try {
            URI rest = cluster.restAddress();
            JsonNode vertices = get(rest.resolve("/jobs/" + job).toString()).get("vertices");
            String vertex = null;
            for (JsonNode v : vertices) {
                if (v.get("name").asText().contains(operator)) {
                    vertex = v.get("id").asText();
                }
            }
            if (vertex == null) {
                return out;
            }
            String base = rest.resolve("/jobs/" + job + "/vertices/" + vertex + "/metrics")
                    .toString();
            List<String> ids = new ArrayList<>();
            for (JsonNode m : get(base)) {
                String id = m.get("id").asText();
                if (select.test(id)) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                return out;
            }
            for (JsonNode m : get(base + "?get=" + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8))) {
                try {
                    out.put(
                            m.get("id").asText(),
                            Double.parseDouble(m.get("value").asText()));
                } catch (NumberFormatException e) {
                    // a non-numeric gauge
                }
            }
        } catch (Exception e) {
            // not available (yet)
        }
        return out;
    }

    private JsonNode get(String uri) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /**
     * A consumer of one topic's single partition, from its beginning.
     *
     * @param topic the topic
     * @param isolation {@code read_committed} or {@code read_uncommitted}
     * @return the consumer (the caller closes it)
     */
    KafkaConsumer<byte[], byte[]> consumer(String topic, String isolation) {
        Properties props = config.kafka().settings().toProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** Cancels the job, then stops the cluster and the broker; a second call does nothing. */
    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (cluster != null) {
                try {
                    if (job != null && !cluster.status().isGloballyTerminalState()) {
                        cluster.cancel();
                    }
                } finally {
                    cluster.close();
                }
            }
        } finally {
            broker.close();
        }
    }

    /**
     * Sleeps, failing fast if the job ended.
     *
     * @param duration how long
     * @throws Exception if interrupted or the job ended
     */
    void sleep(Duration duration) throws Exception {
        Thread.sleep(duration.toMillis());
        checkRunning();
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
