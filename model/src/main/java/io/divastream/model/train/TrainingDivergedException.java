package io.divastream.model.train;

/** Thrown when a training step produces a non-finite loss; the parameters are left unchanged. */
public final class TrainingDivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what diverged
     */
    public TrainingDivergedException(String message) {
        super(message);
    }
}
