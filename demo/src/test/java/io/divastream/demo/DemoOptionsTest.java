package io.divastream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.config.Arguments;
import io.divastream.jobs.config.Option;
import io.divastream.jobs.pipeline.DivaEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's options: the job's file, its own options, its Prometheus default. */
class DemoOptionsTest {

    @TempDir Path dir;

    private Path file(String... lines) throws IOException {
        Path file = dir.resolve("diva-" + System.nanoTime() + ".properties");
        Files.write(file, List.of(lines));
        return file;
    }

    @Test
    void theDemoReadsTheSameFileAndKeepsItsOwnOptions() throws IOException {
        Path f = file("batch.classes = 9");
        Arguments a = Arguments.parse(new String[] {"--config", f.toString(), "--demo.rate", "5"}, DemoOptions.all());
        assertThat(a.string("batch.classes")).isEqualTo("9");
        assertThat(a.has("batch.classes")).isTrue();
        assertThat(a.string("demo.rate")).isEqualTo("5");
        assertThat(a.string("kafka.bootstrap-servers")).isEmpty();
    }

    @Test
    void theDemoStopsOnABadFileBeforeStartingAnything() throws IOException {
        Path f = file("batch.classes = 9", "train.devise = gpu");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status = io.divastream.demo.LocalDemo.execute(
                new String[] {"--config", f.toString()}, new java.io.PrintStream(out), new java.io.PrintStream(err));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("diva-demo: " + f
                + ":2: unknown key train.devise (did you mean train.device?); run with --help for the list" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void theLocalRunnerServesPrometheusOnItsCustomaryPortByDefault() {
        Option port =
                DemoOptions.all().stream().filter(o -> o.key().equals("metrics.prometheus-port")).findFirst().orElseThrow();
        assertThat(port.defaultValue()).isEqualTo(Integer.toString(DivaEnvironment.DEFAULT_PROMETHEUS_PORT));
    }
}
