package io.divastream.watch;

import java.util.Locale;

/** What the charts put on the x axis. */
public enum XAxis {
    /** Distinct training images the trainer had received when the version was published. */
    IMAGES("images", "training images seen"),
    /** Optimizer steps taken when the version was published. */
    STEPS("steps", "training step");

    private final String id;
    private final String label;

    XAxis(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /**
     * The command-line name.
     *
     * @return {@code images} or {@code steps}
     */
    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    /**
     * Parses a command-line name.
     *
     * @param value {@code images} or {@code steps} (case-insensitive)
     * @return the axis
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static XAxis parse(String value) {
        for (XAxis axis : values()) {
            if (axis.id.equals(value.strip().toLowerCase(Locale.ROOT))) {
                return axis;
            }
        }
        throw new IllegalArgumentException("unknown x axis '" + value + "' (expected images or steps)");
    }
}
