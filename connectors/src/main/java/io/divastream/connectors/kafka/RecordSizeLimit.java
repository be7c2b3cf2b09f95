package io.divastream.connectors.kafka;

import java.io.Serializable;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The largest record a producer sends: its {@code max.request.size}. A record over it makes the
 * producer fail the send ({@code RecordTooLargeException}), which in a Flink Kafka sink fails the job, so
 * every record the job writes is measured against it first. The size counted is the key and the value
 * plus {@value #OVERHEAD} bytes, more than the batch header and the record's own framing take.
 *
 * @param maxRequestSize the producer's {@code max.request.size}
 */
public record RecordSizeLimit(int maxRequestSize) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Bytes counted on top of key and value: a record batch's header (61) and a record's framing. */
    public static final int OVERHEAD = 128;

    /** Kafka's default {@code max.request.size}, 1 MiB. */
    public static final int KAFKA_DEFAULT = 1 << 20;

    /** Validates the limit. */
    public RecordSizeLimit {
        if (maxRequestSize < 16 * 1024) {
            throw new IllegalArgumentException(ProducerConfig.MAX_REQUEST_SIZE_CONFIG + " must be at least 16384 for"
                    + " the job's records, got " + maxRequestSize);
        }
    }

    /**
     * The limit of the producers built from these settings.
     *
     * @param settings the Kafka settings
     * @return their {@code max.request.size}, or Kafka's default
     * @throws IllegalArgumentException if the property is not a number
     */
    public static RecordSizeLimit of(KafkaSettings settings) {
        String value = settings.property(ProducerConfig.MAX_REQUEST_SIZE_CONFIG).orElse(null);
        if (value == null) {
            return new RecordSizeLimit(KAFKA_DEFAULT);
        }
        try {
            return new RecordSizeLimit(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG + " must be a number of bytes, got '" + value + "'");
        }
    }

    /**
     * The size counted for a record.
     *
     * @param key the key bytes, or null
     * @param value the value bytes, or null
     * @return key + value + {@value #OVERHEAD}
     */
    public static long size(byte[] key, byte[] value) {
        return (long) (key == null ? 0 : key.length) + (value == null ? 0 : value.length) + OVERHEAD;
    }

    /**
     * Tells whether a record can be sent.
     *
     * @param key the key bytes, or null
     * @param value the value bytes, or null
     * @return true if its size is within the limit
     */
    public boolean fits(byte[] key, byte[] value) {
        return size(key, value) <= maxRequestSize;
    }
}
