package io.divastream.connectors.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;

class DeadLettersTest {

    private final Instant failedAt = Instant.parse("2026-01-02T03:04:05.678901Z");

    @Test
    void carriesTheOriginalCoordinatesBytesAndReason() {
        byte[] value = {(byte) 0xc3, 0x01, 9};
        RawRecord raw = new RawRecord("diva.images", 1, 77L, new byte[] {'k'}, value, 5L);

        DeadLetter letter =
                DeadLetters.of(
                        raw,
                        DeadLetterReason.UNDECODABLE_RECORD,
                        "truncated header",
                        "decode-images",
                        failedAt);
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
        DeadLetter letter =
                DeadLetters.of(
                        tombstone, DeadLetterReason.EMPTY_IMAGE_ID, null, "validate", failedAt);
        assertThat(letter.getKey()).isNull();
        assertThat(letter.getValue()).isNull();
        assertThat(letter.getMessage()).isEqualTo("EMPTY_IMAGE_ID");
    }

    @Test
    void requiresAStage() {
        RawRecord raw = new RawRecord("t", 0, 0L, null, null, 0L);
        assertThatThrownBy(
                        () ->
                                DeadLetters.of(
                                        raw, DeadLetterReason.INVALID_IMAGE, "m", " ", failedAt))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
