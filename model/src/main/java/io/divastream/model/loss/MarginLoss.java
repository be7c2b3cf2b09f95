package io.divastream.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.divastream.model.miner.Triplets;
import io.divastream.model.tensor.Scalars;

/**
 * The margin loss of Wu et al. (2017) as DiVA uses it for three of its tasks (DIVA_SPEC section
 * 2.1): for a triplet (a, p, n) with learnable class boundary beta of the anchor's class,
 *
 * <pre>l = max(0, d(a,p) - beta + gamma) + max(0, beta - d(a,n) + gamma),</pre>
 *
 * with {@code d = sqrt(|x - y|^2 + 1e-8)}. The batch loss is the sum over triplets divided by the
 * number of triplets with at least one active hinge (the plain sum, 0, if none is active).
 */
public final class MarginLoss {

    /** Added under the square root of every distance so that d(a, a) has a zero gradient. */
    public static final double DISTANCE_EPSILON = 1e-8;

    private MarginLoss() {}

    /**
     * Computes the batch loss.
     *
     * @param embeddings the head's embeddings, shape (B, d), with gradient
     * @param triplets the mined triplets
     * @param beta the head's learnable boundaries, shape (C)
     * @param anchorClasses for each triplet, the index into beta (the anchor's true class)
     * @param margin gamma
     * @return a scalar loss
     */
    public static NDArray compute(
            NDArray embeddings, Triplets triplets, NDArray beta, int[] anchorClasses, double margin) {
        if (triplets.size() == 0) {
            return Scalars.mul(embeddings.sum(), 0);
        }
        NDManager manager = embeddings.getManager();
        NDArray anchors = gather(embeddings, manager, triplets.anchors());
        NDArray positives = gather(embeddings, manager, triplets.positives());
        NDArray negatives = gather(embeddings, manager, triplets.negatives());
        NDArray dAp = distance(anchors, positives);
        NDArray dAn = distance(anchors, negatives);
        NDArray b = gather(beta, manager, anchorClasses);
        NDArray positiveHinge = Scalars.maximum(Scalars.add(dAp.sub(b), margin), 0);
        NDArray negativeHinge = Scalars.maximum(Scalars.add(b.sub(dAn), margin), 0);
        NDArray active = positiveHinge.gt(0f).logicalOr(negativeHinge.gt(0f));
        long activeCount = active.countNonzero().getLong();
        NDArray total = positiveHinge.add(negativeHinge).sum();
        return activeCount > 0 ? Scalars.div(total, activeCount) : total;
    }

    private static NDArray distance(NDArray x, NDArray y) {
        return Scalars.add(x.sub(y).square().sum(new int[] {1}), DISTANCE_EPSILON)
                .sqrt();
    }

    private static NDArray gather(NDArray source, NDManager manager, int[] indices) {
        long[] idx = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            idx[i] = indices[i];
        }
        // The result must belong to the step's manager, not to the (long-lived) source's.
        return source.get(manager, new NDIndex("{}", manager.create(idx)));
    }
}
