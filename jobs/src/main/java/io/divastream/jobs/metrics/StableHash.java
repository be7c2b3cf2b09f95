package io.divastream.jobs.metrics;

import io.divastream.model.Fnv1a;

/**
 * A 64-bit hash of a string that is the same in every JVM and run (unlike {@link Object#hashCode()}
 * of arbitrary objects): FNV-1a over the UTF-8 bytes ({@link Fnv1a}), then the MurmurHash3 finaliser to spread the
 * bits. It selects the query images and the seen-class sample, so both are fixed functions of the
 * image ids and labels and survive restores and re-runs.
 */
public final class StableHash {

    private StableHash() {}

    /**
     * Hashes a string.
     *
     * @param text the string
     * @return its 64-bit hash
     */
    public static long of(String text) {
        long h = Fnv1a.of(text);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * Maps a string to a number in [0, 1) from the top 53 bits of its hash (uniform over strings).
     *
     * @param text the string
     * @return the number
     */
    public static double unit(String text) {
        return (of(text) >>> 11) * 0x1.0p-53;
    }

    /**
     * Orders two strings by hash, equal hashes by the strings themselves: a total order that does not
     * depend on the order in which the strings arrive.
     *
     * @param a one string
     * @param b another
     * @return negative, zero or positive as {@code a} is before, equal to or after {@code b}
     */
    public static int compare(String a, String b) {
        int c = Long.compareUnsigned(of(a), of(b));
        return c != 0 ? c : a.compareTo(b);
    }
}
