package io.divastream.jobs.config;

import io.divastream.connectors.kafka.KafkaClientArguments;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/** The job's Kafka connection: {@code kafka.*}. */
public final class KafkaOptions {

    public static final DivaOption<String> BOOTSTRAP_SERVERS = DivaOption.required(
            "kafka.bootstrap-servers",
            OptionType.text().checked(Validation::bootstrapServers),
            "Kafka brokers, host:port[,host:port]");
    public static final DivaOption<String> GROUP_ID =
            DivaOption.of("kafka.group-id", OptionType.nonBlank(), "diva-stream", "consumer group of the image source");
    public static final DivaOption<Boolean> EXACTLY_ONCE =
            DivaOption.of("kafka.exactly-once", OptionType.bool(), "true", "transactional (exactly-once) output sinks");
    public static final DivaOption<String> TRANSACTIONAL_ID_PREFIX = DivaOption.of(
            "kafka.transactional-id-prefix",
            OptionType.text().checked(Validation::transactionalIdPrefix),
            "diva-stream",
            "prefix of the sinks' transactional ids");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL =
            List.of(BOOTSTRAP_SERVERS, GROUP_ID, EXACTLY_ONCE, TRANSACTIONAL_ID_PREFIX);

    /** The lines of the configuration file that show how client properties are given. */
    static final String CLIENT_PROPERTIES_TEMPLATE = """

            # Any Kafka client property, for every client of the job (image and command sources, transactional
            # sinks, dead letters, admin): kafka.properties.<key> = value, here or on the command line. Secrets
            # are masked in logs; keep them in this file rather than on a command line. A SCRAM login, e.g.:
            # kafka.properties.security.protocol = SASL_SSL
            # kafka.properties.sasl.mechanism = SCRAM-SHA-512
            # kafka.properties.sasl.jaas.config = org.apache.kafka.common.security.scram.ScramLoginModule \
            required username="diva" password="...";
            """;

    private KafkaOptions() {}

    /**
     * Stores Kafka client properties in a configuration, under {@code kafka.properties.<key>}.
     *
     * @param conf the configuration
     * @param properties the client properties
     */
    static void setClientProperties(Configuration conf, Map<String, String> properties) {
        properties.forEach((key, value) -> conf.set(
                ConfigOptions.key(KafkaClientArguments.PREFIX + key)
                        .stringType()
                        .noDefaultValue(),
                value));
    }

    /**
     * The Kafka client properties a configuration holds: every {@code kafka.properties.<key>}.
     *
     * @param conf the configuration
     * @return the properties by client key
     * @throws ConfigException for an empty key or {@code bootstrap.servers}
     */
    public static Map<String, String> clientProperties(Configuration conf) {
        Map<String, String> properties = new LinkedHashMap<>();
        conf.toMap().forEach((key, value) -> {
            if (key.startsWith(KafkaClientArguments.PREFIX)) {
                String client = key.substring(KafkaClientArguments.PREFIX.length());
                properties.put(checkedClientKey(client, "--" + key), value);
            }
        });
        return properties;
    }

    /**
     * Checks a client property's key.
     *
     * @param key the key without the prefix
     * @param where where it was given
     * @return the key
     * @throws ConfigException if it is empty or {@code bootstrap.servers}
     */
    static String checkedClientKey(String key, String where) {
        try {
            return KafkaClientArguments.checkedKey(key, where);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
