package io.divastream.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SearchServiceMainTest {

    private static int run(StringWriter err, String... args) {
        CommandLine cli = new CommandLine(new SearchServiceMain());
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        return cli.execute(args);
    }

    @Test
    void badArgumentsAreRejectedWithAMessage() {
        StringWriter err = new StringWriter();
        assertThat(run(err, "serve", "--models", "m", "--mode", "fuzzy")).isEqualTo(2);
        assertThat(err.toString()).contains("--mode must be exact or approximate, got 'fuzzy'");

        StringWriter missing = new StringWriter();
        assertThat(run(missing, "serve")).isEqualTo(2);
        assertThat(missing.toString()).contains("--models");

        StringWriter unknown = new StringWriter();
        assertThat(run(unknown, "export", "--out", "x")).isEqualTo(2);
        assertThat(unknown.toString()).contains("--parameters");
    }

    @Test
    void theLimitAndHealthOptionsAreValidatedAndListedWithTheirDefaults() {
        StringWriter stale = new StringWriter();
        assertThat(run(stale, "serve", "--models", "m", "--stale-after", "soon")).isEqualTo(2);
        assertThat(stale.toString()).contains("'soon' is not a duration");

        StringWriter noTopic = new StringWriter();
        assertThat(run(noTopic, "serve", "--models", "m", "--model-versions-topic", "", "--stale-after", "2h"))
                .isEqualTo(2);
        assertThat(noTopic.toString()).contains("--stale-after needs --model-versions-topic");

        StringWriter pixels = new StringWriter();
        assertThat(run(pixels, "serve", "--models", "m", "--max-image-pixels", "10")).isEqualTo(2);
        assertThat(pixels.toString()).contains("image limits");

        StringWriter permits = new StringWriter();
        assertThat(run(permits, "serve", "--models", "m", "--max-concurrent-embeddings", "0")).isEqualTo(2);
        assertThat(permits.toString()).contains("0 concurrent embeddings");

        StringWriter help = new StringWriter();
        CommandLine cli = new CommandLine(new SearchServiceMain());
        cli.setOut(new PrintWriter(help));
        assertThat(cli.execute("serve", "--help")).isZero();
        assertThat(help.toString()).contains("--max-image-bytes", "default: 10485760", "--max-image-pixels",
                "default: 16777216", "--max-decoded-bytes", "default: 67108864", "--max-concurrent-embeddings",
                "processors, " + Runtime.getRuntime().availableProcessors(), "--embedding-wait-ms", "--stale-after");
    }

    @Test
    void durationsTakeAUnitOrIso8601() {
        SearchServiceMain.DurationConverter c = new SearchServiceMain.DurationConverter();
        assertThat(c.convert("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.convert("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.convert("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(c.convert("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(c.convert("PT90M")).isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> c.convert("0s")).hasMessageContaining("positive");
        assertThatThrownBy(() -> c.convert("5 weeks")).hasMessageContaining("not a duration");
    }
}
