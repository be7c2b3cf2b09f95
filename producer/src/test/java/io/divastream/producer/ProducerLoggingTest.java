package io.divastream.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.model.logging.MainLogging;
import org.junit.jupiter.api.Test;

/**
 * The producer, started as a user starts it (target/classes and the runtime dependencies), logs with
 * the console configuration on standard error; standard output keeps what it prints.
 */
class ProducerLoggingTest {

    @Test
    void logsItsStartOnStandardError() throws Exception {
        MainLogging.Output out = MainLogging.run(ImageEventProducerMain.class.getName(), "--help");
        assertThat(out.exitCode()).as(out.stderr()).isZero();
        assertThat(out.stdout()).containsIgnoringCase("usage");
        MainLogging.assertLoggedItsStart(out, ImageEventProducerMain.class);
    }
}
