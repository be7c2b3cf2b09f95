package io.divastream.connectors.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The Kafka client properties of a command line, shared by every program that talks to Kafka: {@code
 * --kafka.properties.<key> VALUE} (or {@code =VALUE}) sets any client property ({@code security.protocol},
 * {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.*}, ...), and {@code --kafka.properties-file FILE}
 * reads them from a Java properties file whose keys are client property names, with or without the {@code
 * kafka.properties.} prefix (a file keeps secrets off the command line). Options on the command line win over the
 * file. The bootstrap servers have their own option in every program.
 */
public final class KafkaClientArguments {

    /** The prefix of a client property's option. */
    public static final String PREFIX = "kafka.properties.";

    /** The option naming a file of client properties. */
    public static final String FILE_OPTION = "--kafka.properties-file";

    /** One line per option, for a program's {@code --help}. */
    public static final String USAGE =
            "  --kafka.properties.<key> VALUE   any Kafka client property (security.protocol, "
                    + "sasl.mechanism,\n"
                    + "                                   sasl.jaas.config, ssl.*, ...); repeatable\n"
                    + "  --kafka.properties-file FILE     Kafka client properties from a file (command-line ones win)\n";

    /**
     * A command line split into the client properties and the rest.
     *
     * @param properties the client properties, in the order given
     * @param rest the other arguments, in order
     */
    public record Split(Map<String, String> properties, List<String> rest) {

        /** Copies the parts. */
        public Split {
            properties = Map.copyOf(properties);
            rest = List.copyOf(rest);
        }

        /**
         * The other arguments.
         *
         * @return them as an array
         */
        public String[] restArray() {
            return rest.toArray(String[]::new);
        }

        /**
         * Settings for the given brokers with these properties.
         *
         * @param bootstrapServers the brokers
         * @return the settings
         */
        public KafkaSettings settings(String bootstrapServers) {
            return new KafkaSettings(bootstrapServers, properties);
        }
    }

    private KafkaClientArguments() {}

    /**
     * Takes the client-property options out of a command line.
     *
     * @param args the command line
     * @return the properties and the other arguments
     * @throws IllegalArgumentException with a one-line message for a missing value, an empty key, {@code
     *     bootstrap.servers} among the properties, or an unreadable file
     */
    public static Split split(String... args) {
        Map<String, String> fromFile = new LinkedHashMap<>();
        Map<String, String> given = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals(FILE_OPTION) || arg.startsWith(FILE_OPTION + "=")) {
                String file = arg.equals(FILE_OPTION) ? valueAfter(args, i++) : arg.substring(FILE_OPTION.length() + 1);
                fromFile.putAll(readFile(Path.of(file)));
            } else if (arg.startsWith("--" + PREFIX)) {
                String option = arg.substring(2);
                int eq = option.indexOf('=');
                String key = (eq < 0 ? option : option.substring(0, eq)).substring(PREFIX.length());
                String value = eq < 0 ? valueAfter(args, i++) : option.substring(eq + 1);
                given.put(checkedKey(key, "--" + PREFIX + key), value);
            } else {
                rest.add(arg);
            }
        }
        Map<String, String> properties = new LinkedHashMap<>(fromFile);
        properties.putAll(given);
        return new Split(properties, rest);
    }

    /**
     * Checks a client property's name.
     *
     * @param key the name, without the prefix
     * @param where the option or file line it came from, for the message
     * @return the name
     * @throws IllegalArgumentException if it is empty or {@code bootstrap.servers}
     */
    public static String checkedKey(String key, String where) {
        if (key.isBlank()) {
            throw new IllegalArgumentException(where + ": a Kafka client property needs a name after '" + PREFIX + "'");
        }
        if (key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException(
                    where + ": give the brokers with the program's bootstrap-servers option, not as a client property");
        }
        return key;
    }

    private static String valueAfter(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException("option " + args[i] + " needs a value");
        }
        return args[i + 1];
    }

    private static Map<String, String> readFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read Kafka client properties from " + file + ": " + e);
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            String key = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
            map.put(
                    checkedKey(key, file + ": " + name),
                    properties.getProperty(name).strip());
        }
        return map;
    }
}
