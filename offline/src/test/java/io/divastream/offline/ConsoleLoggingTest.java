package io.divastream.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.model.logging.MainLogging;
import org.junit.jupiter.api.Test;

/** The batch trainer, started as a user starts it, logs with the console configuration. */
class ConsoleLoggingTest {

    @Test
    void theBatchTrainerLogsItsStartOnStandardError() throws Exception {
        MainLogging.Output out = MainLogging.run(DivaBatchMain.class.getName(), "--help");
        assertThat(out.exitCode()).as(out.stderr()).isZero();
        assertThat(out.stdout()).contains("Usage: diva-batch");
        MainLogging.assertLoggedItsStart(out, DivaBatchMain.class);
    }
}
