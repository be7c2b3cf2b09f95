package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's metrics as Prometheus scrapes them: a MiniCluster configured with {@link
 * DivaEnvironment#localCluster} with the Prometheus reporter on a free port runs the Kafka-to-Kafka job on a few
 * Omniglot images and one corrupt event, and {@code http://127.0.0.1:port/} is read with {@code
 * java.net.http} until the trainer, the decoder, the embedder and the Kafka source have reported.
 */
class DivaMetricsIT {

    private static final int PORT = freePort();
    private static final String OPERATOR = "flink_taskmanager_job_task_operator_";

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(DivaEnvironment.localCluster(new Configuration(), "127.0.0.1", PORT))
            .build());

    @TempDir
    Path checkpoints;

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    /** One sample of the scrape: {@code name{labels} value}. */
    private record Sample(String name, String labels, double value) {}

    private static List<Sample> scrape(HttpClient http) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(200);
        List<Sample> samples = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            int brace = series.indexOf('{');
            String name = brace < 0 ? series : series.substring(0, brace);
            String labels = brace < 0 ? "" : series.substring(brace);
            samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
        return samples;
    }

    private static List<Sample> named(List<Sample> samples, String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    private static double sum(List<Sample> samples, String name) {
        return named(samples, name).stream().mapToDouble(Sample::value).sum();
    }

    private static boolean ready(List<Sample> s) {
        return named(s, OPERATOR + "loss_total").stream().anyMatch(x -> Double.isFinite(x.value()))
                && sum(s, OPERATOR + "stepTimeMs_count") >= 1
                && sum(s, OPERATOR + "deadLetters_UNDECODABLE_RECORD") >= 1
                && sum(s, OPERATOR + "eventToEmbeddingLatencyMs_count") >= 1
                && !named(s, OPERATOR + "oldestStaleEmbeddingAgeMs").isEmpty()
                && !named(s, OPERATOR + "pendingRecords").isEmpty()
                && !named(s, OPERATOR + "KafkaSourceReader_KafkaConsumer_records_lag_max")
                        .isEmpty();
    }

    @Test
    void theTrainerDecoderEmbedderAndSourceMetricsReachPrometheus() throws Exception {
        JobConfig config = PipelineFixture.deterministicRun(KAFKA, "metrics-it", checkpoints, 2);
        PipelineFixture.createTopics(KAFKA, config);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(ImageEventProducer.producerConfig(KAFKA.settings()))) {
            producer.send(new ProducerRecord<>(
                    config.kafka().imagesTopic(),
                    "garbage".getBytes(StandardCharsets.UTF_8),
                    "not avro at all".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
        long started = System.currentTimeMillis();
        PipelineFixture.publishInOrder(KAFKA, config, InterleavedOrder.of(OmniglotSample.of(10, 2, 6), 3));

        JobClient job = PipelineFixture.start(config, "diva-metrics-it");
        List<Sample> samples = List.of();
        try {
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    samples = scrape(http);
                } catch (IOException e) {
                    samples = List.of(); // the cluster starts the reporter before the job runs
                }
                if (ready(samples)) {
                    break;
                }
                Thread.sleep(1000);
            }
        } finally {
            job.cancel().get();
        }
        long elapsed = System.currentTimeMillis() - started;
        TreeSet<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        assertThat(ready(samples))
                .as("the metrics that were reported: %s", names)
                .isTrue();
        System.out.println("operator metrics served: "
                + names.stream().filter(n -> n.startsWith(OPERATOR)).toList());

        // the trainer: the last step's losses, its step times, its rates
        Sample total = named(samples, OPERATOR + "loss_total").get(0);
        // the reporter replaces characters Prometheus does not allow in label values
        assertThat(total.labels()).contains("operator_name=\"" + Uids.TRAINER.replace('-', '_') + "\"");
        assertThat(total.value()).isFinite();
        assertThat(named(samples, OPERATOR + "loss_discriminative").get(0).value())
                .isFinite()
                .isNotNegative();
        assertThat(named(samples, OPERATOR + "stepTimeMs").stream()
                        .filter(s -> s.labels().contains("quantile")))
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s.value()).isBetween(0.0, (double) elapsed));
        assertThat(sum(samples, OPERATOR + "numTrainingSteps")).isPositive();
        assertThat(named(samples, OPERATOR + "queueFill").get(0).value()).isBetween(0.0, 1.0);
        assertThat(names).contains(OPERATOR + "numTrainingImagesPerSecond", OPERATOR + "learningRateScale");

        // ingestion: the corrupt event is counted under its reason, nothing else was rejected
        assertThat(sum(samples, OPERATOR + "deadLetters_UNDECODABLE_RECORD")).isEqualTo(1.0);
        assertThat(sum(samples, OPERATOR + "deadLetters_EMPTY_LABEL")).isZero();
        assertThat(sum(samples, OPERATOR + "deadLetters_CATALOGUE_FULL")).isZero();
        assertThat(sum(samples, OPERATOR + "numImagesDecoded")).isPositive();
        assertThat(named(samples, OPERATOR + "pendingRecords"))
                .allSatisfy(s -> assertThat(s.value()).isNotNegative());

        // freshness: the age of the stalest embedding, and the latency of first embeddings
        assertThat(named(samples, OPERATOR + "oldestStaleEmbeddingAgeMs"))
                .allSatisfy(s -> assertThat(s.value()).isBetween(0.0, (double) elapsed));
        assertThat(named(samples, OPERATOR + "eventToEmbeddingLatencyMs").stream()
                        .filter(s -> s.labels().contains("quantile")))
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s.value()).isBetween(0.0, (double) elapsed + 60_000));
    }
}
