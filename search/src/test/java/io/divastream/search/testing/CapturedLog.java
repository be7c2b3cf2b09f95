package io.divastream.search.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The log events of one logger (a class's), captured by an appender added to the running Log4j
 * configuration until {@link #close()}: what the service really logs, at the levels the configuration lets
 * through.
 */
public final class CapturedLog implements AutoCloseable {

    private final List<LogEvent> events = new CopyOnWriteArrayList<>();
    private final LoggerContext context;
    private final LoggerConfig config;
    private final boolean added;
    private final AbstractAppender appender;

    private CapturedLog(Class<?> type) {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        String name = type.getName();
        LoggerConfig existing = configuration.getLoggerConfig(name);
        added = !existing.getName().equals(name);
        config = added ? new LoggerConfig(name, null, true) : existing;
        if (added) {
            config.setParent(existing);
            configuration.addLogger(name, config);
        }
        appender =
                new AbstractAppender(
                        "captured-" + name + "-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        events.add(event.toImmutable());
                    }
                };
        appender.start();
        config.addAppender(appender, null, null);
        context.updateLoggers();
    }

    /**
     * Starts capturing a class's logger.
     *
     * @param type the class whose logger to capture
     * @return the capture
     */
    public static CapturedLog of(Class<?> type) {
        return new CapturedLog(type);
    }

    /**
     * Returns the messages logged at a level.
     *
     * @param level the level
     * @return the formatted messages, in order
     */
    public List<String> messages(Level level) {
        return events.stream()
                .filter(e -> e.getLevel() == level)
                .map(e -> e.getMessage().getFormattedMessage())
                .toList();
    }

    /**
     * Returns the events captured.
     *
     * @return the events, in order
     */
    public List<LogEvent> events() {
        return List.copyOf(events);
    }

    @Override
    public void close() {
        config.removeAppender(appender.getName());
        if (added) {
            context.getConfiguration().removeLogger(config.getName());
        }
        context.updateLoggers();
        appender.stop();
    }
}
