package io.divastream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The cluster entry point reports configuration errors in one line. */
class DivaStreamJobTest {

    @Test
    void aConfigTypoIsOneLineAndNoConfiguration() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var config = DivaStreamJob.parseOrNull(
                new String[] {"--kafka.bootstrap-servers", "k:9092", "--batch.clases", "8"},
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(config).isNull();
        assertThat(err.toString(StandardCharsets.UTF_8).lines())
                .singleElement()
                .asString()
                .startsWith("diva-stream: unknown option --batch.clases")
                .contains("did you mean --batch.classes?");
    }

    @Test
    void missingBootstrapServersAreReported() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(DivaStreamJob.parseOrNull(new String[0], new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isNull();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--kafka.bootstrap-servers is required");
    }

    @Test
    void validOptionsParse() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(DivaStreamJob.parseOrNull(
                        new String[] {"--kafka.bootstrap-servers", "k:9092"},
                        new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isNotNull();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
