package io.divastream.connectors.avro;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * The wire format of every topic the system reads and writes ({@code serde.format}): Avro single-object encoding
 * ({@code C3 01} + the schema's fingerprint + the binary body; readable with this project's generated classes), or
 * the Schema Registry wire format ({@code 00} + the 4-byte schema id + the binary body; readable by any Schema
 * Registry serde, Kafka Connect converter, ksqlDB or Flink SQL format), with the schemas registered in a registry
 * speaking Apicurio's API (Apicurio Registry; its Confluent-compatible API serves the same ids).
 *
 * @param kind the format
 * @param registryUrl the registry's Apicurio API, e.g. {@code http://registry:8080/apis/registry/v2}; empty for
 *     single-object encoding
 * @param registryProperties more settings of Apicurio's serde (e.g. {@code apicurio.auth.username}); empty for
 *     single-object encoding
 */
public record SerdeFormat(Kind kind, String registryUrl, Map<String, String> registryProperties)
        implements Serializable {

    /** The two formats. */
    public enum Kind {
        /** Avro single-object encoding. */
        SINGLE_OBJECT,
        /** The Schema Registry wire format. */
        REGISTRY;

        /**
         * The option's spelling.
         *
         * @return {@code single-object} or {@code registry}
         */
        public String optionValue() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Avro single-object encoding, the default. */
    public static final SerdeFormat SINGLE_OBJECT = new SerdeFormat(Kind.SINGLE_OBJECT, "", Map.of());

    /** Validates and copies the parts. */
    public SerdeFormat {
        Objects.requireNonNull(kind, "kind");
        registryUrl = registryUrl == null ? "" : registryUrl.strip();
        registryProperties = registryProperties == null ? Map.of() : Map.copyOf(registryProperties);
        if (kind == Kind.REGISTRY && !(registryUrl.startsWith("http://") || registryUrl.startsWith("https://"))) {
            throw new IllegalArgumentException(
                    "the registry format needs the registry's http(s) URL, got '" + registryUrl + "'");
        }
    }

    /**
     * The Schema Registry wire format with the schemas in the given registry.
     *
     * @param registryUrl the registry's Apicurio API
     * @return the format
     */
    public static SerdeFormat registry(String registryUrl) {
        return new SerdeFormat(Kind.REGISTRY, registryUrl, Map.of());
    }

    /**
     * The codec of one record type on one topic (the registry's subject is {@code <topic>-value}).
     *
     * @param type the generated record class
     * @param topic the topic
     * @param <T> the record type
     * @return the codec
     */
    public <T extends SpecificRecord> RecordCodec<T> codec(Class<T> type, String topic) {
        return kind == Kind.SINGLE_OBJECT ? AvroCodec.of(type) : new RegistryCodec<>(type, topic, this);
    }

    @Override
    public String toString() {
        // the settings' names only: their values may be credentials
        return kind == Kind.SINGLE_OBJECT
                ? "single-object"
                : "registry at " + registryUrl + " with settings "
                        + new java.util.TreeSet<>(registryProperties.keySet());
    }
}
