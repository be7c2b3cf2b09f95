package io.divastream.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
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
}
