package io.divastream.model.config;

import java.io.Serializable;

/**
 * Adam parameter groups of DiVA (DIVA_SPEC section 4.3): plain Adam with coupled L2 weight decay.
 *
 * @param learningRate learning rate of the backbone and the embedding heads
 * @param weightDecay L2 weight decay of the backbone and the heads
 * @param betaLearningRate learning rate of the three margin-loss beta vectors (no decay)
 * @param decorrelationLearningRate learning rate of the decorrelation regressors (no decay)
 */
public record OptimizerSpec(
        double learningRate,
        double weightDecay,
        double betaLearningRate,
        double decorrelationLearningRate) implements Serializable {

    private static final long serialVersionUID = 1L;


    /** Validates the rates. */
    public OptimizerSpec {
        if (!(learningRate > 0) || !(betaLearningRate >= 0) || !(decorrelationLearningRate >= 0)) {
            throw new IllegalArgumentException("learning rates must be positive");
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
        }
    }
}
