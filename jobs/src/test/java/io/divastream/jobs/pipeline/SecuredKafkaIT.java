package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.dev.LocalKafkaBroker;
import io.divastream.dev.ScramUser;
import io.divastream.jobs.DivaStreamJob;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.producer.ImageEventProducerMain;
import io.divastream.producer.InterleavedOrder;
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
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job, the producer, the search service's followers and {@code watch} against a broker whose only client
 * listener takes SASL_PLAINTEXT with SCRAM-SHA-512, each given the login as {@code kafka.properties.*}; and the
 * one-line refusal that the job, the search service, the producer and {@code watch} report with a wrong password.
 */
class SecuredKafkaIT {

    private static final ScramUser USER = new ScramUser("diva-it", "it-password-7");

    @RegisterExtension
    static final LocalKafkaExtension KAFKA =
            new LocalKafkaExtension(LocalKafkaBroker.Config.defaults().withScramUser(USER));

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineFixture.miniCluster();

    @TempDir
    Path work;

    @Test
    void everyProgramWorksWithTheLoginAndIsRefusedInOneLineWithoutIt() throws Exception {
        Path login = clientFile("client.properties", USER.password());
        Path wrong = clientFile("wrong.properties", "not-the-password");
        List<String> args = PipelineFixture.smallRunArgs(KAFKA, "sec", work.resolve("checkpoints"));
        List<String> refused = new ArrayList<>(args);
        refused.addAll(List.of("--kafka.properties-file", wrong.toString()));
        for (Map.Entry<String, String> p : USER.clientProperties().entrySet()) {
            args.add("--kafka.properties." + p.getKey() + "=" + p.getValue());
        }
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));
        assertThat(config.toString()).doesNotContain(USER.password());
        ByteArrayOutputStream jobErr = new ByteArrayOutputStream();
        assertThat(DivaStreamJob.reachable(config, new PrintStream(jobErr, true, StandardCharsets.UTF_8)))
                .isTrue();

        JobConfig refusedConfig = JobOptions.parse(refused.toArray(String[]::new));
        assertThat(DivaStreamJob.reachable(refusedConfig, new PrintStream(jobErr, true, StandardCharsets.UTF_8)))
                .isFalse();
        assertOneLineRefusal(jobErr, "diva-stream: Kafka at ");

        PipelineFixture.createTopics(KAFKA, config);
        PipelineFixture.publish(KAFKA, config, InterleavedOrder.of(OmniglotSample.of(16, 6, 8), 3), 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(ImageEventProducerMain.run(
                        producerArgs("--kafka.properties-file", login.toString()), print(out), print(err)))
                .as(err.toString(StandardCharsets.UTF_8))
                .isZero();
        assertThat(KAFKA.readAll("sec.extra-images", 5, Duration.ofSeconds(30))).hasSize(5);
        ByteArrayOutputStream producerErr = new ByteArrayOutputStream();
        assertThat(ImageEventProducerMain.run(
                        producerArgs("--kafka.properties-file", wrong.toString()), print(out), print(producerErr)))
                .isEqualTo(ImageEventProducerMain.EXIT_FAILURE);
        assertOneLineRefusal(producerErr, "error: Kafka at ");

        VersionedIndex index = new VersionedIndex(SearchMode.EXACT, 0.95, 0.05, GraphSearch.Params.DEFAULT);
        JobClient job = PipelineFixture.start(config, "secured-kafka-it");
        try (EmbeddingsFollower search =
                new EmbeddingsFollower(KAFKA.settings(), config.kafka().embeddingsTopic(), index)) {
            PipelineFixture.awaitVersion(KAFKA, config, 2, Duration.ofMinutes(3));
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

        assertThat(new KafkaSettings(KAFKA.bootstrapServers(), Map.of()).toString())
                .doesNotContain("password");
    }

    private String[] producerArgs(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers", KAFKA.bootstrapServers(), "--topic", "sec.extra-images", "--limit", "5"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static String[] watchArgs(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
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
        properties.putAll(new ScramUser(USER.name(), password).clientProperties());
        Path file = work.resolve(name);
        try (var out = Files.newOutputStream(file)) {
            properties.store(out, "SCRAM login");
        }
        return file;
    }

    private static PrintStream print(ByteArrayOutputStream out) {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }

    private static void assertOneLineRefusal(ByteArrayOutputStream err, String start) {
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text.lines())
                .as(text)
                .singleElement()
                .asString()
                .startsWith(start + KAFKA.bootstrapServers()
                        + " (security.protocol SASL_PLAINTEXT, sasl.mechanism SCRAM-SHA-512) refused authentication")
                .doesNotContain("not-the-password");
    }
}
