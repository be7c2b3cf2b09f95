package io.divastream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.config.BatchOptions;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.config.KafkaOptions;
import io.divastream.jobs.pipeline.DivaEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's options: the job's file, its own options, its Prometheus default. */
class DemoOptionsTest {

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path file = dir.resolve("diva-" + System.nanoTime() + ".properties");
        Files.write(file, List.of(lines));
        return file;
    }

    @Test
    void theDemoReadsTheSameFileAndKeepsItsOwnOptions() throws IOException {
        Path f = file("batch.classes = 9");
        var given = DemoOptions.ALL.parse("--config", f.toString(), "--demo.rate", "5");
        assertThat(BatchOptions.CLASSES.get(given)).isEqualTo(9);
        assertThat(BatchOptions.CLASSES.isSet(given)).isTrue();
        assertThat(DemoOptions.RATE.get(given)).isEqualTo(5.0);
        assertThat(KafkaOptions.BOOTSTRAP_SERVERS.isSet(given)).isFalse();
    }

    @Test
    void theJobGetsTheDemosDefaultsTheBrokersAndTheCheckpointsUnlessGiven() {
        JobConfig config = JobOptions.fromConfiguration(
                DemoOptions.ALL.jobConfiguration(DemoOptions.ALL.parse(), "127.0.0.1:9", dir.resolve("cp")));
        assertThat(config.training().model().optimizer().decaySteps()).containsExactly(3000L);
        assertThat(config.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9");
        assertThat(config.runtime().checkpointDirectory())
                .isEqualTo(dir.resolve("cp").toUri().toString());
        JobConfig given = JobOptions.fromConfiguration(DemoOptions.ALL.jobConfiguration(
                DemoOptions.ALL.parse("--train.lr-decay-steps", "", "--checkpoint.dir", "/x"), "h:1", dir));
        assertThat(given.training().model().optimizer().decaySteps()).isEmpty();
        assertThat(given.runtime().checkpointDirectory()).isEqualTo("/x");
    }

    @Test
    void theDemoStopsOnABadFileBeforeStartingAnything() throws IOException {
        Path f = file("batch.classes = 9", "train.devise = gpu");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status = io.divastream.demo.LocalDemo.execute(
                new String[] {"--config", f.toString()}, new java.io.PrintStream(out), new java.io.PrintStream(err));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("diva-demo: " + f
                        + ":2: unknown key train.devise (did you mean train.device?); run with --help for the list"
                        + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void theLocalRunnerServesPrometheusOnItsCustomaryPortByDefault() {
        assertThat(DemoOptions.PROMETHEUS_PORT.get(DemoOptions.ALL.parse()))
                .isEqualTo(DivaEnvironment.DEFAULT_PROMETHEUS_PORT);
    }

    @Test
    void everyOptionKeepsItsNameAndDefaultFromBeforeTheTypedDeclarations() throws IOException {
        java.util.regex.Pattern line =
                java.util.regex.Pattern.compile("  --(\\S+)\\s+.*?(?: \\(required\\)| \\[(.*)])");
        java.util.Map<String, String> before = new java.util.LinkedHashMap<>();
        try (var in = getClass().getResourceAsStream("demo-help-before-issue-14.txt")) {
            for (String text : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                var m = line.matcher(text);
                if (m.matches() && !m.group(1).equals("config")) {
                    before.put(m.group(1), m.group(2));
                }
            }
        }
        assertThat(before).hasSize(93);
        java.util.Map<String, String> now = new java.util.LinkedHashMap<>();
        for (var option : DemoOptions.ALL.options().options()) {
            now.put(option.key(), option.defaultText());
        }
        // options added since, for the photo path (docs/photos.md) and the photo demo
        now.keySet()
                .removeAll(java.util.Set.of(
                        "model.backbone-file",
                        "model.backbone-feature-dim",
                        "model.backbone-input-size",
                        "model.backbone-resize",
                        "model.backbone-mean",
                        "model.backbone-std",
                        "train.feature-views",
                        "source.training-reader-niceness",
                        "batch.replay-memory",
                        "batch.replay-share",
                        "metrics.class-group-size",
                        "metrics.tracked-classes",
                        "promotion.tolerance",
                        "promotion.min-eval-images",
                        "topic.promotions",
                        "topic.promotion-commands",
                        "serde.format",
                        "serde.registry-url",
                        "train.mode",
                        "state.feature-precision",
                        "demo.dataset",
                        "demo.classes",
                        "demo.discriminative-only",
                        "demo.order",
                        "demo.wave-size",
                        "demo.chart"));
        assertThat(now).containsExactlyInAnyOrderEntriesOf(before);
    }
}
