package io.divastream.jobs.events;

import io.divastream.connectors.dlq.DeadLetterPayload;
import io.divastream.connectors.dlq.DeadLetters;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record the pipeline rejected, with where it came from and why; its key and value are the
 * original's or, for an oversize original, their first bytes ({@link DeadLetterPayload}).
 *
 * @param topic source topic
 * @param partition source partition, -1 for none
 * @param offset source offset, -1 for none
 * @param key the key bytes or their first bytes (may be null)
 * @param value the value bytes or their first bytes (may be null)
 * @param keyBytes the original key's length, -1 for none
 * @param valueBytes the original value's length, -1 for none
 * @param reason the reason, a {@code DeadLetterReason} symbol
 * @param message a one-line explanation, at most {@value DeadLetters#MAX_MESSAGE_CHARS} characters
 * @param stage the operator that rejected it
 * @param failedAt epoch milliseconds
 */
public record DeadLetterEvent(
        String topic,
        int partition,
        long offset,
        byte[] key,
        byte[] value,
        long keyBytes,
        long valueBytes,
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

    /**
     * The dead letter of an input record, its key and value cut to their bounds.
     *
     * @param record the rejected record
     * @param reason why
     * @param message one line (cut to {@value DeadLetters#MAX_MESSAGE_CHARS} characters)
     * @param stage the rejecting operator
     * @param maxValueBytes the most value bytes kept ({@link DeadLetters#maxValueBytes})
     * @return the dead letter, failed now
     */
    public static DeadLetterEvent of(
            RawRecord record, DeadLetterReason reason, String message, String stage, int maxValueBytes) {
        DeadLetterPayload payload = DeadLetterPayload.cut(record.key(), record.value(), maxValueBytes);
        return new DeadLetterEvent(
                record.topic(),
                record.partition(),
                record.offset(),
                payload.key(),
                payload.value(),
                payload.keyBytes(),
                payload.valueBytes(),
                reason.name(),
                DeadLetters.shorten(message == null ? reason.name() : message, DeadLetters.MAX_MESSAGE_CHARS),
                stage,
                System.currentTimeMillis());
    }

    /**
     * The dead letter of an image an operator after the decoder refused: no source coordinates
     * (partition and offset -1), the image id as key, no value.
     *
     * @param topic the images topic
     * @param imageId the image id (within the id limit)
     * @param reason why
     * @param message one line
     * @param stage the rejecting operator
     * @return the dead letter, failed now
     */
    public static DeadLetterEvent ofImage(
            String topic, String imageId, DeadLetterReason reason, String message, String stage) {
        byte[] key = imageId.getBytes(StandardCharsets.UTF_8);
        return of(new RawRecord(topic, -1, -1, key, null, -1), reason, message, stage, 0);
    }

    /**
     * The original key and value, as kept.
     *
     * @return the payload
     */
    public DeadLetterPayload payload() {
        return new DeadLetterPayload(key, keyBytes, value, valueBytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetterEvent d
                && topic.equals(d.topic)
                && partition == d.partition
                && offset == d.offset
                && Arrays.equals(key, d.key)
                && Arrays.equals(value, d.value)
                && keyBytes == d.keyBytes
                && valueBytes == d.valueBytes
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
