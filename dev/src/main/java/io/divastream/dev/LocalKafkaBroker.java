package io.divastream.dev;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) running inside this JVM, for the
 * demo and the tests. It listens on {@code 127.0.0.1} (or {@link Config#withHost}), formats its log directory
 * itself (as {@code
 * kafka-storage.sh format} does) and is configured for one node: internal topics with replication
 * factor 1, no initial rebalance delay, compaction that may clean right away.
 *
 * <p>A given log directory is kept on close (and reused, already formatted, on the next start); a
 * temporary one is deleted. {@link #stop()} and {@link #restart()} take the same broker down and
 * bring it back on the same ports and log directory (a broker outage, for tests of recovery).
 *
 * <pre>{@code
 * try (LocalKafkaBroker kafka = LocalKafkaBroker.start(LocalKafkaBroker.Config.defaults())) {
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);

    /** The address the broker listens on unless told otherwise. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    static final int NODE_ID = 1;

    private static final int START_ATTEMPTS = 3;
    private static final long RESTART_BIND_TIMEOUT_NANOS = 30_000_000_000L;

    /**
     * How to start the broker.
     *
     * @param host the address both listeners bind and the broker advertises
     * @param port client listener port; 0 picks a free port
     * @param logDirectory the log directory, or empty for a temporary one deleted on close
     * @param brokerProperties broker properties overriding the defaults
     * @param scramUser the user of a SASL_PLAINTEXT (SCRAM-SHA-512) client listener, or empty for a PLAINTEXT one
     */
    public record Config(
            String host,
            int port,
            Optional<Path> logDirectory,
            Map<String, String> brokerProperties,
            Optional<ScramUser> scramUser) {

        /** Validates and copies the arguments. */
        public Config {
            Objects.requireNonNull(scramUser, "scramUser");
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535: " + port);
            }
            Objects.requireNonNull(logDirectory, "logDirectory");
            brokerProperties = brokerProperties == null ? Map.of() : Map.copyOf(brokerProperties);
        }

        /**
         * A free port, a temporary log directory, the default properties.
         *
         * @return the default configuration
         */
        public static Config defaults() {
            return new Config(DEFAULT_HOST, 0, Optional.empty(), Map.of(), Optional.empty());
        }

        /**
         * A copy with another client port.
         *
         * @param port the port; 0 picks a free one
         * @return the new configuration
         */
        public Config withPort(int port) {
            return new Config(host, port, logDirectory, brokerProperties, scramUser);
        }

        /**
         * A copy with another listening address.
         *
         * @param host the address (default {@value LocalKafkaBroker#DEFAULT_HOST})
         * @return the new configuration
         */
        public Config withHost(String host) {
            return new Config(host, port, logDirectory, brokerProperties, scramUser);
        }

        /**
         * A copy with a persistent log directory.
         *
         * @param directory the log directory (created if missing, kept on close)
         * @return the new configuration
         */
        public Config withLogDirectory(Path directory) {
            return new Config(host, port, Optional.of(directory), brokerProperties, scramUser);
        }

        /**
         * A copy with one broker property added or replaced.
         *
         * @param key broker property name
         * @param value its value
         * @return the new configuration
         */
        public Config withBrokerProperty(String key, String value) {
            Map<String, String> copy = new LinkedHashMap<>(brokerProperties);
            copy.put(key, value);
            return new Config(host, port, logDirectory, copy, scramUser);
        }

        /**
         * A copy whose client listener takes SASL_PLAINTEXT with SCRAM-SHA-512 and knows one user (the broker
         * talks to itself as another user, created with it). A client without these credentials is refused.
         *
         * @param user the client user
         * @return the new configuration
         */
        public Config withScramUser(ScramUser user) {
            return new Config(host, port, logDirectory, brokerProperties, Optional.of(user));
        }

        /**
         * A copy whose SCRAM client listener ({@link #withScramUser}) also takes TLS: SASL_SSL with this identity.
         *
         * @param tls the broker's key store and the clients' trust store
         * @return the new configuration
         */
        public Config withTls(LocalTls tls) {
            Map<String, String> copy = new LinkedHashMap<>(brokerProperties);
            copy.putAll(tls.brokerProperties());
            return new Config(host, port, logDirectory, copy, scramUser);
        }
    }

    private final String host;
    private final int port;
    private final Path logDirectory;
    private final boolean deleteOnClose;
    private final Map<String, String> properties;
    private final Optional<ScramUser> scramUser;
    private KafkaRaftServer server;
    private boolean closed;

    private LocalKafkaBroker(
            KafkaRaftServer server,
            String host,
            int port,
            Path logDirectory,
            boolean deleteOnClose,
            Map<String, String> properties,
            Optional<ScramUser> scramUser) {
        this.server = server;
        this.scramUser = scramUser;
        this.host = host;
        this.port = port;
        this.logDirectory = logDirectory;
        this.deleteOnClose = deleteOnClose;
        this.properties = Map.copyOf(properties);
    }

    /**
     * Formats the log directory if needed and starts the broker; returns once it accepts clients.
     *
     * @param config how to start it
     * @return the running broker
     * @throws IllegalStateException if it cannot start
     */
    public static LocalKafkaBroker start(Config config) {
        Objects.requireNonNull(config, "config");
        boolean temporary = config.logDirectory().isEmpty();
        Path directory;
        try {
            directory = temporary
                    ? Files.createTempDirectory("diva-kafka-")
                    : Files.createDirectories(config.logDirectory().get());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the Kafka log directory: " + e.getMessage(), e);
        }
        long started = System.nanoTime();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int brokerPort = config.port() == 0 ? freePort(config.host()) : config.port();
            int controllerPort = freePort(config.host());
            Map<String, String> properties = LocalBrokerProperties.of(config, directory, brokerPort, controllerPort);
            KafkaRaftServer server = null;
            try {
                if (Files.exists(directory.resolve("meta.properties"))) {
                    LOG.info("Reusing the formatted Kafka log directory {}", directory);
                } else {
                    format(properties, config.scramUser());
                }
                server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
                server.startup();
                LOG.info(
                        "Local Kafka broker started at {}:{} in {} ms, log directory {}",
                        config.host(),
                        brokerPort,
                        (System.nanoTime() - started) / 1_000_000,
                        directory);
                return new LocalKafkaBroker(
                        server, config.host(), brokerPort, directory, temporary, properties, config.scramUser());
            } catch (RuntimeException e) {
                last = e;
                shutdownQuietly(server);
                boolean retry = config.port() == 0 && isBindFailure(e) && attempt < START_ATTEMPTS;
                LOG.warn("Local Kafka broker failed to start (attempt {}): {}", attempt, e.toString());
                if (!retry) {
                    break;
                }
                if (temporary) {
                    resetDirectory(directory);
                }
            }
        }
        if (temporary) {
            deleteQuietly(directory);
        }
        throw new IllegalStateException("local Kafka broker failed to start: " + describe(last), last);
    }

    /**
     * Starts a broker on a free port with a temporary log directory.
     *
     * @return the running broker
     */
    public static LocalKafkaBroker start() {
        return start(Config.defaults());
    }

    /**
     * The address clients connect to.
     *
     * @return {@code <host>:<port>}
     */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    public int port() {
        return port;
    }

    /**
     * The client properties a client needs besides the address: the SCRAM login of a secured broker.
     *
     * @return the properties; empty for a PLAINTEXT broker
     */
    public Map<String, String> clientProperties() {
        if (scramUser.isEmpty()) {
            return Map.of();
        }
        Map<String, String> client = new LinkedHashMap<>(scramUser.get().clientProperties());
        String protocol = LocalBrokerProperties.protocol(properties);
        client.put("security.protocol", protocol);
        if (protocol.equals("SASL_SSL")) {
            client.put("ssl.truststore.location", properties.get("ssl.truststore.location"));
            client.put("ssl.truststore.password", properties.get("ssl.truststore.password"));
            client.put("ssl.truststore.type", properties.get("ssl.truststore.type"));
        }
        return Map.copyOf(client);
    }

    public Path logDirectory() {
        return logDirectory;
    }

    /**
     * Tells whether the broker is running (started, and neither stopped nor closed).
     *
     * @return true while it serves clients
     */
    public synchronized boolean isRunning() {
        return server != null && !closed;
    }

    /**
     * Shuts the broker down (a controlled shutdown) and keeps its log directory, ports and
     * configuration, so that {@link #restart()} brings the same broker back. Idempotent.
     *
     * @throws IllegalStateException if the broker is closed
     */
    public synchronized void stop() {
        if (closed) {
            throw new IllegalStateException("the local Kafka broker is closed");
        }
        if (server == null) {
            return;
        }
        long started = System.nanoTime();
        shutdownQuietly(server);
        server = null;
        LOG.info(
                "Local Kafka broker stopped in {} ms (log directory kept for a restart)",
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Starts a stopped broker again with the same ports, log directory and configuration (its
     * topics, committed offsets and transactions survive); returns once it accepts clients. The
     * ports are retried for a while, in case the old sockets are still being released.
     *
     * @throws IllegalStateException if the broker is closed, running, or cannot start
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("the local Kafka broker is closed");
        }
        if (server != null) {
            throw new IllegalStateException("the local Kafka broker is running; stop() it first");
        }
        long started = System.nanoTime();
        long deadline = started + RESTART_BIND_TIMEOUT_NANOS;
        while (true) {
            KafkaRaftServer restarted = null;
            try {
                restarted = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
                restarted.startup();
                server = restarted;
                LOG.info(
                        "Local Kafka broker restarted at {}:{} in {} ms",
                        host,
                        port,
                        (System.nanoTime() - started) / 1_000_000);
                return;
            } catch (RuntimeException e) {
                shutdownQuietly(restarted);
                if (!isBindFailure(e) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("local Kafka broker failed to restart: " + describe(e), e);
                }
                LOG.warn("Local Kafka broker ports still in use, retrying the restart: {}", e.toString());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while restarting the local Kafka broker", interrupted);
                }
            }
        }
    }

    /** Shuts the broker down; deletes a temporary log directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        shutdownQuietly(server);
        server = null;
        if (deleteOnClose) {
            deleteQuietly(logDirectory);
        }
        LOG.info("Local Kafka broker stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    private static void format(Map<String, String> properties, Optional<ScramUser> scramUser) {
        Path configFile = null;
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            configFile = Files.createTempFile("diva-kafka-", ".properties");
            Properties props = new Properties();
            props.putAll(properties);
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "local Kafka broker");
            }
            String clusterId = Uuid.randomUuid().toString();
            List<String> args =
                    new ArrayList<>(List.of("format", "--config", configFile.toString(), "--cluster-id", clusterId));
            if (scramUser.isPresent()) {
                args.addAll(List.of("--add-scram", LocalBrokerProperties.BROKER_USER.formatArgument()));
                args.addAll(List.of("--add-scram", scramUser.get().formatArgument()));
            }
            int code;
            try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                code = StorageTool.execute(args.toArray(String[]::new), print);
            }
            String text = output.toString(StandardCharsets.UTF_8).strip();
            LOG.debug("kafka-storage format: {}", text);
            if (code != 0) {
                throw new IllegalStateException("formatting the Kafka log directory failed: " + text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Kafka config file: " + e.getMessage(), e);
        } finally {
            if (configFile != null) {
                deleteQuietly(configFile);
            }
        }
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port: " + e.getMessage(), e);
        }
    }

    /** The most telling message of a start-up failure: the bind error if there is one. */
    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains("failed to bind")) {
                return message;
            }
        }
        return String.valueOf(e.getMessage());
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException
                    || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error shutting down the local Kafka broker: {}", e.toString());
        }
    }

    private static void resetDirectory(Path directory) {
        deleteQuietly(directory);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recreate " + directory + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Utils.delete(path.toFile());
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", path, e.toString());
        }
    }
}
