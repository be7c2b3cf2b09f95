package io.divastream.connectors.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.testing.SampleRecords;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.ImageEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroCodecTest {

    private final AvroCodec<ImageEvent> images = AvroCodec.of(ImageEvent.class);
    private final ImageEvent event =
            SampleRecords.imageEvent("omniglot/Korean/character07/0512_03.png", "Korean/character07");

    static Stream<SpecificRecord> allRecords() {
        return SampleRecords.all().stream();
    }

    @ParameterizedTest
    @MethodSource("allRecords")
    <T extends SpecificRecord> void roundTripsEverySchema(T record) {
        @SuppressWarnings("unchecked")
        AvroCodec<T> codec = AvroCodec.of((Class<T>) record.getClass());
        byte[] bytes = codec.encode(record);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(ByteBuffer.wrap(bytes, 2, 8)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .getLong())
                .isEqualTo(codec.fingerprint());
        assertThat(codec.decode(bytes)).isEqualTo(record);
    }

    @Test
    void isCompatibleWithTheGeneratedMessageEncoderAndDecoder() throws Exception {
        byte[] ours = images.encode(event);
        ByteBuffer theirs = ImageEvent.getEncoder().encode(event);
        assertThat(ByteBuffer.wrap(ours)).isEqualTo(theirs);
        assertThat(ImageEvent.getDecoder().decode(ours)).isEqualTo(event);
        assertThat(ImageEvent.fromByteBuffer(ByteBuffer.wrap(ours))).isEqualTo(event);
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> images.decode(null))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageContaining("null message");
    }

    @Test
    void rejectsEmpty() {
        assertThatThrownBy(() -> images.decode(new byte[0]))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageContaining("empty message");
    }

    @Test
    void rejectsGarbage() {
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            byte[] garbage = new byte[1 + random.nextInt(300)];
            random.nextBytes(garbage);
            assertThatThrownBy(() -> images.decode(garbage)).isInstanceOf(RecordDecodingException.class);
        }
        assertThatThrownBy(() -> images.decode("hello, world".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageStartingWith("not an Avro single-object message");
    }

    @Test
    void rejectsRawAvroBinaryWithoutTheHeader() {
        byte[] body = Arrays.copyOfRange(images.encode(event), AvroCodec.HEADER_LENGTH, images.encode(event).length);
        assertThatThrownBy(() -> images.decode(body))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageContaining("not an Avro single-object message");
    }

    @Test
    void rejectsEveryTruncation() {
        byte[] bytes = images.encode(event);
        for (int length = 1; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> images.decode(truncated))
                    .as("truncated to %d of %d bytes", length, bytes.length)
                    .isInstanceOf(RecordDecodingException.class)
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void rejectsAnotherSchemaNamingTheExpectedType() {
        byte[] embedding = AvroCodec.of(EmbeddingRecord.class).encode(SampleRecords.embeddingRecord());
        assertThatThrownBy(() -> images.decode(embedding))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageMatching(
                        "schema fingerprint [0-9a-f]{16} does not match ImageEvent \\(expected" + " [0-9a-f]{16}\\)");
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] bytes = images.encode(event);
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> images.decode(longer))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessage("3 trailing byte(s) after a complete ImageEvent record");
    }

    @Test
    void messagesAreOneLine() {
        byte[] bytes = images.encode(event);
        byte[] corrupt = bytes.clone();
        corrupt[AvroCodec.HEADER_LENGTH] = (byte) 0x01; // negative string length for imageId
        assertThatThrownBy(() -> images.decode(corrupt))
                .isInstanceOf(RecordDecodingException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void rejectsUnencodableRecords() {
        ImageEvent incomplete = new ImageEvent();
        assertThatThrownBy(() -> images.encode(incomplete))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot encode ImageEvent");
    }

    @Test
    void survivesJavaSerializationWithLazyState() throws Exception {
        images.encode(event); // initialise the transient state first
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
            out.writeObject(images);
        }
        AvroCodec<?> copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
            copy = (AvroCodec<?>) in.readObject();
        }
        assertThat(copy.type()).isEqualTo(ImageEvent.class);
        assertThat(copy.decode(images.encode(event))).isEqualTo(event);
        assertThat(copy.fingerprint()).isEqualTo(images.fingerprint());
    }

    /**
     * A dead letter written by a build before the keyBytes and valueBytes fields (with the schema kept as
     * io/divastream/schemas/history/DeadLetter.1.avsc) is read by today's codec, the new fields at their
     * defaults; a record of an unknown schema is still refused.
     */
    @Test
    void readsRecordsWrittenWithAnEarlierSchemaOfTheType() throws Exception {
        org.apache.avro.Schema earlier;
        try (java.io.InputStream in =
                getClass().getClassLoader().getResourceAsStream("io/divastream/schemas/history/DeadLetter.1.avsc")) {
            earlier = new org.apache.avro.Schema.Parser().parse(in);
        }
        org.apache.avro.generic.GenericRecord old = new org.apache.avro.generic.GenericData.Record(earlier);
        old.put("topic", "diva.images");
        old.put("partition", 2);
        old.put("offset", 41L);
        old.put("key", java.nio.ByteBuffer.wrap(new byte[] {'k'}));
        old.put("value", null);
        old.put(
                "reason",
                new org.apache.avro.generic.GenericData.EnumSymbol(
                        earlier.getField("reason").schema(), "EMPTY_LABEL"));
        old.put("message", "image k has an empty label");
        old.put("stage", "decode-images");
        old.put("failedAt", 1_700_000_000_000L);
        byte[] bytes = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                        org.apache.avro.generic.GenericData.get(), earlier)
                .encode(old)
                .array();

        AvroCodec<io.divastream.schemas.DeadLetter> codec = AvroCodec.of(io.divastream.schemas.DeadLetter.class);
        assertThat(org.apache.avro.SchemaNormalization.parsingFingerprint64(earlier))
                .isNotEqualTo(codec.fingerprint());
        io.divastream.schemas.DeadLetter letter = codec.decode(bytes);
        assertThat(letter.getOffset()).isEqualTo(41L);
        assertThat(letter.getReason()).isEqualTo(io.divastream.schemas.DeadLetterReason.EMPTY_LABEL);
        assertThat(letter.getMessage()).isEqualTo("image k has an empty label");
        assertThat(letter.getKeyBytes()).isEqualTo(-1L);
        assertThat(letter.getValueBytes()).isEqualTo(-1L);

        byte[] image = images.encode(event);
        assertThatThrownBy(() -> codec.decode(image))
                .isInstanceOf(RecordDecodingException.class)
                .hasMessageContaining("or one of its 1 earlier schemas");
    }
}
