package io.divastream.model.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs a program's main class in a JVM of its own on its module's runtime class path (the system property
 * {@value #CLASS_PATH}, which the build sets for the tests: target/classes and the runtime dependencies, no
 * test classes or resources), as a user would start it, and checks what its logging did. Shared with the
 * other modules' logging tests through the model's test jar.
 */
public final class MainLogging {

    /** The system property holding the module's runtime class path. */
    public static final String CLASS_PATH = "diva.runtime.classpath";

    private MainLogging() {}

    /**
     * What a program printed.
     *
     * @param exitCode its exit code
     * @param stdout its standard output
     * @param stderr its standard error
     */
    public record Output(int exitCode, String stdout, String stderr) {}

    /**
     * Runs a main class with arguments and waits for it (at most 5 minutes, against a hung program).
     *
     * @param mainClass the main class's name
     * @param args its arguments
     * @return what it printed
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted while waiting
     */
    public static Output run(String mainClass, String... args) throws IOException, InterruptedException {
        String classPath = System.getProperty(CLASS_PATH, "");
        assertThat(classPath).as("the build sets " + CLASS_PATH).isNotBlank().doesNotContain("${");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("main-logging", ".out");
        Path err = Files.createTempFile("main-logging", ".err");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().remove("LOG4J_CONFIGURATION_FILE");
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(mainClass + " did not end within 5 minutes");
            }
            return new Output(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Checks that a program logged its start with the console configuration: an INFO line of this project in
     * the configuration's layout on standard error, the configuration named in it, no complaint of SLF4J
     * (no binding) or of Log4j (no configuration), and no log line on standard output.
     *
     * @param output what the program printed
     * @param mainClass the program's main class
     */
    public static void assertLoggedItsStart(Output output, Class<?> mainClass) {
        String name = mainClass.getSimpleName();
        assertThat(output.stderr())
                .as(output.stderr())
                .containsPattern(
                        Pattern.compile("(?m)^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[main\\] "
                                + name + " - " + name
                                + " starting \\(Java .*, log configuration "
                                + Pattern.quote(ConsoleLogging.CONFIGURATION)
                                + "\\)$"));
        assertThat(output.stderr())
                .doesNotContain(
                        "SLF4J", "No Log4j 2 configuration file found", "StatusLogger", "StatusConsoleListener");
        assertThat(output.stdout()).doesNotContainPattern("(?m)^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
    }
}
