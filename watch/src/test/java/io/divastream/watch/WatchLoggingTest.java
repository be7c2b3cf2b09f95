package io.divastream.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.model.logging.MainLogging;
import org.junit.jupiter.api.Test;

/**
 * The watch command, started as a user starts it (target/classes and the runtime dependencies), logs with
 * the console configuration on standard error; standard output keeps what it prints.
 */
class WatchLoggingTest {

    @Test
    void logsItsStartOnStandardError() throws Exception {
        MainLogging.Output out = MainLogging.run(WatchCommand.class.getName(), "--help");
        assertThat(out.exitCode()).as(out.stderr()).isZero();
        assertThat(out.stdout()).containsIgnoringCase("usage");
        MainLogging.assertLoggedItsStart(out, WatchCommand.class);
    }
}
