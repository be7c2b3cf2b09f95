package io.divastream.model.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * The DaNCE key encoder and its memory queue.
 *
 * @param momentum EMA coefficient m in theta_key = m * theta_key + (1 - m) * theta_query (0.9)
 * @param queueSize number of keys kept in the FIFO queue of negatives
 * @param keyBatchNormStatistics whether the key encoder's BatchNorm running statistics stay at their
 *     initial values (published) or follow the query network's by the same EMA
 */
public record MomentumSpec(double momentum, int queueSize, KeyBatchNormStatistics keyBatchNormStatistics)
        implements Serializable {

    private static final long serialVersionUID = 2L;

    /** Validates the values. */
    public MomentumSpec {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (queueSize < 1) {
            throw new IllegalArgumentException("queueSize must be positive, got " + queueSize);
        }
        Objects.requireNonNull(keyBatchNormStatistics, "keyBatchNormStatistics");
    }

    /**
     * The published key encoder: its BatchNorm statistics are never updated.
     *
     * @param momentum EMA coefficient m (0.9)
     * @param queueSize number of keys kept in the queue
     */
    public MomentumSpec(double momentum, int queueSize) {
        this(momentum, queueSize, KeyBatchNormStatistics.INITIAL);
    }

    /**
     * Returns a copy with another treatment of the key encoder's BatchNorm statistics.
     *
     * @param statistics initial (published) or ema
     * @return the copy
     */
    public MomentumSpec withKeyBatchNormStatistics(KeyBatchNormStatistics statistics) {
        return new MomentumSpec(momentum, queueSize, statistics);
    }
}
