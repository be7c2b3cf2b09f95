package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.divastream.model.tensor.Scalars;
import java.util.random.RandomGenerator;

/**
 * Contrastive loss (Hadsell et al. 2006) in the hinge variant common in deep-metric-learning
 * benchmarks: over all unordered pairs {i, j} of the batch, with the Euclidean (not squared)
 * distance {@code d = sqrt(|x_i - x_j|^2 + 1e-8)},
 *
 * <pre>L = mean_active(max(0, d - m_pos) over positive pairs)
 *   + mean_active(max(0, m_neg - d) over negative pairs),</pre>
 *
 * where each mean is taken over the pairs whose hinge is non-zero (the plain sum, 0, if none is),
 * so that the many already-separated negatives do not dilute the gradient. Hadsell et al.'s
 * original squares both hinges and averages over all pairs. Batches without positive or without
 * negative pairs simply lack that term; singleton classes provide negatives only; repeated images
 * are distinct rows at distance sqrt(1e-8).
 */
public final class ContrastiveLoss implements BaselineLoss {

    private final double positiveMargin;
    private final double negativeMargin;
    private final int embeddingDim;
    private final int classCapacity;

    /**
     * Creates the loss.
     *
     * @param positiveMargin m_pos
     * @param negativeMargin m_neg
     * @param embeddingDim the embedding dimension d
     * @param classCapacity the number of class indices accepted
     */
    public ContrastiveLoss(double positiveMargin, double negativeMargin, int embeddingDim, int classCapacity) {
        this.positiveMargin = positiveMargin;
        this.negativeMargin = negativeMargin;
        this.embeddingDim = embeddingDim;
        this.classCapacity = classCapacity;
    }

    @Override
    public NDArray compute(NDArray embeddings, int[] classes, RandomGenerator random) {
        int n = Batches.check(embeddings, classes, embeddingDim, classCapacity);
        if (n < 2) {
            return Batches.zero(embeddings);
        }
        int pairs = n * (n - 1) / 2;
        int[] first = new int[pairs];
        int[] second = new int[pairs];
        float[] positive = new float[pairs];
        float[] negative = new float[pairs];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                first[k] = i;
                second[k] = j;
                positive[k] = classes[i] == classes[j] ? 1 : 0;
                negative[k] = 1 - positive[k];
                k++;
            }
        }
        NDManager manager = embeddings.getManager();
        NDArray d =
                Batches.distances(Batches.rows(embeddings, manager, first), Batches.rows(embeddings, manager, second));
        NDArray pull = Scalars.maximum(Scalars.add(d, -positiveMargin), 0).mul(manager.create(positive));
        NDArray push = Scalars.maximum(Scalars.add(d.neg(), negativeMargin), 0).mul(manager.create(negative));
        return activeMean(pull).add(activeMean(push));
    }

    private static NDArray activeMean(NDArray hinges) {
        long active = hinges.gt(0f).countNonzero().getLong();
        NDArray sum = hinges.sum();
        return active > 0 ? Scalars.div(sum, active) : sum;
    }
}
