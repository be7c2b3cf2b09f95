package io.divastream.model.logging;

import org.slf4j.LoggerFactory;

/**
 * The logging of the project's command-line programs: their {@code main} calls {@link #start} first, which
 * selects the Log4j 2 configuration {@value #CONFIGURATION} (everything on standard error; this project's
 * INFO lines, WARN and above of the libraries) unless one was given with {@code -Dlog4j2.configurationFile}
 * or {@code LOG4J_CONFIGURATION_FILE}, and logs the program's start. The file's name is not one Log4j looks
 * for by itself, so inside the job jar and on the demo's class path, where the job's own {@code
 * log4j2.properties} applies, it stays inert (docs/search.md, Logging).
 */
public final class ConsoleLogging {

    /** The configuration, a class-path resource of this module. */
    public static final String CONFIGURATION = "io/divastream/model/logging/console-log4j2.properties";

    /** The system property Log4j reads its configuration's location from. */
    public static final String PROPERTY = "log4j2.configurationFile";

    private ConsoleLogging() {}

    /**
     * Selects the console configuration unless another is given, and logs the start of a program. Call it
     * before any logger is created: Log4j reads its configuration once, when the first logger is.
     *
     * @param main the program's main class (its logger logs the start)
     */
    public static void start(Class<?> main) {
        if (System.getProperty(PROPERTY) == null && System.getenv("LOG4J_CONFIGURATION_FILE") == null) {
            System.setProperty(PROPERTY, CONFIGURATION);
        }
        LoggerFactory.getLogger(main)
                .info(
                        "{} starting (Java {}, log configuration {})",
                        main.getSimpleName(),
                        Runtime.version(),
                        System.getProperty(PROPERTY, System.getenv("LOG4J_CONFIGURATION_FILE")));
    }
}
