package io.divastream.connectors.kafka;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Where Kafka is and the extra client properties to pass to every producer, consumer and admin
 * client built from these settings (e.g. security settings or {@code transaction.timeout.ms}).
 *
 * @param bootstrapServers comma-separated {@code host:port} list, not blank
 * @param extraProperties additional client properties; must not contain {@code bootstrap.servers}
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> extraProperties) implements Serializable {

    /** Validates and copies the arguments. */
    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers must not be blank");
        }
        bootstrapServers = bootstrapServers.strip();
        extraProperties = extraProperties == null ? Map.of() : Map.copyOf(extraProperties);
        if (extraProperties.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException(
                    "set the bootstrap servers through bootstrapServers, not extraProperties");
        }
    }

    /**
     * Settings with no extra properties.
     *
     * @param bootstrapServers comma-separated {@code host:port} list
     * @return the settings
     */
    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Map.of());
    }

    /**
     * A copy with one extra property added or replaced.
     *
     * @param key client property name
     * @param value its value
     * @return the new settings
     */
    public KafkaSettings withProperty(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(extraProperties);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new KafkaSettings(bootstrapServers, copy);
    }

    /**
     * An extra property, if set.
     *
     * @param key client property name
     * @return its value, or empty
     */
    public Optional<String> property(String key) {
        return Optional.ofNullable(extraProperties.get(key));
    }

    /** Shows the brokers and the extra properties with every secret masked ({@link ClientSecrets}). */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", extraProperties="
                + ClientSecrets.masked(extraProperties) + "]";
    }

    /**
     * Client properties: {@code bootstrap.servers} plus the extra properties.
     *
     * @return a new, mutable {@link Properties}
     */
    public Properties toProperties() {
        Properties properties = new Properties();
        properties.putAll(extraProperties);
        properties.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return properties;
    }
}
