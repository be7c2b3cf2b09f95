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

    /** The arguments are refused with exit code 2 and a message on standard error. */
    private static void assertRefused(String message, String... args) {
        StringWriter err = new StringWriter();
        assertThat(run(err, args)).isEqualTo(2);
        assertThat(err.toString()).contains(message);
    }

    @Test
    void badArgumentsAreRejectedWithAMessage() {
        assertRefused("--mode must be exact or approximate, got 'fuzzy'", "serve", "--models", "m", "--mode", "fuzzy");
        assertRefused("--models", "serve");
        assertRefused("--parameters", "export", "--out", "x");
    }

    @Test
    void theLimitAndHealthOptionsAreValidatedAndListedWithTheirDefaults() {
        assertRefused("'soon' is not a duration", "serve", "--models", "m", "--stale-after", "soon");
        assertRefused(
                "--stale-after needs --model-versions-topic",
                "serve",
                "--models",
                "m",
                "--model-versions-topic",
                "",
                "--stale-after",
                "2h");
        assertRefused("image limits", "serve", "--models", "m", "--max-image-pixels", "10");
        assertRefused("0 concurrent embeddings", "serve", "--models", "m", "--max-concurrent-embeddings", "0");

        StringWriter help = new StringWriter();
        CommandLine cli = new CommandLine(new SearchServiceMain());
        cli.setOut(new PrintWriter(help));
        assertThat(cli.execute("serve", "--help")).isZero();
        assertThat(help.toString())
                .contains(
                        "--max-image-bytes",
                        "default: 10485760",
                        "--max-image-pixels",
                        "default: 16777216",
                        "--max-decoded-bytes",
                        "default: 67108864",
                        "--max-concurrent-embeddings",
                        "processors, " + Runtime.getRuntime().availableProcessors(),
                        "--embedding-wait-ms",
                        "--stale-after");
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
