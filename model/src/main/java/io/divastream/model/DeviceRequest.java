package io.divastream.model;

import java.util.Locale;

/** Which device the model should train and embed on, as configured ({@code train.device}). */
public enum DeviceRequest {
    /** The first GPU if the PyTorch engine sees one, else the CPU. */
    AUTO,
    /** The CPU, even if a GPU is there. */
    CPU,
    /** The first GPU; failing if none is usable. */
    GPU;

    /**
     * Parses a request.
     *
     * @param text {@code auto}, {@code cpu} or {@code gpu} (any case)
     * @return the request
     * @throws IllegalArgumentException for anything else
     */
    public static DeviceRequest parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "cpu" -> CPU;
            case "gpu" -> GPU;
            default -> throw new IllegalArgumentException("device must be auto, cpu or gpu, got '" + text + "'");
        };
    }

    /**
     * Returns the name used in configuration.
     *
     * @return {@code auto}, {@code cpu} or {@code gpu}
     */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
