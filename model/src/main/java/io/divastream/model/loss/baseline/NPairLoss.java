package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.divastream.model.tensor.Scalars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Multi-class N-pair loss (Sohn, NeurIPS 2016). From every class with at least two rows in the
 * batch, one anchor f_i and one other row f+_i are drawn uniformly at random (classes in order of
 * first appearance), giving N pairs of N distinct classes; then
 *
 * <pre>L = (1/N) sum_i log(1 + sum_{j != i} exp(f_i . f+_j - f_i . f+_i))
 *   + lambda * mean over the 2N chosen rows of |f|^2,</pre>
 *
 * the first term being the softmax cross-entropy of the logits {@code f_i . f+_j} with target i.
 * Sohn regularises the squared norms of unnormalised embeddings; on the unit embeddings given here
 * the regulariser is the constant lambda, whose gradient is radial and so vanishes through the
 * normalisation. With fewer than two pairs (no negatives) the loss is 0 with a graph. Rows of
 * singleton classes and the rows not drawn take no part.
 */
public final class NPairLoss implements BaselineLoss {

    private final double l2Weight;
    private final int embeddingDim;
    private final int classCapacity;

    /**
     * Creates the loss.
     *
     * @param l2Weight the regulariser weight lambda
     * @param embeddingDim the embedding dimension d
     * @param classCapacity the number of class indices accepted
     */
    public NPairLoss(double l2Weight, int embeddingDim, int classCapacity) {
        this.l2Weight = l2Weight;
        this.embeddingDim = embeddingDim;
        this.classCapacity = classCapacity;
    }

    @Override
    public NDArray compute(NDArray embeddings, int[] classes, RandomGenerator random) {
        Batches.check(embeddings, classes, embeddingDim, classCapacity);
        int[][] pairs = pairs(classes, random);
        int count = pairs[0].length;
        if (count < 2) {
            return Batches.zero(embeddings);
        }
        NDManager manager = embeddings.getManager();
        NDArray anchors = Batches.rows(embeddings, manager, pairs[0]);
        NDArray positives = Batches.rows(embeddings, manager, pairs[1]);
        NDArray logits = anchors.matMul(positives.transpose());
        float[] identity = new float[count * count];
        for (int i = 0; i < count; i++) {
            identity[i * count + i] = 1;
        }
        NDArray crossEntropy = Scalars.div(
                logits.logSoftmax(1)
                        .mul(manager.create(identity, new Shape(count, count)))
                        .sum()
                        .neg(),
                count);
        NDArray squaredNorms = anchors.square().sum().add(positives.square().sum());
        return crossEntropy.add(Scalars.mul(squaredNorms, l2Weight / (2.0 * count)));
    }

    /**
     * Draws one (anchor, positive) pair of distinct rows from every class with two or more rows.
     *
     * @param classes the class of each row
     * @param random the source of the draws
     * @return {anchors, positives}, one entry per eligible class in order of first appearance
     */
    public static int[][] pairs(int[] classes, RandomGenerator random) {
        Map<Integer, List<Integer>> members = new LinkedHashMap<>();
        for (int i = 0; i < classes.length; i++) {
            members.computeIfAbsent(classes[i], c -> new ArrayList<>()).add(i);
        }
        List<int[]> out = new ArrayList<>();
        for (List<Integer> rows : members.values()) {
            if (rows.size() < 2) {
                continue;
            }
            int a = random.nextInt(rows.size());
            int p = random.nextInt(rows.size() - 1);
            if (p >= a) {
                p++;
            }
            out.add(new int[] {rows.get(a), rows.get(p)});
        }
        int[][] pairs = new int[2][out.size()];
        for (int i = 0; i < out.size(); i++) {
            pairs[0][i] = out.get(i)[0];
            pairs[1][i] = out.get(i)[1];
        }
        return pairs;
    }
}
