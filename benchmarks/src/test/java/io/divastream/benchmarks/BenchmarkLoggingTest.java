package io.divastream.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.model.logging.MainLogging;
import org.junit.jupiter.api.Test;

/**
 * A benchmark without a job, started on the module's runtime class path, logs with the console configuration
 * on standard error (not with the job's file configuration, which the jobs dependency also brings) and prints
 * its results on standard output.
 */
class BenchmarkLoggingTest {

    @Test
    void theSearchBenchmarkLogsOnStandardErrorAndPrintsItsResults() throws Exception {
        MainLogging.Output out = MainLogging.run(
                SearchBenchmark.class.getName(),
                "--n",
                "200",
                "--dim",
                "8",
                "--clusters",
                "4",
                "--queries",
                "5",
                "--k",
                "3",
                "--mode",
                "exact");
        assertThat(out.exitCode()).as(out.stderr()).isZero();
        assertThat(out.stdout()).contains("SearchBenchmark: n=200", "exact: build");
        MainLogging.assertLoggedItsStart(out, SearchBenchmark.class);
    }
}
