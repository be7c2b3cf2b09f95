package io.divastream.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio Registry (the {@code registry} module's build: Apicurio Registry 2.4.2 with in-memory H2
 * storage) running as a child process on {@code 127.0.0.1}, for the tests, the benchmarks and the demo. It
 * speaks Apicurio's own API under {@code /apis/registry/v2} and the Confluent-compatible one under {@code
 * /apis/ccompat/v7}. Its log goes to a file in a temporary directory, named in every failure. Closing it stops the
 * process; so does the end of this JVM.
 */
public final class LocalSchemaRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSchemaRegistry.class);

    /** Where the {@code registry} module writes the runnable registry, relative to the repository root. */
    public static final String RUNNER = "registry/target/apicurio-registry-runner.jar";

    /** A system property naming the runner jar, overriding the search from the working directory upwards. */
    public static final String RUNNER_PROPERTY = "diva.registry.runner";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final int port;
    private final Path log;
    private final Thread reaper;

    private LocalSchemaRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.reaper = new Thread(process::destroyForcibly, "schema-registry-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts a registry on a free port and returns once it is ready.
     *
     * @return the running registry
     * @throws IllegalStateException if the runner jar is missing or the registry does not become ready
     */
    public static LocalSchemaRegistry start() {
        Path runner = runner().orElseThrow(() -> new IllegalStateException("no " + RUNNER + " found from "
                + Path.of("").toAbsolutePath() + " upwards: build it with 'mvn -B -pl registry package'"));
        int port = freePort();
        Path log;
        try {
            log = Files.createTempFile("diva-registry-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.datasource.db-kind=h2",
                "-Dquarkus.datasource.jdbc.url=jdbc:h2:mem:registry_db",
                "-Dquarkus.datasource.jdbc.initial-size=2",
                "-Dquarkus.datasource.jdbc.min-size=2",
                "-Dquarkus.datasource.jdbc.max-size=10",
                "-Dregistry.auth.enabled=false",
                "-Dquarkus.oidc.tenant-enabled=false",
                "-Dregistry.enable.sentry=false",
                "-Dregistry.events.ksink=",
                "-jar",
                runner.toString()));
        long started = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the schema registry: " + e.getMessage(), e);
        }
        LocalSchemaRegistry registry = new LocalSchemaRegistry(process, port, log);
        try {
            registry.awaitReady(started);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        LOG.info(
                "Schema registry ready at {} in {} ms (log {})",
                registry.url(),
                (System.nanoTime() - started) / 1_000_000,
                log);
        return registry;
    }

    private void awaitReady(long started) {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create(url() + "/health/ready");
        while (System.nanoTime() - started < START_TIMEOUT.toNanos()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the schema registry exited with " + process.exitValue() + " at start-up; its log: " + log);
            }
            try {
                HttpResponse<Void> r = client.send(
                        HttpRequest.newBuilder(ready)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the schema registry starts", e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the schema registry starts", e);
            }
        }
        throw new IllegalStateException(
                "the schema registry was not ready within " + START_TIMEOUT.toSeconds() + " s; its log: " + log);
    }

    /** The runner jar: the system property, or {@link #RUNNER} in the working directory or one of its parents. */
    static Optional<Path> runner() {
        String given = System.getProperty(RUNNER_PROPERTY);
        if (given != null && !given.isBlank()) {
            return Optional.of(Path.of(given)).filter(Files::isRegularFile);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RUNNER);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The registry's base address.
     *
     * @return {@code http://127.0.0.1:<port>}
     */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * The address of Apicurio's own API, which its Java serdes use.
     *
     * @return {@code <url>/apis/registry/v2}
     */
    public String apiUrl() {
        return url() + "/apis/registry/v2";
    }

    /**
     * The address of the Confluent-compatible API.
     *
     * @return {@code <url>/apis/ccompat/v7}
     */
    public String confluentUrl() {
        return url() + "/apis/ccompat/v7";
    }

    /**
     * The registry's log so far, for a failing test's message.
     *
     * @return the log's last lines
     */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops the process and deletes its log. Idempotent. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", log, e.toString());
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port: " + e.getMessage(), e);
        }
    }
}
