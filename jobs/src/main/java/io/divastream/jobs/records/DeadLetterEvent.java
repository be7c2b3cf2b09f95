package io.divastream.jobs.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * An input record the pipeline rejected, with where it came from and why.
 *
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset
 * @param key the original key bytes (may be null)
 * @param value the original value bytes (may be null)
 * @param reason the reason, a {@code DeadLetterReason} symbol
 * @param message a one-line explanation
 * @param stage the operator that rejected it
 * @param failedAt epoch milliseconds
 */
public record DeadLetterEvent(
        String topic,
        int partition,
        long offset,
        byte[] key,
        byte[] value,
        String reason,
        String message,
        String stage,
        long failedAt) {

    /** Checks the fields. */
    public DeadLetterEvent {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(stage, "stage");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetterEvent d
                && topic.equals(d.topic)
                && partition == d.partition
                && offset == d.offset
                && Arrays.equals(key, d.key)
                && Arrays.equals(value, d.value)
                && reason.equals(d.reason)
                && message.equals(d.message)
                && stage.equals(d.stage)
                && failedAt == d.failedAt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset, reason);
    }
}
