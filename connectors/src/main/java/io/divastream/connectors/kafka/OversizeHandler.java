package io.divastream.connectors.kafka;

import java.io.Serializable;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What a sink sends instead of a record over the producer's {@code max.request.size}
 * ({@link AvroRecordSerializationSchema}): a replacement record (e.g. a dead letter), or nothing.
 */
@FunctionalInterface
public interface OversizeHandler extends Serializable {

    /** Sends nothing in place of the record. */
    OversizeHandler DROP = (topic, key, value, type, limit, timestamp) -> null;

    /**
     * The record to send instead.
     *
     * @param topic the topic the record was meant for
     * @param key its key bytes, or null
     * @param value its value bytes
     * @param type the Avro record's class
     * @param limit the producer's limit
     * @param timestamp its timestamp, or null
     * @return the replacement, or null to send nothing
     */
    ProducerRecord<byte[], byte[]> replace(
            String topic, byte[] key, byte[] value, Class<?> type, RecordSizeLimit limit, Long timestamp);
}
