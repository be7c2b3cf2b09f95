package io.divastream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, defect 6: during the job's restart loop the demo printed nothing, then wrote {@code
 * demo-results.json} from version 0 and exited 0. Here the whole demo runs (its broker, its local
 * cluster, the shipped Omniglot images) with an export directory that cannot be created, so the job
 * fails at its first model version and restarts for ever: the demo stops at the first failure, exits 1
 * with one line naming the cause, and writes no results.
 */
class LocalDemoFailureIT {

    @TempDir
    Path dir;

    @Test
    void theDemoStopsAtTheJobsFirstFailureNamingItAndWritesNoResults() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path results = dir.resolve("demo-results.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = LocalDemo.execute(
                new String[] {
                    "--demo.kafka-port", "0",
                    "--metrics.prometheus-port", "0",
                    "--demo.rate", "0",
                    "--demo.max-minutes", "4",
                    "--demo.work-dir", dir.resolve("work").toString(),
                    "--demo.results", results.toString(),
                    "--export.dir", file.resolve("artefacts").toString(),
                    "--checkpoint.interval-ms", "2000",
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).lines())
                .singleElement()
                .asString()
                .startsWith("diva-demo: the Flink job failed")
                .contains("writes no results")
                .contains(file.toString());
        assertThat(results).doesNotExist();
    }
}
