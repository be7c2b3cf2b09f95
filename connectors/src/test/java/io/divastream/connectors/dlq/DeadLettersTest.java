package io.divastream.connectors.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    private final Instant failedAt = Instant.parse("2026-01-02T03:04:05.678901Z");

    @Test
    void carriesTheOriginalCoordinatesBytesAndReason() {
        byte[] value = {(byte) 0xc3, 0x01, 9};
        RawRecord raw = new RawRecord("diva.images", 1, 77L, new byte[] {'k'}, value, 5L);

        DeadLetter letter =
                DeadLetters.of(raw, DeadLetterReason.UNDECODABLE_RECORD, "truncated header", "decode-images", failedAt);
        value[2] = 0;

        assertThat(letter.getTopic()).isEqualTo("diva.images");
        assertThat(letter.getPartition()).isEqualTo(1);
        assertThat(letter.getOffset()).isEqualTo(77L);
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap(new byte[] {'k'}));
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(new byte[] {(byte) 0xc3, 0x01, 9}));
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE_RECORD);
        assertThat(letter.getMessage()).isEqualTo("truncated header");
        assertThat(letter.getStage()).isEqualTo("decode-images");
        assertThat(letter.getFailedAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z"));

        AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
        assertThat(codec.decode(codec.encode(letter))).isEqualTo(letter);
    }

    @Test
    void keepsNullKeyAndValueAndDefaultsTheMessage() {
        RawRecord tombstone = new RawRecord("diva.images", 0, 3L, null, null, 0L);
        DeadLetter letter = DeadLetters.of(tombstone, DeadLetterReason.EMPTY_IMAGE_ID, null, "validate", failedAt);
        assertThat(letter.getKey()).isNull();
        assertThat(letter.getValue()).isNull();
        assertThat(letter.getMessage()).isEqualTo("EMPTY_IMAGE_ID");
    }

    @Test
    void requiresAStage() {
        RawRecord raw = new RawRecord("t", 0, 0L, null, null, 0L);
        assertThatThrownBy(() -> DeadLetters.of(raw, DeadLetterReason.INVALID_IMAGE, "m", " ", failedAt))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A dead letter of an oversize original (the poison dead letter of issue 13: a 600 KB image id made a
     * 1.2 MB dead letter that failed the sink) keeps the first bytes of key and value, their lengths and a
     * cut message, and fits the producer's limit.
     */
    @Test
    void cutsAnOversizeOriginalToFitTheProducersLimit() {
        io.divastream.connectors.kafka.RecordSizeLimit limit =
                new io.divastream.connectors.kafka.RecordSizeLimit(1 << 20);
        byte[] key = new byte[600_000];
        byte[] value = new byte[1_200_000];
        java.util.Arrays.fill(value, (byte) 7);
        DeadLetterPayload payload = DeadLetterPayload.cut(key, value, DeadLetters.maxValueBytes(limit));
        assertThat(payload.truncated()).isTrue();
        DeadLetter letter = DeadLetters.of(
                "diva.images",
                0,
                9L,
                payload,
                DeadLetterReason.EMPTY_LABEL,
                "image " + "i".repeat(600_000) + " has an empty label",
                "decode-images",
                failedAt);
        assertThat(letter.getKey().remaining()).isEqualTo(DeadLetters.MAX_KEY_BYTES);
        assertThat(letter.getKeyBytes()).isEqualTo(600_000L);
        assertThat(letter.getValueBytes()).isEqualTo(1_200_000L);
        assertThat(letter.getValue().remaining()).isEqualTo(DeadLetters.maxValueBytes(limit));
        assertThat(letter.getMessage()).hasSize(DeadLetters.MAX_MESSAGE_CHARS).endsWith("... (600025 characters)");
        byte[] encoded = AvroCodec.of(DeadLetter.class).encode(letter);
        byte[] kafkaKey = ("diva.images".repeat(22) + "-2147483647@9223372036854775807").getBytes();
        assertThat(limit.fits(kafkaKey, encoded)).isTrue();

        DeadLetterPayload small =
                DeadLetterPayload.cut(new byte[] {1}, new byte[] {2, 3}, DeadLetters.maxValueBytes(limit));
        assertThat(small.truncated()).isFalse();
        assertThat(small).isEqualTo(new DeadLetterPayload(new byte[] {1}, 1, new byte[] {2, 3}, 2));
    }

    @Test
    void shortensTextsWithoutSplittingACharacter() {
        assertThat(DeadLetters.shorten("short", 10)).isEqualTo("short");
        String emoji = "\uD83D\uDE00".repeat(100);
        String cut = DeadLetters.shorten(emoji, 30);
        assertThat(cut).endsWith("... (200 characters)").hasSizeLessThanOrEqualTo(30);
        assertThat(Character.isHighSurrogate(cut.charAt(cut.indexOf("...") - 1)))
                .isFalse();
    }

    @Test
    void messagesHaveTheirControlCharactersEscaped() {
        RawRecord raw = new RawRecord("t", 0, 0L, null, null, 0L);
        DeadLetter letter = DeadLetters.of(
                raw, DeadLetterReason.EMPTY_LABEL, "image a\nb\tc\u0000 has an empty label", "decode-images", failedAt);
        assertThat(letter.getMessage()).isEqualTo("image a\\u000ab\\u0009c\\u0000 has an empty label");
        assertThat(DeadLetters.printable("plain é")).isEqualTo("plain é");
    }
}
