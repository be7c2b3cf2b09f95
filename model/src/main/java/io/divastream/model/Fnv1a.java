package io.divastream.model;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit FNV-1a hash of a string's UTF-8 bytes: the same in every JVM and run, unlike {@link String#hashCode()}
 * spread over 64 bits. What must be a fixed function of an image id or a label (a photo's training views, the
 * metrics' query split) starts from it.
 */
public final class Fnv1a {

    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private Fnv1a() {}

    /**
     * Hashes a string.
     *
     * @param text the string
     * @return FNV-1a over its UTF-8 bytes
     */
    public static long of(String text) {
        long h = OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= PRIME;
        }
        return h;
    }
}
