package io.divastream.jobs.metrics;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The order in which training classes first reached the metrics scorer: each class's ordinal (0 for the first),
 * kept as a 64-bit {@link StableHash} of its label (about 80 bytes of heap and 8 of checkpoint per class). At most
 * {@code limit} classes are tracked; a class arriving beyond has no ordinal and is in no class group. Not
 * thread-safe.
 */
final class ClassArrivals {

    private final int limit;
    private final Map<Long, Integer> ordinals = new HashMap<>();
    private long[] order = new long[16];
    private long untracked;

    /**
     * Creates an empty record.
     *
     * @param limit the most classes tracked (positive)
     */
    ClassArrivals(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("tracked classes must be positive: " + limit);
        }
        this.limit = limit;
    }

    /**
     * Notes the arrival of an image of a class.
     *
     * @param label the class
     */
    void arrive(String label) {
        long hash = StableHash.of(label);
        if (ordinals.containsKey(hash)) {
            return;
        }
        if (ordinals.size() >= limit) {
            untracked++;
            return;
        }
        add(hash);
    }

    private void add(long hash) {
        int ordinal = ordinals.size();
        if (ordinal == order.length) {
            order = Arrays.copyOf(order, order.length * 2);
        }
        order[ordinal] = hash;
        ordinals.put(hash, ordinal);
    }

    /**
     * The ordinal of a class.
     *
     * @param label the class
     * @return its position in the order of first arrival, empty if it is not tracked
     */
    OptionalInt ordinal(String label) {
        Integer ordinal = ordinals.get(StableHash.of(label));
        return ordinal == null ? OptionalInt.empty() : OptionalInt.of(ordinal);
    }

    /**
     * The number of classes tracked.
     *
     * @return the count
     */
    int size() {
        return ordinals.size();
    }

    /**
     * The number of arrivals of classes beyond the limit (for the gauge).
     *
     * @return the count since the scorer opened
     */
    long untracked() {
        return untracked;
    }

    /**
     * The label hashes in arrival order, for a checkpoint.
     *
     * @return a new array
     */
    long[] snapshot() {
        return Arrays.copyOf(order, ordinals.size());
    }

    /**
     * Appends the hashes of a checkpoint (each at most once, up to the limit).
     *
     * @param hashes the label hashes in arrival order
     */
    void restore(long[] hashes) {
        for (long hash : hashes) {
            if (!ordinals.containsKey(hash) && ordinals.size() < limit) {
                add(hash);
            }
        }
    }
}
