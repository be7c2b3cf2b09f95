package io.divastream.connectors.kafka;

import io.divastream.connectors.avro.AvroCodec;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Serializes an Avro record for a Kafka sink: the value in Avro single-object encoding, the key as
 * the UTF-8 bytes of the {@link KeyExtractor}'s result.
 *
 * @param <T> the Avro record type
 */
public final class AvroRecordSerializationSchema<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final AvroCodec<T> codec;
    private final KeyExtractor<T> keyExtractor;

    /**
     * Creates the schema.
     *
     * @param topic the target topic
     * @param codec the value codec
     * @param keyExtractor gives the record key (null for no key)
     */
    public AvroRecordSerializationSchema(
            String topic, AvroCodec<T> codec, KeyExtractor<T> keyExtractor) {
        RawRecordSources.requireNonBlank(topic, "topic");
        this.topic = topic;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.keyExtractor = Objects.requireNonNull(keyExtractor, "keyExtractor");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        String key = keyExtractor.apply(element);
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        Long validTimestamp = timestamp != null && timestamp >= 0 ? timestamp : null;
        return new ProducerRecord<>(topic, null, validTimestamp, keyBytes, codec.encode(element));
    }
}
