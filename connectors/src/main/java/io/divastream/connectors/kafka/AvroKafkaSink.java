package io.divastream.connectors.kafka;

import io.divastream.connectors.avro.SerdeFormat;
import java.util.Objects;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds a Flink {@link KafkaSink} that writes Avro records (single-object encoding) keyed by a
 * UTF-8 string.
 *
 * <pre>{@code
 * KafkaSink<EmbeddingRecord> sink = AvroKafkaSink.builder(EmbeddingRecord.class)
 *         .settings(settings)
 *         .topic(KafkaTopics.EMBEDDINGS)
 *         .keyExtractor(EmbeddingRecord::getImageId)
 *         .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
 *         .transactionalIdPrefix("diva-embeddings")
 *         .build();
 * }</pre>
 *
 * <p>For {@link DeliveryGuarantee#EXACTLY_ONCE} a transactional id prefix is required, and {@code
 * transaction.timeout.ms} defaults to {@link #DEFAULT_TRANSACTION_TIMEOUT_MS} (brokers reject
 * timeouts above their {@code transaction.max.timeout.ms}, 15 minutes by default, whereas the Flink
 * connector would otherwise ask for one hour). Set it in the settings' extra properties to change
 * it. Downstream consumers must read with {@code isolation.level=read_committed}.
 *
 * <p>A record over the producer's {@code max.request.size} never fails the sink: its {@link #oversize}
 * handler sends a replacement (a dead letter) or nothing (see {@link AvroRecordSerializationSchema}).
 *
 * <p>The stream may also carry other values, converted to the Avro record by a {@link
 * RecordConverter} inside the sink, so that the job's streams keep their own (POJO) types.
 *
 * @param <IN> the stream element type
 * @param <T> the Avro record type
 */
public final class AvroKafkaSink<IN, T extends SpecificRecord> {

    /** Default producer {@code transaction.timeout.ms} for exactly-once sinks: 10 minutes. */
    public static final long DEFAULT_TRANSACTION_TIMEOUT_MS = 10 * 60 * 1000L;

    private final Class<T> type;
    private KafkaSettings settings;
    private String topic;
    private final RecordConverter<IN, T> converter;
    private KeyExtractor<IN> keyExtractor;
    private DeliveryGuarantee deliveryGuarantee = DeliveryGuarantee.AT_LEAST_ONCE;
    private String transactionalIdPrefix;
    private OversizeHandler oversize = OversizeHandler.DROP;
    private SerdeFormat format = SerdeFormat.SINGLE_OBJECT;

    private AvroKafkaSink(Class<T> type, RecordConverter<IN, T> converter) {
        this.type = Objects.requireNonNull(type, "type");
        this.converter = Objects.requireNonNull(converter, "converter");
    }

    /**
     * Starts a sink builder for a generated Avro record class.
     *
     * @param type the record class
     * @param <T> the record type
     * @return the builder (at-least-once by default)
     */
    public static <T extends SpecificRecord> AvroKafkaSink<T, T> builder(Class<T> type) {
        return new AvroKafkaSink<>(type, record -> record);
    }

    /**
     * Starts a sink builder for a stream of other values, converted to the Avro record class.
     *
     * @param type the record class
     * @param converter turns each stream element into its record
     * @param <IN> the stream element type
     * @param <T> the record type
     * @return the builder (at-least-once by default)
     */
    public static <IN, T extends SpecificRecord> AvroKafkaSink<IN, T> builder(
            Class<T> type, RecordConverter<IN, T> converter) {
        return new AvroKafkaSink<>(type, converter);
    }

    /**
     * Sets where Kafka is and the extra producer properties (required).
     *
     * @param settings the Kafka settings
     * @return this builder
     */
    public AvroKafkaSink<IN, T> settings(KafkaSettings settings) {
        this.settings = settings;
        return this;
    }

    /**
     * Sets the wire format of the records (default: single-object encoding).
     *
     * @param format the format
     * @return this builder
     */
    public AvroKafkaSink<IN, T> format(SerdeFormat format) {
        this.format = java.util.Objects.requireNonNull(format, "format");
        return this;
    }

    /**
     * Sets the target topic (required).
     *
     * @param topic the topic name
     * @return this builder
     */
    public AvroKafkaSink<IN, T> topic(String topic) {
        this.topic = topic;
        return this;
    }

    /**
     * Sets the function giving each record's key (required).
     *
     * @param keyExtractor the key function; its result is encoded as UTF-8, null means no key
     * @return this builder
     */
    public AvroKafkaSink<IN, T> keyExtractor(KeyExtractor<IN> keyExtractor) {
        this.keyExtractor = keyExtractor;
        return this;
    }

    /**
     * Sets the delivery guarantee (default at-least-once).
     *
     * @param deliveryGuarantee the guarantee
     * @return this builder
     */
    public AvroKafkaSink<IN, T> deliveryGuarantee(DeliveryGuarantee deliveryGuarantee) {
        this.deliveryGuarantee = deliveryGuarantee;
        return this;
    }

    /**
     * Sets the transactional id prefix, required for exactly-once. It must be unique per sink among
     * all jobs writing to the same cluster.
     *
     * @param transactionalIdPrefix the prefix
     * @return this builder
     */
    public AvroKafkaSink<IN, T> transactionalIdPrefix(String transactionalIdPrefix) {
        this.transactionalIdPrefix = transactionalIdPrefix;
        return this;
    }

    /**
     * Sets what is sent instead of a record too large for the producer (default: nothing; such a record
     * is dropped, logged and counted; see {@link AvroRecordSerializationSchema}).
     *
     * @param oversize the replacement, e.g. a dead letter
     * @return this builder
     */
    public AvroKafkaSink<IN, T> oversize(OversizeHandler oversize) {
        this.oversize = oversize;
        return this;
    }

    /**
     * Validates the configuration and builds the sink.
     *
     * @return the Kafka sink
     * @throws IllegalArgumentException if a required setting is missing or invalid
     */
    public KafkaSink<IN> build() {
        if (settings == null) {
            throw new IllegalArgumentException("Kafka settings are required");
        }
        RawRecordSources.requireNonBlank(topic, "topic");
        if (keyExtractor == null) {
            throw new IllegalArgumentException("a key extractor is required");
        }
        if (deliveryGuarantee == null) {
            throw new IllegalArgumentException("a delivery guarantee is required");
        }
        boolean exactlyOnce = deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE;
        if (exactlyOnce && (transactionalIdPrefix == null || transactionalIdPrefix.isBlank())) {
            throw new IllegalArgumentException("a transactional id prefix is required for EXACTLY_ONCE delivery");
        }
        Properties producerConfig = producerConfig(settings, deliveryGuarantee);
        var builder = KafkaSink.<IN>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setKafkaProducerConfig(producerConfig)
                .setDeliveryGuarantee(deliveryGuarantee)
                .setRecordSerializer(new AvroRecordSerializationSchema<>(
                        topic,
                        format.codec(type, topic),
                        keyExtractor,
                        converter,
                        RecordSizeLimit.of(settings),
                        oversize));
        if (transactionalIdPrefix != null && !transactionalIdPrefix.isBlank()) {
            builder.setTransactionalIdPrefix(transactionalIdPrefix);
        }
        return builder.build();
    }

    /**
     * The producer properties a sink with this guarantee uses.
     *
     * @param settings the Kafka settings
     * @param deliveryGuarantee the guarantee
     * @return the producer properties
     */
    public static Properties producerConfig(KafkaSettings settings, DeliveryGuarantee deliveryGuarantee) {
        Properties properties = settings.toProperties();
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            properties.putIfAbsent(
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(DEFAULT_TRANSACTION_TIMEOUT_MS));
        }
        return properties;
    }
}
