package io.divastream.connectors.dlq;

import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.kafka.OversizeHandler;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Builds {@link DeadLetter} records from the raw input records the pipeline rejected, bounded so that
 * a dead letter always fits in a record: the key is kept up to {@value #MAX_KEY_BYTES} bytes, the
 * message up to {@value #MAX_MESSAGE_CHARS} characters (its control characters escaped) and the value up
 * to {@link #maxValueBytes}; the original lengths are recorded beside them.
 */
public final class DeadLetters {

    /** The most key bytes a dead letter keeps. */
    public static final int MAX_KEY_BYTES = 1024;
    /** The most message characters a dead letter keeps. */
    public static final int MAX_MESSAGE_CHARS = 1000;
    /** The most stage characters a dead letter keeps. */
    public static final int MAX_STAGE_CHARS = 100;
    /**
     * Room taken in a dead-letter record by everything but its value: key, message (at most 3 UTF-8
     * bytes per character), topic (at most 249 characters), stage, numbers, Avro framing and the Kafka
     * key {@code topic-partition@offset}.
     */
    static final int FRAME_BYTES = MAX_KEY_BYTES + 3 * MAX_MESSAGE_CHARS + 3 * MAX_STAGE_CHARS + 2 * 249 + 512;

    /** The stage named in the dead letters of records too large to send. */
    public static final String OUTPUT_STAGE = "kafka-sink";

    private DeadLetters() {}

    /**
     * The most value bytes a dead letter keeps so that it fits the producer's limit.
     *
     * @param limit the dead-letter producer's limit
     * @return the value budget
     */
    public static int maxValueBytes(RecordSizeLimit limit) {
        return limit.maxRequestSize() - RecordSizeLimit.OVERHEAD - FRAME_BYTES;
    }

    /**
     * A dead letter carrying the original record's coordinates and bytes (copied, not cut) and the
     * reason; for records known to be small.
     *
     * @param raw the rejected input record
     * @param reason why it was rejected
     * @param message human-readable detail; null becomes the reason's name
     * @param stage the operator that rejected it, not blank
     * @param failedAt when it was rejected (kept to the millisecond, as on the wire)
     * @return the dead letter
     */
    public static DeadLetter of(
            RawRecord raw, DeadLetterReason reason, String message, String stage, Instant failedAt) {
        Objects.requireNonNull(raw, "raw");
        return of(
                raw.topic(),
                raw.partition(),
                raw.offset(),
                DeadLetterPayload.cut(raw.key(), raw.value(), Integer.MAX_VALUE),
                reason,
                message,
                stage,
                failedAt);
    }

    /**
     * A dead letter with a bounded payload.
     *
     * @param topic the original record's topic (null becomes empty)
     * @param partition its partition, -1 for none
     * @param offset its offset, -1 for none
     * @param payload its key and value, cut to their bounds
     * @param reason why it was rejected
     * @param message human-readable detail; null becomes the reason's name; cut to {@value #MAX_MESSAGE_CHARS}
     * @param stage the operator that rejected it, not blank
     * @param failedAt when it was rejected (kept to the millisecond, as on the wire)
     * @return the dead letter
     */
    public static DeadLetter of(
            String topic,
            int partition,
            long offset,
            DeadLetterPayload payload,
            DeadLetterReason reason,
            String message,
            String stage,
            Instant failedAt) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(failedAt, "failedAt");
        if (stage == null || stage.isBlank()) {
            throw new IllegalArgumentException("stage must not be blank");
        }
        return DeadLetter.newBuilder()
                .setTopic(topic == null ? "" : shorten(topic, 249))
                .setPartition(partition)
                .setOffset(offset)
                .setKey(copy(payload.key()))
                .setValue(copy(payload.value()))
                .setKeyBytes(payload.keyBytes())
                .setValueBytes(payload.valueBytes())
                .setReason(reason)
                .setMessage(shorten(printable(message == null ? reason.name() : message), MAX_MESSAGE_CHARS))
                .setStage(shorten(stage, MAX_STAGE_CHARS))
                .setFailedAt(failedAt.truncatedTo(ChronoUnit.MILLIS))
                .build();
    }

    /**
     * A sink's {@link OversizeHandler} sending, instead of a record too large, an {@code OUTPUT_TOO_LARGE}
     * dead letter: the topic the record was meant for, partition and offset -1, its key and its value's
     * first bytes, its size.
     *
     * @param deadLetterTopic the dead-letter topic
     * @return the handler
     */
    public static OversizeHandler redirectTo(String deadLetterTopic) {
        return redirectTo(deadLetterTopic, SerdeFormat.SINGLE_OBJECT);
    }

    /**
     * A sink's {@link OversizeHandler} sending an {@code OUTPUT_TOO_LARGE} dead letter in a wire format.
     *
     * @param deadLetterTopic the dead-letter topic
     * @param format the dead-letter topic's wire format
     * @return the handler
     */
    public static OversizeHandler redirectTo(String deadLetterTopic, SerdeFormat format) {
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        RecordCodec<DeadLetter> codec = format.codec(DeadLetter.class, deadLetterTopic);
        return (topic, key, value, type, limit, timestamp) -> {
            String message = "a " + type.getSimpleName() + " record of " + RecordSizeLimit.size(key, value)
                    + " bytes for " + topic + " exceeds max.request.size " + limit.maxRequestSize();
            DeadLetter letter = of(
                    topic,
                    -1,
                    -1,
                    DeadLetterPayload.cut(key, value, maxValueBytes(limit)),
                    DeadLetterReason.OUTPUT_TOO_LARGE,
                    message,
                    OUTPUT_STAGE,
                    Instant.now());
            return new ProducerRecord<>(
                    deadLetterTopic,
                    null,
                    timestamp,
                    (topic + "--1@-1").getBytes(StandardCharsets.UTF_8),
                    codec.encode(letter));
        };
    }

    /**
     * Cuts a text to a number of characters, marking the cut.
     *
     * @param text the text
     * @param max the most characters to keep
     * @return the text, or its start and {@code "... (N characters)"} within {@code max} characters
     */
    public static String shorten(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        String tail = "... (" + text.length() + " characters)";
        int keep = Math.max(0, max - tail.length());
        if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) {
            keep--;
        }
        return text.substring(0, keep) + tail;
    }

    /**
     * Escapes control characters (a newline in an image id must not split a message or a log line).
     *
     * @param text the text
     * @return the text with each control character as {@code \\uXXXX}
     */
    public static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static ByteBuffer copy(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes.clone());
    }
}
