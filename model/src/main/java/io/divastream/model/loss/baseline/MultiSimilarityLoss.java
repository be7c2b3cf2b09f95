package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.divastream.model.tensor.Scalars;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Multi-similarity loss with its pair mining (Wang et al., CVPR 2019). With the cosine
 * similarities {@code S = X X^T} of the (unit) embeddings, for anchor i with positives P_i (other
 * rows of its class) and negatives N_i (rows of other classes), mining on the detached S keeps
 *
 * <pre>negatives j with S_ij + eps &gt; min over P_i of S_ik,
 * positives j with S_ij - eps &lt; max over N_i of S_ik,</pre>
 *
 * and the loss is
 *
 * <pre>L = (1 / B) sum over anchors with both kept sets non-empty of
 *     (1/alpha) log(1 + sum_kept_pos exp(-alpha (S_ij - lambda)))
 *   + (1/beta)  log(1 + sum_kept_neg exp( beta (S_ij - lambda))),</pre>
 *
 * as in the authors' code (anchors without kept pairs contribute 0 but still count in B; a batch
 * with none gives 0 with a graph). Unlike that code, which drops positives with {@code S >= 1 -
 * 1e-5}, the anchor itself is excluded by index, so a repeated image is a (perfect) positive.
 */
public final class MultiSimilarityLoss implements BaselineLoss {

    private final double alpha;
    private final double beta;
    private final double lambda;
    private final double epsilon;
    private final int embeddingDim;
    private final int classCapacity;

    /**
     * Creates the loss.
     *
     * @param alpha the positive scale
     * @param beta the negative scale
     * @param lambda the similarity threshold
     * @param epsilon the mining margin
     * @param embeddingDim the embedding dimension d
     * @param classCapacity the number of class indices accepted
     */
    public MultiSimilarityLoss(
            double alpha, double beta, double lambda, double epsilon, int embeddingDim, int classCapacity) {
        this.alpha = alpha;
        this.beta = beta;
        this.lambda = lambda;
        this.epsilon = epsilon;
        this.embeddingDim = embeddingDim;
        this.classCapacity = classCapacity;
    }

    @Override
    public NDArray compute(NDArray embeddings, int[] classes, RandomGenerator random) {
        int n = Batches.check(embeddings, classes, embeddingDim, classCapacity);
        NDManager manager = embeddings.getManager();
        NDArray similarities = embeddings.matMul(embeddings.transpose());
        float[][] masks = mine(Batches.detached(similarities), classes, epsilon);
        if (masks == null) {
            return Batches.zero(embeddings);
        }
        NDArray positives = Batches.matrix(manager, masks[0], n, n);
        NDArray negatives = Batches.matrix(manager, masks[1], n, n);
        NDArray shifted = Scalars.add(similarities, -lambda);
        NDArray pull = logOnePlusSum(Scalars.mul(shifted, -alpha).exp().mul(positives));
        NDArray push = logOnePlusSum(Scalars.mul(shifted, beta).exp().mul(negatives));
        NDArray perAnchor = Scalars.div(pull, alpha).add(Scalars.div(push, beta));
        return Scalars.div(perAnchor.sum(), n);
    }

    private static NDArray logOnePlusSum(NDArray terms) {
        return Scalars.add(terms.sum(new int[] {1}), 1).log();
    }

    /**
     * Mines the kept pairs on detached similarities.
     *
     * @param similarities the (B, B) similarities, row-major
     * @param classes the class of each row
     * @param epsilon the mining margin
     * @return the kept-positive and kept-negative masks (B * B each, row-major), both zero in the
     *     rows of anchors that lack either kind; null if no anchor keeps both
     */
    public static float[][] mine(float[] similarities, int[] classes, double epsilon) {
        int n = classes.length;
        float[] positives = new float[n * n];
        float[] negatives = new float[n * n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            double minPositive = Double.POSITIVE_INFINITY;
            double maxNegative = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double s = similarities[i * n + j];
                if (classes[j] != classes[i]) {
                    maxNegative = Math.max(maxNegative, s);
                } else if (j != i) {
                    minPositive = Math.min(minPositive, s);
                }
            }
            int keptPositives = 0;
            int keptNegatives = 0;
            for (int j = 0; j < n; j++) {
                double s = similarities[i * n + j];
                if (classes[j] != classes[i]) {
                    if (s + epsilon > minPositive) {
                        negatives[i * n + j] = 1;
                        keptNegatives++;
                    }
                } else if (j != i && s - epsilon < maxNegative) {
                    positives[i * n + j] = 1;
                    keptPositives++;
                }
            }
            if (keptPositives == 0 || keptNegatives == 0) {
                Arrays.fill(positives, i * n, (i + 1) * n, 0f);
                Arrays.fill(negatives, i * n, (i + 1) * n, 0f);
            } else {
                any = true;
            }
        }
        return any ? new float[][] {positives, negatives} : null;
    }
}
