package io.divastream.jobs.config;

/** A configuration error a user can fix; its message is one line meant to be shown as is. */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the one-line explanation
     */
    public ConfigException(String message) {
        super(message);
    }
}
