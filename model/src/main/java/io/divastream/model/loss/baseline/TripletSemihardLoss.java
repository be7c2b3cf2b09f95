package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDArray;
import io.divastream.model.miner.DistanceWeightedMiner;
import io.divastream.model.miner.Triplets;
import io.divastream.model.tensor.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Triplet loss with semi-hard negatives (Schroff et al., FaceNet, 2015). Design notes:
 * docs/design-notes.md#tripletsemihardloss.
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
