package io.divastream.connectors.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.producer.ImageEventProducerMain;
import io.divastream.connectors.watch.WatchCommand;
import io.divastream.model.logging.MainLogging;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The producer and the watch command, started as a user starts them (target/classes and the runtime
 * dependencies), log with the console configuration on standard error; standard output keeps what they
 * print (watch's table).
 */
class CommandLineLoggingTest {

    @ParameterizedTest
    @ValueSource(classes = {ImageEventProducerMain.class, WatchCommand.class})
    void logsItsStartOnStandardError(Class<?> main) throws Exception {
        MainLogging.Output out = MainLogging.run(main.getName(), "--help");
        assertThat(out.exitCode()).as(out.stderr()).isZero();
        assertThat(out.stdout()).containsIgnoringCase("usage");
        MainLogging.assertLoggedItsStart(out, main);
    }
}
