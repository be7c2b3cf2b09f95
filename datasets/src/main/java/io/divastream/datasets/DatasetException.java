package io.divastream.datasets;

/**
 * A dataset could not be read: a file is missing, a line is malformed, an image named by the
 * annotations does not exist, or the counts contradict the official dataset. Unchecked; the message
 * is one line naming the file (and line number or value) at fault.
 */
public final class DatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one-line description naming the file, line or value
     */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message one-line description naming the file, line or value
     * @param cause the underlying failure
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
