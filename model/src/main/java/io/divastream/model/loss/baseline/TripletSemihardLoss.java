package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDArray;
import io.divastream.model.miner.DistanceWeightedMiner;
import io.divastream.model.miner.Triplets;
import io.divastream.model.tensor.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Triplet loss with semi-hard negatives (Schroff et al., FaceNet, 2015). Every ordered pair of
 * distinct same-class rows (a, p) is an anchor-positive pair, as in FaceNet. Its negative n is
 * mined on the detached distances:
 *
 * <ol>
 *   <li>if some negatives are semi-hard, {@code d_ap < d_an < d_ap + m}, one of them is drawn
 *       uniformly at random;
 *   <li>otherwise, if some negatives are hard, {@code d_an <= d_ap}, the least hard of them (the
 *       largest {@code d_an}, lowest index on ties) is taken, which is the fallback of the common
 *       TensorFlow implementation and avoids the collapse that the hardest negatives cause;
 *   <li>otherwise every negative is at {@code d_an >= d_ap + m}, the triplet would have a zero
 *       loss, and the pair is skipped.
 * </ol>
 *
 * <p>The loss is the mean of {@code max(0, d_ap - d_an + m)} over the mined triplets, with the
 * Euclidean distance {@code d = sqrt(|x - y|^2 + 1e-8)} (not squared); a batch with no triplet
 * gives 0 with a graph. Singleton classes provide negatives only; repeated images are distinct rows
 * (their distance, sqrt(1e-8), has a finite gradient).
 */
public final class TripletSemihardLoss implements BaselineLoss {

    private final double margin;
    private final int embeddingDim;
    private final int classCapacity;

    /**
     * Creates the loss.
     *
     * @param margin the margin m
     * @param embeddingDim the embedding dimension d
     * @param classCapacity the number of class indices accepted
     */
    public TripletSemihardLoss(double margin, int embeddingDim, int classCapacity) {
        this.margin = margin;
        this.embeddingDim = embeddingDim;
        this.classCapacity = classCapacity;
    }

    @Override
    public NDArray compute(NDArray embeddings, int[] classes, RandomGenerator random) {
        Batches.check(embeddings, classes, embeddingDim, classCapacity);
        Triplets triplets = mine(Batches.detachedRows(embeddings), classes, margin, random);
        return loss(embeddings, triplets, margin);
    }

    /**
     * Mines one triplet per anchor-positive pair by the rule of the type's documentation.
     *
     * @param embeddings the detached rows (B, d)
     * @param classes the class of each row
     * @param margin the margin m
     * @param random draws among semi-hard negatives
     * @return the triplets, ordered by anchor, then positive
     */
    public static Triplets mine(float[][] embeddings, int[] classes, double margin, RandomGenerator random) {
        double[][] d = DistanceWeightedMiner.distances(embeddings);
        int n = classes.length;
        List<int[]> out = new ArrayList<>();
        int[] semiHard = new int[n];
        for (int a = 0; a < n; a++) {
            for (int p = 0; p < n; p++) {
                if (p == a || classes[p] != classes[a]) {
                    continue;
                }
                double dap = d[a][p];
                int semiHardCount = 0;
                int leastHard = -1;
                for (int j = 0; j < n; j++) {
                    if (classes[j] == classes[a]) {
                        continue;
                    }
                    double dan = d[a][j];
                    if (dan > dap && dan < dap + margin) {
                        semiHard[semiHardCount++] = j;
                    } else if (dan <= dap && (leastHard < 0 || dan > d[a][leastHard])) {
                        leastHard = j;
                    }
                }
                int negative = semiHardCount > 0 ? semiHard[random.nextInt(semiHardCount)] : leastHard;
                if (negative >= 0) {
                    out.add(new int[] {a, p, negative});
                }
            }
        }
        int[] anchors = new int[out.size()];
        int[] positives = new int[out.size()];
        int[] negatives = new int[out.size()];
        for (int t = 0; t < anchors.length; t++) {
            anchors[t] = out.get(t)[0];
            positives[t] = out.get(t)[1];
            negatives[t] = out.get(t)[2];
        }
        return new Triplets(anchors, positives, negatives);
    }

    /**
     * The mean triplet hinge over given triplets.
     *
     * @param embeddings the embeddings (B, d), with gradient
     * @param triplets the triplets
     * @param margin the margin m
     * @return a scalar loss, 0 with a graph if there are no triplets
     */
    public static NDArray loss(NDArray embeddings, Triplets triplets, double margin) {
        if (triplets.size() == 0) {
            return Batches.zero(embeddings);
        }
        var manager = embeddings.getManager();
        NDArray anchors = Batches.rows(embeddings, manager, triplets.anchors());
        NDArray dAp = Batches.distances(anchors, Batches.rows(embeddings, manager, triplets.positives()));
        NDArray dAn = Batches.distances(anchors, Batches.rows(embeddings, manager, triplets.negatives()));
        return Scalars.maximum(Scalars.add(dAp.sub(dAn), margin), 0).mean();
    }
}
