package io.divastream.connectors.avro;

import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record type on one topic in the Schema Registry wire format: magic byte {@code 00}, the schema's 4-byte id
 * (the registry's content id, which its Confluent-compatible API serves under {@code /schemas/ids/<id>}), the Avro
 * binary body. Encoding registers the record's schema under the subject {@code <topic>-value} (or finds it there)
 * and caches its id; the registry refuses a schema its compatibility rule forbids. Decoding fetches the writer's
 * schema by id (cached) and resolves it to this codec's schema, so producers may evolve their events compatibly.
 * Apicurio's Avro Kafka serde does the work; this class classifies its failures: a record the reader cannot read
 * is a {@link RecordDecodingException} (a dead letter), a registry that cannot be asked a {@link
 * RegistryUnavailableException} (retried).
 *
 * @param <T> the generated record type
 */
public final class RegistryCodec<T extends SpecificRecord> implements RecordCodec<T> {
    private static final long serialVersionUID = 1L;

    /** The wire format's magic byte. */
    public static final byte MAGIC = 0;

    /** Magic byte plus schema id. */
    public static final int HEADER_LENGTH = 5;

    /** Tries of an encoding whose registration the registry did not answer or refused for now. */
    private static final int REGISTRATION_ATTEMPTS = 3;

    private final Class<T> type;
    private final String topic;
    private final SerdeFormat format;
    private transient AvroKafkaSerializer<T> serializer;
    private transient AvroKafkaDeserializer<T> deserializer;

    RegistryCodec(Class<T> type, String topic, SerdeFormat format) {
        this.type = Objects.requireNonNull(type, "type");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.format = Objects.requireNonNull(format, "format");
    }

    @Override
    public Class<T> type() {
        return type;
    }

    /**
     * The serde's settings: the Confluent wire format (id in the payload, not in headers), content ids,
     * registration of new schemas (kept when compatible), the generated class as the reader.
     *
     * @param format the registry and any further serde settings
     * @return the settings
     */
    static Map<String, Object> settings(SerdeFormat format) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(SerdeConfig.REGISTRY_URL, format.registryUrl());
        settings.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, "true");
        settings.put(SerdeConfig.ENABLE_HEADERS, "false");
        settings.put(SerdeConfig.USE_ID, "contentId");
        settings.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, "true");
        settings.put(SerdeConfig.AUTO_REGISTER_ARTIFACT_IF_EXISTS, "RETURN_OR_UPDATE");
        settings.put(AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, "true");
        settings.putAll(format.registryProperties());
        return settings;
    }

    private synchronized AvroKafkaSerializer<T> serializer() {
        if (serializer == null) {
            AvroKafkaSerializer<T> s = new AvroKafkaSerializer<>();
            s.configure(settings(format), false);
            serializer = s;
        }
        return serializer;
    }

    private synchronized AvroKafkaDeserializer<T> deserializer() {
        if (deserializer == null) {
            AvroKafkaDeserializer<T> d = new AvroKafkaDeserializer<>();
            d.configure(settings(format), false);
            deserializer = d;
        }
        return deserializer;
    }

    @Override
    public byte[] encode(T record) {
        Objects.requireNonNull(record, "record");
        RuntimeException last = null;
        for (int attempt = 0; attempt < REGISTRATION_ATTEMPTS; attempt++) {
            try {
                return serializer().serialize(topic, record);
            } catch (RuntimeException e) {
                last = e;
                if (!unavailable(e)) {
                    break;
                }
                // a first registration can meet another writer's of the same subject, or a busy registry
                pause(attempt);
            }
        }
        throw encodingFailure(last);
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(200L << attempt);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private RuntimeException encodingFailure(RuntimeException e) {
        if (unavailable(e)) {
            return new RegistryUnavailableException(
                    "the schema registry at " + format.registryUrl() + " cannot be asked: " + innermost(e), e);
        }
        return new IllegalArgumentException(
                "cannot encode " + type.getSimpleName() + " for " + topic + " in the registry format: " + innermost(e),
                e);
    }

    @Override
    public T decode(byte[] bytes) {
        String name = type.getSimpleName();
        if (bytes == null || bytes.length == 0) {
            throw new RecordDecodingException((bytes == null ? "null" : "empty") + " message, expected " + name);
        }
        if (bytes[0] != MAGIC || bytes.length < HEADER_LENGTH) {
            throw new RecordDecodingException("not the Schema Registry wire format (starts with "
                    + HexFormat.of().formatHex(bytes, 0, Math.min(HEADER_LENGTH, bytes.length))
                    + ", expected 00 and a 4-byte schema id), expected " + name);
        }
        int id = schemaId(bytes);
        try {
            T record = deserializer().deserialize(topic, bytes);
            if (record == null || !type.isInstance(record)) {
                throw new RecordDecodingException("schema id " + id + " holds no " + name);
            }
            return record;
        } catch (RecordDecodingException e) {
            throw e;
        } catch (RuntimeException e) {
            if (notFound(e)) {
                throw new RecordDecodingException("schema id " + id + " is not in the registry", e);
            }
            if (unavailable(e)) {
                throw new RegistryUnavailableException(
                        "the schema registry at " + format.registryUrl() + " cannot be asked for schema id " + id + ": "
                                + innermost(e),
                        e);
            }
            throw new RecordDecodingException(
                    "schema id " + id + " cannot be read as " + name + ": " + innermost(e), e);
        }
    }

    /**
     * The schema id of a message in the wire format.
     *
     * @param bytes the message, at least {@link #HEADER_LENGTH} bytes
     * @return the id
     */
    public static int schemaId(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }

    private static boolean notFound(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String n = t.getClass().getSimpleName();
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (n.contains("NotFound") || m.contains("no content with id") || m.contains("not found")) {
                return true;
            }
        }
        return false;
    }

    /** The registry's client failed (no answer, an error status other than not-found): not the record's fault. */
    private static boolean unavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException
                    || t instanceof java.net.http.HttpTimeoutException
                    || t.getClass().getName().startsWith("io.apicurio.rest.client")
                    || t.getClass().getName().startsWith("io.apicurio.registry.rest.client")) {
                return true;
            }
        }
        return false;
    }

    private static String innermost(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replace('\n', ' ');
    }

    @Override
    public String toString() {
        return "RegistryCodec[" + type.getSimpleName() + " on " + topic + ", " + format + "]";
    }
}
