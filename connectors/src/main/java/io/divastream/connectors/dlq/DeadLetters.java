package io.divastream.connectors.dlq;

import io.divastream.connectors.kafka.RawRecord;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** Builds {@link DeadLetter} records from the raw input records the pipeline rejected. */
public final class DeadLetters {

    private DeadLetters() {}

    /**
     * A dead letter carrying the original record's coordinates and bytes (copied) and the reason.
     *
     * @param raw the rejected input record
     * @param reason why it was rejected
     * @param message human-readable detail; null becomes the reason's name
     * @param stage the operator that rejected it, not blank
     * @param failedAt when it was rejected (kept to the millisecond, as on the wire)
     * @return the dead letter
     */
    public static DeadLetter of(
            RawRecord raw,
            DeadLetterReason reason,
            String message,
            String stage,
            Instant failedAt) {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(failedAt, "failedAt");
        if (stage == null || stage.isBlank()) {
            throw new IllegalArgumentException("stage must not be blank");
        }
        return DeadLetter.newBuilder()
                .setTopic(raw.topic() == null ? "" : raw.topic())
                .setPartition(raw.partition())
                .setOffset(raw.offset())
                .setKey(copy(raw.key()))
                .setValue(copy(raw.value()))
                .setReason(reason)
                .setMessage(message == null ? reason.name() : message)
                .setStage(stage)
                .setFailedAt(failedAt.truncatedTo(ChronoUnit.MILLIS))
                .build();
    }

    private static ByteBuffer copy(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes.clone());
    }
}
