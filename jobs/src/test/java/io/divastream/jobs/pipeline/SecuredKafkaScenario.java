package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.dev.ScramUser;
import io.divastream.jobs.DivaStreamJob;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.producer.ImageEventProducerMain;
import io.divastream.producer.InterleavedOrder;
import io.divastream.search.SearchServiceMain;
import io.divastream.search.index.EmbeddingsFollower;
import io.divastream.search.index.GraphSearch;
import io.divastream.search.index.SearchMode;
import io.divastream.search.index.VersionedIndex;
import io.divastream.watch.WatchCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job, the producer, the search service's followers and {@code watch} against a broker whose only client
 * listener takes SCRAM-SHA-512 logins (over SASL_PLAINTEXT in {@link SecuredKafkaIT}, over TLS in
 * {@link TlsKafkaIT}), each given the login (and the trust store) as {@code kafka.properties.*}; and the one-line
 * refusal that the job, the producer, the search service and {@code watch} report with a wrong password.
 */
abstract class SecuredKafkaScenario {

    static final ScramUser USER = new ScramUser("diva-it", "it-password-7");

    @TempDir
    Path work;

    /** The secured broker of the concrete test class. */
    abstract LocalKafkaExtension kafka();

    /** The client listener's security protocol that the concrete test class expects. */
    abstract String protocol();

    @Test
    void everyProgramWorksWithTheLoginAndIsRefusedInOneLineWithoutIt() throws Exception {
        LocalKafkaExtension kafka = kafka();
        Map<String, String> clientProperties = kafka.broker().clientProperties();
        assertThat(clientProperties).containsEntry("security.protocol", protocol());
        Path login = clientFile("client.properties", USER.password());
        Path wrong = clientFile("wrong.properties", "not-the-password");
        List<String> args = PipelineFixture.smallRunArgs(kafka, "sec", work.resolve("checkpoints"));
        List<String> refused = new ArrayList<>(args);
        refused.addAll(List.of("--kafka.properties-file", wrong.toString()));
        for (Map.Entry<String, String> p : clientProperties.entrySet()) {
            args.add("--kafka.properties." + p.getKey() + "=" + p.getValue());
        }
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));
        for (Map.Entry<String, String> p : clientProperties.entrySet()) {
            if (p.getKey().endsWith("password") || p.getKey().equals("sasl.jaas.config")) {
                assertThat(config.toString()).doesNotContain(p.getValue());
            }
        }
        assertThat(config.toString()).doesNotContain(USER.password());
        ByteArrayOutputStream jobErr = new ByteArrayOutputStream();
        assertThat(DivaStreamJob.reachable(config, new PrintStream(jobErr, true, StandardCharsets.UTF_8)))
                .isTrue();

        JobConfig refusedConfig = JobOptions.parse(refused.toArray(String[]::new));
        assertThat(DivaStreamJob.reachable(refusedConfig, new PrintStream(jobErr, true, StandardCharsets.UTF_8)))
                .isFalse();
        assertOneLineRefusal(jobErr, "diva-stream: Kafka at ");

        PipelineFixture.createTopics(kafka, config);
        PipelineFixture.publish(kafka, config, InterleavedOrder.of(OmniglotSample.of(16, 6, 8), 3), 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(ImageEventProducerMain.run(
                        producerArgs("--kafka.properties-file", login.toString()), print(out), print(err)))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        assertThat(kafka.readAll("sec.extra-images", 5, Duration.ofSeconds(30))).hasSize(5);
        ByteArrayOutputStream producerErr = new ByteArrayOutputStream();
        assertThat(ImageEventProducerMain.run(
                        producerArgs("--kafka.properties-file", wrong.toString()), print(out), print(producerErr)))
                .isEqualTo(ImageEventProducerMain.EXIT_FAILURE);
        assertOneLineRefusal(producerErr, "error: Kafka at ");

        ByteArrayOutputStream searchErr = new ByteArrayOutputStream();
        String[] serve = {
            "serve",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--models",
            work.resolve("models").toString(),
            "--port",
            "0",
            "--kafka.properties-file",
            wrong.toString()
        };
        assertThat(SearchServiceMain.run(serve, print(out), print(searchErr))).isEqualTo(1);
        assertOneLineRefusal(searchErr, "diva-search: Kafka at ");

        VersionedIndex index = new VersionedIndex(SearchMode.EXACT, 0.95, 0.05, GraphSearch.Params.DEFAULT);
        JobClient job = PipelineFixture.start(config, "secured-kafka-it");
        try (EmbeddingsFollower search =
                new EmbeddingsFollower(kafka.settings(), config.kafka().embeddingsTopic(), index)) {
            PipelineFixture.awaitVersion(kafka, config, 2, Duration.ofMinutes(3));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (index.status().servedImages() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(index.status().servedImages()).as("images searchable").isPositive();
        } finally {
            PipelineFixture.cancelAndAwait(job);
        }

        ByteArrayOutputStream watchOut = new ByteArrayOutputStream();
        ByteArrayOutputStream watchErr = new ByteArrayOutputStream();
        int watched = WatchCommand.run(
                watchArgs("--kafka.properties-file", login.toString()), print(watchOut), print(watchErr));
        assertThat(watched).as(watchErr.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(watchOut.toString(StandardCharsets.UTF_8)).contains("model version");
        ByteArrayOutputStream refusedWatch = new ByteArrayOutputStream();
        assertThat(WatchCommand.run(
                        watchArgs("--kafka.properties-file", wrong.toString()), print(watchOut), print(refusedWatch)))
                .isEqualTo(WatchCommand.EXIT_FAILURE);
        assertOneLineRefusal(refusedWatch, "watch: Kafka at ");

        assertThat(new KafkaSettings(kafka.bootstrapServers(), Map.of()).toString())
                .doesNotContain("password");
    }

    private String[] producerArgs(String... more) {
        LocalKafkaExtension kafka = kafka();
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "sec.extra-images", "--limit", "5"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private String[] watchArgs(String... more) {
        LocalKafkaExtension kafka = kafka();
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--metrics-topic",
                "sec.metrics",
                "--timeout",
                "60",
                "--no-clear"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private Path clientFile(String name, String password) throws Exception {
        Properties properties = new Properties();
        properties.putAll(kafka().broker().clientProperties());
        properties.put("sasl.jaas.config", new ScramUser(USER.name(), password).jaasConfig());
        Path file = work.resolve(name);
        try (var out = Files.newOutputStream(file)) {
            properties.store(out, "SCRAM login");
        }
        return file;
    }

    private static PrintStream print(ByteArrayOutputStream out) {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }

    private void assertOneLineRefusal(ByteArrayOutputStream err, String start) {
        LocalKafkaExtension kafka = kafka();
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text.lines())
                .as(text)
                .singleElement()
                .asString()
                .startsWith(start + kafka.bootstrapServers()
                        + " (security.protocol " + protocol()
                        + ", sasl.mechanism SCRAM-SHA-512) refused authentication")
                .doesNotContain("not-the-password");
    }
}
