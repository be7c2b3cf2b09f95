package io.divastream.model.config;

import java.io.Serializable;

/**
 * The DaNCE key encoder and its memory queue.
 *
 * @param momentum EMA coefficient m in theta_key = m * theta_key + (1 - m) * theta_query (0.9)
 * @param queueSize number of keys kept in the FIFO queue of negatives
 */
public record MomentumSpec(double momentum, int queueSize) implements Serializable {

    private static final long serialVersionUID = 1L;


    /** Validates the values. */
    public MomentumSpec {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (queueSize < 1) {
            throw new IllegalArgumentException("queueSize must be positive, got " + queueSize);
        }
    }
}
