package io.divastream.model;

import java.util.Locale;

/**
 * The four embedding heads of DiVA, each trained by its own task (Milbich et al., ECCV 2020).
 *
 * <p>The order of the constants is the order of the heads in the network and in every list of
 * per-head values.
 */
public enum DivaHead {
    /** Class-discriminative head: margin loss with distance-weighted negatives. */
    DISCRIMINATIVE("discriminative"),
    /** Sample-specific head: DaNCE, a distance-adapted MoCo loss with a momentum encoder. */
    SELFSIM("selfsim"),
    /** Class-shared head: margin loss on randomly shuffled labels. */
    SHARED("shared"),
    /** Intra-class head: margin loss on triplets drawn within one class. */
    INTRA("intra");

    private final String id;

    DivaHead(String id) {
        this.id = id;
    }

    /**
     * Returns the head's name as used in records and configuration.
     *
     * @return the lower-case name, e.g. {@code "selfsim"}
     */
    public String id() {
        return id;
    }

    /**
     * Parses a head name.
     *
     * @param name a head name such as {@code "shared"}; case-insensitive
     * @return the head
     * @throws IllegalArgumentException naming the valid heads if {@code name} is unknown
     */
    public static DivaHead parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (DivaHead head : values()) {
            if (head.id.equals(wanted)) {
                return head;
            }
        }
        throw new IllegalArgumentException(
                "unknown head '" + name + "' (expected discriminative, selfsim, shared or intra)");
    }
}
