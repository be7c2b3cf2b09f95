package io.divastream.offline;

import java.util.Locale;

/** How {@link ClassBalancedSampler} draws a batch's classes and images. */
public enum SamplingMode {
    /**
     * The original code's sampler (DIVA_SPEC section 4.1): classes drawn uniformly with
     * replacement, each class's images drawn independently with replacement, so a class or an image
     * may appear twice in a batch.
     */
    WITH_REPLACEMENT("replacement"),
    /**
     * Distinct classes and distinct images per class (drawn with replacement only when a class has
     * fewer images than asked), as the streaming job's batch assembly does.
     */
    DISTINCT("distinct");

    private final String id;

    SamplingMode(String id) {
        this.id = id;
    }

    /**
     * Returns the mode's name in configuration.
     *
     * @return the name
     */
    public String id() {
        return id;
    }

    /**
     * Parses a mode name.
     *
     * @param name {@code replacement} or {@code distinct}
     * @return the mode
     */
    public static SamplingMode parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (SamplingMode mode : values()) {
            if (mode.id.equals(wanted)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown sampling mode '" + name + "' (expected replacement or distinct)");
    }
}
