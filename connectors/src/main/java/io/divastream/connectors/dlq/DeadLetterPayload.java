package io.divastream.connectors.dlq;

import java.util.Arrays;
import java.util.Objects;

/**
 * The key and value a dead letter carries: the original's bytes, or their first bytes when the whole
 * would make the dead letter too large to send, with the original lengths.
 *
 * @param key the key or its first {@link DeadLetters#MAX_KEY_BYTES} bytes, or null
 * @param keyBytes the original key's length, -1 for none
 * @param value the value or its first bytes, or null
 * @param valueBytes the original value's length, -1 for none
 */
public record DeadLetterPayload(byte[] key, long keyBytes, byte[] value, long valueBytes) {

    /**
     * Copies a record's key and value, each cut to its bound.
     *
     * @param key the original key, or null
     * @param value the original value, or null
     * @param maxValueBytes the most value bytes to keep ({@link DeadLetters#maxValueBytes})
     * @return the payload
     */
    public static DeadLetterPayload cut(byte[] key, byte[] value, int maxValueBytes) {
        return new DeadLetterPayload(
                prefix(key, DeadLetters.MAX_KEY_BYTES), key == null ? -1 : key.length,
                prefix(value, maxValueBytes), value == null ? -1 : value.length);
    }

    /**
     * Tells whether the key or the value was cut.
     *
     * @return true if a part is shorter than the original
     */
    public boolean truncated() {
        return (key != null && key.length < keyBytes) || (value != null && value.length < valueBytes);
    }

    private static byte[] prefix(byte[] bytes, int max) {
        return bytes == null ? null : Arrays.copyOf(bytes, Math.min(bytes.length, max));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetterPayload p
                && keyBytes == p.keyBytes
                && valueBytes == p.valueBytes
                && Arrays.equals(key, p.key)
                && Arrays.equals(value, p.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyBytes, valueBytes, Arrays.hashCode(key), Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "DeadLetterPayload[key " + keyBytes + " bytes, value " + valueBytes + " bytes"
                + (truncated() ? ", cut" : "") + "]";
    }
}
