package io.divastream.model.config;

import java.io.Serializable;
import java.util.List;

/**
 * Adam parameter groups of DiVA (DIVA_SPEC section 4.3): plain Adam with coupled L2 weight decay,
 * and the step schedule of section 4.4 (MultiStepLR: every learning rate is multiplied by {@code
 * decayGamma} at each milestone). A stream has no epochs, so the milestones count optimizer steps.
 *
 * @param learningRate learning rate of the backbone and the embedding heads
 * @param weightDecay L2 weight decay of the backbone and the heads
 * @param betaLearningRate learning rate of the three margin-loss beta vectors (no decay)
 * @param decorrelationLearningRate learning rate of the decorrelation regressors (no decay)
 * @param decaySteps the optimizer steps at which all learning rates are multiplied by {@code
 *     decayGamma}, ascending
 * @param decayGamma the multiplier applied at each milestone
 * @param headLearningRateFactor the embedding heads' learning rate relative to the backbone's (1 as
 *     published: one group for both; larger for short fine-tuning runs, where heads initialised at
 *     random would otherwise barely move)
 */
public record OptimizerSpec(
        double learningRate,
        double weightDecay,
        double betaLearningRate,
        double decorrelationLearningRate,
        List<Long> decaySteps,
        double decayGamma,
        double headLearningRateFactor)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Validates the rates. */
    public OptimizerSpec {
        decaySteps = List.copyOf(decaySteps);
        if (!(learningRate > 0) || !(betaLearningRate >= 0) || !(decorrelationLearningRate >= 0)) {
            throw new IllegalArgumentException("learning rates must be positive");
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
        }
        if (!(headLearningRateFactor > 0) || Double.isInfinite(headLearningRateFactor)) {
            throw new IllegalArgumentException(
                    "headLearningRateFactor must be positive, got " + headLearningRateFactor);
        }
        if (!(decayGamma > 0 && decayGamma <= 1)) {
            throw new IllegalArgumentException("decayGamma must be in (0, 1], got " + decayGamma);
        }
        for (int i = 0; i < decaySteps.size(); i++) {
            if (decaySteps.get(i) < 1 || (i > 0 && decaySteps.get(i) <= decaySteps.get(i - 1))) {
                throw new IllegalArgumentException("decaySteps must be positive and ascending, got " + decaySteps);
            }
        }
    }

    /**
     * Creates groups without a schedule.
     *
     * @param learningRate learning rate of the backbone and the heads
     * @param weightDecay L2 weight decay of the backbone and the heads
     * @param betaLearningRate learning rate of the betas
     * @param decorrelationLearningRate learning rate of the regressors
     */
    public OptimizerSpec(
            double learningRate, double weightDecay, double betaLearningRate, double decorrelationLearningRate) {
        this(learningRate, weightDecay, betaLearningRate, decorrelationLearningRate, List.of(), 1.0);
    }

    /**
     * Creates groups with a schedule and one learning rate for backbone and heads, as published.
     *
     * @param learningRate learning rate of the backbone and the heads
     * @param weightDecay L2 weight decay of the backbone and the heads
     * @param betaLearningRate learning rate of the betas
     * @param decorrelationLearningRate learning rate of the regressors
     * @param decaySteps the milestones in optimizer steps
     * @param decayGamma the multiplier at each milestone
     */
    public OptimizerSpec(
            double learningRate,
            double weightDecay,
            double betaLearningRate,
            double decorrelationLearningRate,
            List<Long> decaySteps,
            double decayGamma) {
        this(learningRate, weightDecay, betaLearningRate, decorrelationLearningRate, decaySteps, decayGamma, 1.0);
    }

    /**
     * Returns a copy with another learning-rate factor for the heads.
     *
     * @param factor the heads' learning rate relative to the backbone's
     * @return the new groups
     */
    public OptimizerSpec withHeadLearningRateFactor(double factor) {
        return new OptimizerSpec(
                learningRate, weightDecay, betaLearningRate, decorrelationLearningRate, decaySteps, decayGamma, factor);
    }

    /**
     * The factor applied to every learning rate for the step that follows {@code stepsTaken}
     * steps.
     *
     * @param stepsTaken optimizer steps already taken
     * @return gamma to the power of the number of milestones reached
     */
    public double learningRateScale(long stepsTaken) {
        double scale = 1.0;
        for (long milestone : decaySteps) {
            if (stepsTaken >= milestone) {
                scale *= decayGamma;
            }
        }
        return scale;
    }
}
