package io.divastream.images;

import java.util.Objects;

/**
 * Thrown by {@link ImageDecoder} when bytes cannot be turned into a model input. Unchecked, so that it
 * can cross functional interfaces; the message is a single line.
 */
public final class InvalidImageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why an image was rejected. */
    public enum Reason {
        /** The bytes are not a readable image: empty, unknown format, truncated or corrupt. */
        UNDECODABLE,
        /** The image decoded but is unacceptable, e.g. its dimensions are out of range. */
        INVALID
    }

    /** Why the image was rejected. */
    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param reason why the image was rejected
     * @param message one-line description
     */
    public InvalidImageException(Reason reason, String message) {
        this(reason, message, null);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param reason why the image was rejected
     * @param message one-line description
     * @param cause underlying decoder failure, may be null
     */
    public InvalidImageException(Reason reason, String message, Throwable cause) {
        super(oneLine(message), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    private static String oneLine(String message) {
        return message == null ? null : message.replaceAll("\\s+", " ").trim();
    }
}
