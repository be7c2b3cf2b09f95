package io.divastream.connectors.kafka;

import io.divastream.connectors.avro.SerdeFormat;
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

    /** The option naming the wire format of the topics. */
    public static final String FORMAT_OPTION = "--serde.format";

    /** The option naming the schema registry of the registry format. */
    public static final String REGISTRY_OPTION = "--serde.registry-url";

    /** One line per option, for a program's {@code --help}. */
    public static final String USAGE =
            "  --kafka.properties.<key> VALUE   any Kafka client property (security.protocol, "
                    + "sasl.mechanism,\n"
                    + "                                   sasl.jaas.config, ssl.*, ...); repeatable\n"
                    + "  --kafka.properties-file FILE     Kafka client properties from a file (command-line ones win)\n"
                    + "  --serde.format FORMAT            single-object (default) or registry: the topics' wire format\n"
                    + "  --serde.registry-url URL         the schema registry's Apicurio API, for --serde.format registry\n";

    /**
     * A command line split into the client properties and the rest.
     *
     * @param properties the client properties, in the order given
     * @param serde the topics' wire format
     * @param rest the other arguments, in order
     */
    public record Split(Map<String, String> properties, SerdeFormat serde, List<String> rest) {

        /** Copies the parts. */
        public Split {
            properties = Map.copyOf(properties);
            java.util.Objects.requireNonNull(serde, "serde");
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
        Split properties = splitProperties(args);
        String format = SerdeFormat.Kind.SINGLE_OBJECT.optionValue();
        String registry = "";
        List<String> rest = new ArrayList<>();
        List<String> others = properties.rest();
        for (int i = 0; i < others.size(); i++) {
            String arg = others.get(i);
            if (arg.equals(FORMAT_OPTION) || arg.startsWith(FORMAT_OPTION + "=")) {
                format =
                        arg.equals(FORMAT_OPTION) ? valueAfter(others, i++) : arg.substring(FORMAT_OPTION.length() + 1);
            } else if (arg.equals(REGISTRY_OPTION) || arg.startsWith(REGISTRY_OPTION + "=")) {
                registry = arg.equals(REGISTRY_OPTION)
                        ? valueAfter(others, i++)
                        : arg.substring(REGISTRY_OPTION.length() + 1);
            } else {
                rest.add(arg);
            }
        }
        return new Split(properties.properties(), serde(format, registry), rest);
    }

    /**
     * The wire format named by the options' values.
     *
     * @param format {@code single-object} or {@code registry}
     * @param registryUrl the registry's URL (for {@code registry})
     * @return the format
     * @throws IllegalArgumentException for another format, or a registry format without an http(s) URL
     */
    public static SerdeFormat serde(String format, String registryUrl) {
        if (format.equals(SerdeFormat.Kind.SINGLE_OBJECT.optionValue())) {
            return SerdeFormat.SINGLE_OBJECT;
        }
        if (!format.equals(SerdeFormat.Kind.REGISTRY.optionValue())) {
            throw new IllegalArgumentException(FORMAT_OPTION + " is single-object or registry, not '" + format + "'");
        }
        try {
            return SerdeFormat.registry(registryUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(REGISTRY_OPTION + ": " + e.getMessage());
        }
    }

    /**
     * Takes only the client-property options out of a command line (a program that declares the {@code serde.*}
     * options itself).
     *
     * @param args the command line
     * @return the properties and the other arguments (the format single-object)
     * @throws IllegalArgumentException as {@link #split}
     */
    public static Split splitProperties(String... args) {
        Map<String, String> fromFile = new LinkedHashMap<>();
        Map<String, String> given = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals(FILE_OPTION) || arg.startsWith(FILE_OPTION + "=")) {
                String file = arg.equals(FILE_OPTION)
                        ? valueAfter(List.of(args), i++)
                        : arg.substring(FILE_OPTION.length() + 1);
                fromFile.putAll(readFile(Path.of(file)));
            } else if (arg.startsWith("--" + PREFIX)) {
                String option = arg.substring(2);
                int eq = option.indexOf('=');
                String key = (eq < 0 ? option : option.substring(0, eq)).substring(PREFIX.length());
                String value = eq < 0 ? valueAfter(List.of(args), i++) : option.substring(eq + 1);
                given.put(checkedKey(key, "--" + PREFIX + key), value);
            } else {
                rest.add(arg);
            }
        }
        Map<String, String> properties = new LinkedHashMap<>(fromFile);
        properties.putAll(given);
        return new Split(properties, SerdeFormat.SINGLE_OBJECT, rest);
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

    private static String valueAfter(List<String> args, int i) {
        if (i + 1 >= args.size()) {
            throw new IllegalArgumentException("option " + args.get(i) + " needs a value");
        }
        return args.get(i + 1);
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
