package io.divastream.connectors.producer;

/**
 * A dataset could not be read: the directory is missing, holds no archives, or an archive is
 * unreadable or has no images in the expected layout. The message names the path.
 */
public final class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one-line description naming the path
     */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message one-line description naming the path
     * @param cause the underlying I/O error
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
