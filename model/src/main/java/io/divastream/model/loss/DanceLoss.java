package io.divastream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.divastream.model.tensor.Scalars;

/**
 * DaNCE, the distance-adapted noise-contrastive loss of DiVA's sample-specific task (DIVA_SPEC section 2.4).
 * Design notes: docs/design-notes.md#danceloss.
 */
public final class DanceLoss {

    private DanceLoss() {}

    /**
     * Computes the loss.
     *
     * @param queries the query head's embeddings (B, k), with gradient
     * @param keys the key encoder's embeddings of the second view (B, k), detached
     * @param queue earlier keys (K, k), detached; K may be 0
     * @param temperature T
     * @param lowerCutoff distance lower clamp (0.5)
     * @param upperCutoff weights of negatives farther than this are zeroed (1.4)
     * @param fixed true for the row-normalised {@code --diva_fixed} weighting
     * @return a scalar loss
     */
    public static NDArray compute(
            NDArray queries,
            NDArray keys,
            NDArray queue,
            double temperature,
            double lowerCutoff,
            double upperCutoff,
            boolean fixed) {
        NDArray logits = logits(queries, keys, queue, temperature, lowerCutoff, upperCutoff, fixed);
        return logits.logSoftmax(1).get(":, 0").neg().mean();
    }

    /**
     * The logits of the cross-entropy, {@code [s+_i, s_i1 w_i1, ..., s_iK w_iK] / T}: shape
     * (B, K + 1), and the target of every row is column 0 (the positive key).
     *
     * @param queries the query head's embeddings (B, k), with gradient
     * @param keys the key encoder's embeddings of the second view (B, k), detached
     * @param queue earlier keys (K, k), detached; K may be 0
     * @param temperature T
     * @param lowerCutoff distance lower clamp (0.5)
     * @param upperCutoff weights of negatives farther than this are zeroed (1.4)
     * @param fixed true for the row-normalised {@code --diva_fixed} weighting
     * @return the (B, K + 1) logits, differentiable with respect to the queries
     */
    public static NDArray logits(
            NDArray queries,
            NDArray keys,
            NDArray queue,
            double temperature,
            double lowerCutoff,
            double upperCutoff,
            boolean fixed) {
        NDArray positive = queries.mul(keys).sum(new int[] {1}, true);
        NDArray logits;
        if (queue.getShape().get(0) == 0) {
            logits = positive;
        } else {
            NDArray queueT = queue.transpose();
            queueT.attach(queries.getManager()); // a step temporary, not the queue's
            NDArray similarities = queries.matMul(queueT);
            NDArray weights =
                    weights(similarities.stopGradient(), queries.getShape().get(1), lowerCutoff, upperCutoff, fixed);
            logits = NDArrays.concat(new NDList(positive, similarities.mul(weights)), 1);
        }
        return Scalars.div(logits, temperature);
    }

    /**
     * The DaNCE negative weights.
     *
     * @param similarities detached query-queue similarities (B, K)
     * @param dimension the embedding dimension k
     * @param lowerCutoff distance lower clamp
     * @param upperCutoff distance upper cutoff
     * @param fixed row-normalised if true, column-normalised otherwise
     * @return the weights (B, K)
     */
    public static NDArray weights(
            NDArray similarities, long dimension, double lowerCutoff, double upperCutoff, boolean fixed) {
        NDArray distance = similarities.mul(-2f).add(2f).maximum(0f).sqrt().maximum((float) lowerCutoff);
        NDArray oneMinus = distance.square().div(-4f).add(1f).maximum(1e-8f);
        NDArray logWeights =
                distance.log().mul((float) (2 - dimension)).sub(oneMinus.log().mul((float) ((dimension - 3) / 2.0)));
        NDArray shifted =
                fixed ? logWeights.sub(logWeights.max(new int[] {1}, true)) : logWeights.sub(logWeights.max());
        NDArray weights = shifted.exp()
                .mul(distance.lte((float) upperCutoff).toType(shifted.getDataType(), false))
                .maximum(1e-45f);
        return fixed ? weights.div(weights.sum(new int[] {1}, true)) : weights.div(weights.sum(new int[] {0}, true));
    }
}
