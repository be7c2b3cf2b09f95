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
 * @param <IN> the stream element type, converted to {@code T} before encoding
 * @param <T> the Avro record type
 */
public final class AvroRecordSerializationSchema<IN, T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<IN> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final AvroCodec<T> codec;
    private final KeyExtractor<IN> keyExtractor;
    private final RecordConverter<IN, T> converter;

    /**
     * Creates the schema.
     *
     * @param topic the target topic
     * @param codec the value codec
     * @param keyExtractor gives the record key (null for no key)
     * @param converter turns a stream element into its Avro record
     */
    public AvroRecordSerializationSchema(
            String topic,
            AvroCodec<T> codec,
            KeyExtractor<IN> keyExtractor,
            RecordConverter<IN, T> converter) {
        RawRecordSources.requireNonBlank(topic, "topic");
        this.topic = topic;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.keyExtractor = Objects.requireNonNull(keyExtractor, "keyExtractor");
        this.converter = Objects.requireNonNull(converter, "converter");
    }

    /**
     * Creates a schema for a stream of Avro records.
     *
     * @param topic the target topic
     * @param codec the value codec
     * @param keyExtractor gives the record key (null for no key)
     * @param <T> the Avro record type
     * @return the schema
     */
    public static <T extends SpecificRecord> AvroRecordSerializationSchema<T, T> of(
            String topic, AvroCodec<T> codec, KeyExtractor<T> keyExtractor) {
        return new AvroRecordSerializationSchema<>(topic, codec, keyExtractor, record -> record);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            IN element, KafkaSinkContext context, Long timestamp) {
        String key = keyExtractor.apply(element);
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        Long validTimestamp = timestamp != null && timestamp >= 0 ? timestamp : null;
        return new ProducerRecord<>(topic, null, validTimestamp, keyBytes, codec.encode(converter.apply(element)));
    }
}
