package io.divastream.connectors.avro;

import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one generated Avro type in the Avro <em>single-object encoding</em>: the two
 * marker bytes {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer
 * schema, then the Avro binary body.
 *
 * <p>The header makes garbage, wrong-schema and truncated bytes reliably detectable: {@link
 * #decode(byte[])} checks the marker and the fingerprint before reading the body, and rejects
 * bodies that end early or are followed by extra bytes. Records written with an earlier schema of the
 * type that the schemas module keeps ({@link SchemaHistory}) are read into the current one by Avro's
 * schema resolution (a field added since gets its default). The bytes are interchangeable with those of
 * the generated classes' {@code getEncoder()} / {@code getDecoder()}.
 *
 * <p>The codec is {@link Serializable} (only the record class is serialized; the Avro readers and
 * writers are created lazily), so it can be a field of a Flink function. An instance is not
 * thread-safe; use one per thread or task.
 *
 * @param <T> the generated Avro record type
 */
public final class AvroCodec<T extends SpecificRecord> implements RecordCodec<T> {
    private static final long serialVersionUID = 1L;

    /** Length of the single-object header: 2 marker bytes and an 8-byte fingerprint. */
    public static final int HEADER_LENGTH = 10;

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    private final Class<T> type;

    private transient Schema schema;
    private transient long fingerprint;
    private transient Map<Long, SpecificDatumReader<T>> readers;
    private transient BinaryMessageEncoder<T> encoder;
    private transient BinaryDecoder decoder;

    private AvroCodec(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        schema(); // fail fast on a class that is not a generated Avro record
    }

    /**
     * Creates a codec for a generated Avro record class.
     *
     * @param type the generated class, e.g. {@code ImageEvent.class}
     * @param <T> the record type
     * @return a new codec
     * @throws IllegalArgumentException if Avro cannot derive a record schema from the class
     */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type);
    }

    @Override
    public Class<T> type() {
        return type;
    }

    /**
     * The schema the codec writes and expects.
     *
     * @return the record schema
     */
    public Schema schema() {
        if (schema == null) {
            Schema s;
            try {
                s = SpecificData.getForClass(type).getSchema(type);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a generated Avro record class: " + type.getName(), e);
            }
            if (s == null || s.getType() != Schema.Type.RECORD) {
                throw new IllegalArgumentException("not a generated Avro record class: " + type.getName());
            }
            fingerprint = SchemaNormalization.parsingFingerprint64(s);
            schema = s;
        }
        return schema;
    }

    /**
     * The CRC-64-AVRO parsing fingerprint of {@link #schema()}, as written in the header.
     *
     * @return the schema fingerprint
     */
    public long fingerprint() {
        schema();
        return fingerprint;
    }

    /**
     * Encodes a record as an Avro single-object message.
     *
     * @param record the record, not null
     * @return the header followed by the binary body
     * @throws IllegalArgumentException if the record cannot be written (e.g. a required field is
     *     null)
     */
    @Override
    public byte[] encode(T record) {
        Objects.requireNonNull(record, "record");
        try {
            ByteBuffer buffer = encoder().encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot encode " + simpleName() + ": " + describe(e), e);
        }
    }

    /**
     * Decodes an Avro single-object message written with this codec's schema or an earlier one of its type.
     *
     * @param bytes the message
     * @return the decoded record
     * @throws RecordDecodingException if the bytes are null, empty, not a single-object message,
     *     written with an unknown schema, truncated, malformed or followed by trailing bytes
     */
    @Override
    public T decode(byte[] bytes) {
        String name = simpleName();
        if (bytes == null) {
            throw new RecordDecodingException("null message, expected an Avro " + name);
        }
        if (bytes.length == 0) {
            throw new RecordDecodingException("empty message, expected an Avro " + name);
        }
        if (bytes[0] != MARKER_0 || (bytes.length > 1 && bytes[1] != MARKER_1)) {
            throw new RecordDecodingException("not an Avro single-object message (starts with "
                    + hex(bytes, Math.min(2, bytes.length))
                    + ", expected c301), expected "
                    + name);
        }
        if (bytes.length < HEADER_LENGTH) {
            throw new RecordDecodingException("truncated header: " + bytes.length + " of " + HEADER_LENGTH + " bytes");
        }
        long writerFingerprint =
                ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        SpecificDatumReader<T> reader = reader(writerFingerprint);
        if (reader == null) {
            throw new RecordDecodingException(String.format(
                    "schema fingerprint %016x does not match %s (expected %016x%s)",
                    writerFingerprint, name, fingerprint(), SchemaHistory.describe(type)));
        }
        decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, decoder);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new RecordDecodingException(
                    "truncated record: " + bytes.length + " bytes end inside the " + name + " body", e);
        } catch (IOException | RuntimeException e) {
            throw new RecordDecodingException("malformed " + name + " body: " + describe(e), e);
        }
        try {
            if (!decoder.isEnd()) {
                int trailing = decoder.inputStream().available();
                throw new RecordDecodingException(trailing + " trailing byte(s) after a complete " + name + " record");
            }
        } catch (IOException e) {
            throw new RecordDecodingException("malformed " + name + " body: " + describe(e), e);
        }
        return record;
    }

    /** The reader of records written with a schema: this codec's, or an earlier one of the type's history. */
    private SpecificDatumReader<T> reader(long writerFingerprint) {
        if (readers == null) {
            readers = new HashMap<>();
            readers.put(fingerprint(), new SpecificDatumReader<>(schema(), schema(), SpecificData.getForClass(type)));
            for (Schema earlier : SchemaHistory.earlier(type)) {
                readers.putIfAbsent(
                        SchemaNormalization.parsingFingerprint64(earlier),
                        new SpecificDatumReader<>(earlier, schema(), SpecificData.getForClass(type)));
            }
        }
        return readers.get(writerFingerprint);
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.getForClass(type), schema());
        }
        return encoder;
    }

    private String simpleName() {
        return type.getSimpleName();
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        String text = message == null ? e.getClass().getSimpleName() : message;
        return text.replace('\n', ' ').replace('\r', ' ');
    }

    private static String hex(byte[] bytes, int length) {
        StringBuilder sb = new StringBuilder();
        for (byte b : Arrays.copyOf(bytes, length)) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "AvroCodec[" + type.getName() + "]";
    }
}
