package io.divastream.connectors.kafka;

import io.divastream.connectors.avro.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializes an Avro record for a Kafka sink: the value in Avro single-object encoding, the key as
 * the UTF-8 bytes of the {@link KeyExtractor}'s result.
 *
 * <p>No record can make the sink throw: a record over the producer's {@code max.request.size} ({@link
 * RecordSizeLimit}) is not sent. Its {@link OversizeHandler} gives what is sent instead (in the same
 * transaction): the job's sinks send an {@code OUTPUT_TOO_LARGE} dead letter holding the record's first
 * bytes, its size and the topic it was meant for; the dead-letter sink itself sends nothing. Either way it
 * is logged and counted in {@code numRecordsTooLarge}.
 *
 * @param <IN> the stream element type, converted to {@code T} before encoding
 * @param <T> the Avro record type
 */
public final class AvroRecordSerializationSchema<IN, T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<IN> {
    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(AvroRecordSerializationSchema.class);

    private final String topic;
    private final RecordCodec<T> codec;
    private final KeyExtractor<IN> keyExtractor;
    private final RecordConverter<IN, T> converter;
    private final RecordSizeLimit limit;
    private final OversizeHandler oversize;
    private transient Counter tooLarge;

    /**
     * Creates the schema.
     *
     * @param topic the target topic
     * @param codec the value codec
     * @param keyExtractor gives the record key (null for no key)
     * @param converter turns a stream element into its Avro record
     * @param limit the producer's record size limit
     * @param oversize what is sent instead of a record over the limit
     */
    public AvroRecordSerializationSchema(
            String topic,
            RecordCodec<T> codec,
            KeyExtractor<IN> keyExtractor,
            RecordConverter<IN, T> converter,
            RecordSizeLimit limit,
            OversizeHandler oversize) {
        RawRecordSources.requireNonBlank(topic, "topic");
        this.topic = topic;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.keyExtractor = Objects.requireNonNull(keyExtractor, "keyExtractor");
        this.converter = Objects.requireNonNull(converter, "converter");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.oversize = Objects.requireNonNull(oversize, "oversize");
    }

    /**
     * Creates a schema for a stream of Avro records, Kafka's default size limit, dropping a record over it.
     *
     * @param topic the target topic
     * @param codec the value codec
     * @param keyExtractor gives the record key (null for no key)
     * @param <T> the Avro record type
     * @return the schema
     */
    public static <T extends SpecificRecord> AvroRecordSerializationSchema<T, T> of(
            String topic, RecordCodec<T> codec, KeyExtractor<T> keyExtractor) {
        return new AvroRecordSerializationSchema<>(
                topic,
                codec,
                keyExtractor,
                record -> record,
                new RecordSizeLimit(RecordSizeLimit.KAFKA_DEFAULT),
                OversizeHandler.DROP);
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        tooLarge = context.getMetricGroup().counter("numRecordsTooLarge");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(IN element, KafkaSinkContext context, Long timestamp) {
        String key = keyExtractor.apply(element);
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        Long validTimestamp = timestamp != null && timestamp >= 0 ? timestamp : null;
        byte[] value = codec.encode(converter.apply(element));
        if (limit.fits(keyBytes, value)) {
            return new ProducerRecord<>(topic, null, validTimestamp, keyBytes, value);
        }
        return tooLarge(keyBytes, value, validTimestamp);
    }

    private ProducerRecord<byte[], byte[]> tooLarge(byte[] key, byte[] value, Long timestamp) {
        if (tooLarge == null) {
            tooLarge = new SimpleCounter(); // not opened by a sink (tests)
        }
        tooLarge.inc();
        ProducerRecord<byte[], byte[]> replacement =
                oversize.replace(topic, key, value, codec.type(), limit, timestamp);
        LOG.warn(
                "a {} record of {} bytes for {} exceeds max.request.size {}: {}",
                codec.type().getSimpleName(),
                RecordSizeLimit.size(key, value),
                topic,
                limit.maxRequestSize(),
                replacement == null ? "dropped" : "sent to " + replacement.topic() + " instead");
        return replacement;
    }
}
