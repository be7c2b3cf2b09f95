package io.divastream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.divastream.model.tensor.Scalars;

/**
 * DiVA's adversarial decorrelation between heads (DIVA_SPEC section 3). Every head embedding passes
 * a gradient-reversal layer and is re-normalised; for a pair (source to target) a regressor
 * predicts the target from the source, and
 *
 * <pre>c = mean over batch and dimensions of (f_target * normalize(R(f_source)))^2,
 * L_sep = - sum over pairs of rho * c.</pre>
 *
 * Descending L_sep raises c for the regressor, while the reversed gradient lowers c for both
 * embeddings: a min-max game that decorrelates the heads.
 */
public final class AdversarialSeparation {

    private AdversarialSeparation() {}

    /**
     * Gradient reversal: identity forward, gradient times -1 backward, as {@code 2 sg(x) - x}.
     *
     * @param x the input
     * @return an array equal to x whose gradient is negated
     */
    public static NDArray reverseGradient(NDArray x) {
        return Scalars.mul(x.stopGradient(), 2).sub(x);
    }

    /**
     * The correlation measure c of one pair (before the weight rho and the sign).
     *
     * @param source the source head's embedding (B, d), already gradient-reversed and normalised
     * @param target the target head's embedding (B, d), already gradient-reversed and normalised
     * @param regressor the pair's regressor (B, d) to (B, d)
     * @param parameterStore the parameter store for the regressor's forward pass
     * @param training whether this is a training forward pass
     * @return the scalar c
     */
    public static NDArray correlation(
            NDArray source,
            NDArray target,
            Block regressor,
            ParameterStore parameterStore,
            boolean training) {
        NDArray predicted =
                regressor.forward(parameterStore, new NDList(source), training).singletonOrThrow();
        return target.mul(predicted.normalize(2, 1, 1e-12)).square().mean();
    }

    /**
     * Prepares a head embedding for the decorrelation: reversed gradient, then L2 normalisation.
     *
     * @param embedding the head's embedding (B, d)
     * @return normalize(GRL(embedding))
     */
    public static NDArray prepare(NDArray embedding) {
        return reverseGradient(embedding).normalize(2, 1, 1e-12);
    }
}
