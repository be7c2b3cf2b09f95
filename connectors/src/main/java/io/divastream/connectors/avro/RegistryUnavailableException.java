package io.divastream.connectors.avro;

/**
 * The Schema Registry could not be asked for a schema (unreachable, timed out, failing): a failure of the system,
 * not of the record, which must be retried rather than dead-lettered.
 */
public final class RegistryUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one-line description
     * @param cause the client's error
     */
    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
