package io.divastream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's user errors: one line on stderr, exit status 2, no stack trace, nothing started. */
class LocalDemoTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return LocalDemo.execute(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errorText() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aTypoInAnOptionIsOneLineWithASuggestion() {
        assertThat(run("--demo.max-step", "5")).isEqualTo(2);
        assertThat(errorText().lines())
                .singleElement()
                .asString()
                .startsWith("diva-demo: unknown option --demo.max-step")
                .contains("did you mean --demo.max-steps?");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aBadValueIsOneLineNamingTheOption() {
        assertThat(run(
                        "--batch.classes",
                        "many",
                        "--demo.work-dir",
                        dir.resolve("work").toString()))
                .isEqualTo(2);
        assertThat(errorText().lines())
                .singleElement()
                .asString()
                .contains("--batch.classes must be an integer, got 'many'");
        assertThat(dir.resolve("work")).as("no broker was started").doesNotExist();
    }

    @Test
    void aMissingDataDirectoryIsOneLineNamingThePath() {
        Path missing = dir.resolve("no-such-omniglot");
        assertThat(run(
                        "--demo.data-dir",
                        missing.toString(),
                        "--demo.work-dir",
                        dir.resolve("work").toString()))
                .isEqualTo(2);
        assertThat(errorText().lines())
                .singleElement()
                .asString()
                .startsWith("diva-demo: ")
                .contains(missing.toString());
        assertThat(dir.resolve("work")).as("nothing was started").doesNotExist();
    }

    @Test
    void helpListsTheDemoAndJobOptions() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--demo.max-minutes", "--batch.classes", "--route.eval-labels");
        assertThat(errorText()).isEmpty();
    }
}
