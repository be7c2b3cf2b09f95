package io.divastream.connectors.kafka;

import java.util.Arrays;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * An undecoded Kafka record: its coordinates and its key and value bytes. This is what the sources
 * emit, so that decoding (and routing failures to the dead-letter topic) happens in an operator.
 * Flink serializes it as a POJO (records are POJOs since Flink 1.19).
 *
 * <p>The arrays are not copied by the accessors; treat them as read-only. {@code equals} and {@code
 * hashCode} compare the array contents.
 *
 * @param topic source topic
 * @param partition source partition
 * @param offset offset within the partition
 * @param key key bytes, or null
 * @param value value bytes, or null (a tombstone)
 * @param timestamp the record's Kafka timestamp in epoch milliseconds
 */
public record RawRecord(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp) {

    /**
     * Copies a consumer record, including its key and value arrays.
     *
     * @param record the consumed record
     * @return the raw record
     */
    public static RawRecord copyOf(ConsumerRecord<byte[], byte[]> record) {
        return new RawRecord(
                record.topic(),
                record.partition(),
                record.offset(),
                copy(record.key()),
                copy(record.value()),
                record.timestamp());
    }

    private static byte[] copy(byte[] bytes) {
        return bytes == null ? null : bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RawRecord other)) {
            return false;
        }
        return partition == other.partition
                && offset == other.offset
                && timestamp == other.timestamp
                && Objects.equals(topic, other.topic)
                && Arrays.equals(key, other.key)
                && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        int result = Objects.hash(topic, partition, offset, timestamp);
        result = 31 * result + Arrays.hashCode(key);
        return 31 * result + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "RawRecord["
                + topic
                + "-"
                + partition
                + "@"
                + offset
                + ", key="
                + (key == null ? "null" : key.length + " bytes")
                + ", value="
                + (value == null ? "null" : value.length + " bytes")
                + ", timestamp="
                + timestamp
                + "]";
    }
}
