package io.divastream.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.model.logging.MainLogging;
import org.junit.jupiter.api.Test;

/** The service, started as a user starts it (target/classes and target/lib), logs on standard error. */
class SearchServiceLoggingTest {

    @Test
    void theServiceLogsItsStartWithTheConsoleConfiguration() throws Exception {
        MainLogging.Output out = MainLogging.run(SearchServiceMain.class.getName(), "serve", "--help");
        assertThat(out.exitCode()).as(out.stderr()).isZero();
        assertThat(out.stdout()).contains("Usage: diva-search serve", "--max-image-pixels");
        MainLogging.assertLoggedItsStart(out, SearchServiceMain.class);
    }
}
