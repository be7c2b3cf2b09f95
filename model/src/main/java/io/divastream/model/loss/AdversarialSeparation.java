package io.divastream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.divastream.model.tensor.Scalars;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
            NDArray source, NDArray target, Block regressor, ParameterStore parameterStore, boolean training) {
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

    private static NDArray prepare(NDArray embedding, boolean reverseGradient) {
        return reverseGradient ? prepare(embedding) : embedding.normalize(2, 1, 1e-12);
    }

    /**
     * The whole decorrelation term with a weight per pair, {@code L_sep = - sum_pairs rho_st c_st}.
     * Every head used by a pair is prepared once ({@link #prepare(NDArray)}), so a head shared by
     * several pairs (the discriminative target) receives the sum of their reversed gradients.
     *
     * @param heads the head embeddings (B, d) each, indexed as in the pairs
     * @param pairs the pairs with their weights, non-empty
     * @param regressors one regressor per pair, in the same order
     * @param parameterStore the parameter store for the regressors' forward passes
     * @param training whether this is a training forward pass
     * @return the scalar L_sep
     * @throws IllegalArgumentException if the pairs are empty, do not match the regressors, or name a
     *     head that does not exist
     */
    public static NDArray separation(
            NDList heads,
            List<SeparationPair> pairs,
            List<Block> regressors,
            ParameterStore parameterStore,
            boolean training) {
        return separation(heads, pairs, regressors, parameterStore, training, true);
    }

    /**
     * As {@link #separation(NDList, List, List, ParameterStore, boolean)}, optionally without the
     * gradient-reversal layer (only to check the gradient routing: without it the embeddings
     * would help the regressors instead of fighting them).
     *
     * @param heads the head embeddings (B, d) each, indexed as in the pairs
     * @param pairs the pairs with their weights, non-empty
     * @param regressors one regressor per pair, in the same order
     * @param parameterStore the parameter store for the regressors' forward passes
     * @param training whether this is a training forward pass
     * @param reverseGradient true for DiVA's objective
     * @return the scalar L_sep
     */
    public static NDArray separation(
            NDList heads,
            List<SeparationPair> pairs,
            List<Block> regressors,
            ParameterStore parameterStore,
            boolean training,
            boolean reverseGradient) {
        if (pairs.isEmpty() || pairs.size() != regressors.size()) {
            throw new IllegalArgumentException(
                    pairs.size() + " decorrelation pairs but " + regressors.size() + " regressors");
        }
        Map<Integer, NDArray> prepared = new HashMap<>();
        NDArray sum = null;
        for (int i = 0; i < pairs.size(); i++) {
            SeparationPair pair = pairs.get(i);
            if (pair.source() >= heads.size() || pair.target() >= heads.size()) {
                throw new IllegalArgumentException("decorrelation pair " + pair.source() + " -> " + pair.target()
                        + " names a head beyond the " + heads.size() + " given");
            }
            NDArray source = prepared.computeIfAbsent(pair.source(), h -> prepare(heads.get(h), reverseGradient));
            NDArray target = prepared.computeIfAbsent(pair.target(), h -> prepare(heads.get(h), reverseGradient));
            NDArray c = correlation(source, target, regressors.get(i), parameterStore, training);
            NDArray term = Scalars.mul(c, -pair.rho());
            sum = sum == null ? term : sum.add(term);
        }
        return sum;
    }
}
