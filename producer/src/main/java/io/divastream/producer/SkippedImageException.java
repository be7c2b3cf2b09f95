package io.divastream.producer;

/** An image the producer skips, with the reason it is counted under ({@link SkippedImages}). */
final class SkippedImageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    /**
     * Creates the exception.
     *
     * @param reason the short reason shared by images skipped for the same cause
     * @param detail the image and the specifics
     */
    SkippedImageException(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    /**
     * The reason.
     *
     * @return the short reason
     */
    String reason() {
        return reason;
    }
}
