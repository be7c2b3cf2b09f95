package io.divastream.connectors.avro;

/**
 * Thrown by {@link AvroCodec#decode(byte[])} when bytes are not a complete Avro single-object
 * message of the expected schema. The message is one line and says what was wrong (bad marker,
 * schema fingerprint mismatch, truncation, trailing bytes, malformed body).
 */
public final class RecordDecodingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one-line description of the failure
     */
    public RecordDecodingException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the underlying cause.
     *
     * @param message one-line description of the failure
     * @param cause the error raised by the Avro decoder
     */
    public RecordDecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
