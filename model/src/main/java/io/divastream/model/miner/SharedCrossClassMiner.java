package io.divastream.model.miner;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The class-shared task's alternative miners (DIVA_SPEC section 2.2), which search explicitly for
 * cross-class anchor-positive pairs instead of shuffling the labels:
 *
 * <ul>
 *   <li>{@code standard} ({@code --diva_sharing standard}): for every anchor a, the negative n is
 *       drawn by distance weighting from the samples of the other classes, exactly as in {@link
 *       DistanceWeightedMiner}; the positive p is then drawn uniformly from the samples whose class
 *       differs from both a's and n's;
 *   <li>{@code full} ({@code --diva_sharing full}): as {@code standard}, but the positive is also
 *       drawn by distance weighting (the same inverse sphere density of d(a, p), with the same lower
 *       clamp and antipodal guard), over the same candidates.
 * </ul>
 *
 * <p>So the classes of a, p and n are pairwise different. Every sample is tried as an anchor, in
 * batch order. An anchor without a valid triplet is skipped (no triplet is emitted for it, and no
 * randomness is consumed beyond its negative draw): this happens when the batch holds no other class
 * (no negative) or no third class besides the anchor's and the drawn negative's (no positive). The
 * negative is not redrawn in that case. With two or fewer classes in the batch the result is empty.
 * The margin loss indexes beta by the anchor's true class, as for every shared miner.
 */
public final class SharedCrossClassMiner implements BatchMiner {

    private final DistanceWeightedMiner distanceWeighted;
    private final boolean weightedPositives;

    /**
     * Creates a miner.
     *
     * @param lowerCutoff the distance-weighting lower cutoff (0.5)
     * @param antipodalGuard see {@link DistanceWeightedMiner#DistanceWeightedMiner(double, boolean)}
     * @param weightedPositives true for {@code full} (distance-weighted positives), false for
     *     {@code standard} (uniform positives)
     */
    public SharedCrossClassMiner(double lowerCutoff, boolean antipodalGuard, boolean weightedPositives) {
        this.distanceWeighted = new DistanceWeightedMiner(lowerCutoff, antipodalGuard);
        this.weightedPositives = weightedPositives;
    }

    /**
     * The {@code standard} variant with the antipodal guard.
     *
     * @param lowerCutoff the distance-weighting lower cutoff (0.5)
     * @return a miner with uniform cross-class positives
     */
    public static SharedCrossClassMiner standard(double lowerCutoff) {
        return new SharedCrossClassMiner(lowerCutoff, true, false);
    }

    /**
     * The {@code full} variant with the antipodal guard.
     *
     * @param lowerCutoff the distance-weighting lower cutoff (0.5)
     * @return a miner with distance-weighted cross-class positives
     */
    public static SharedCrossClassMiner full(double lowerCutoff) {
        return new SharedCrossClassMiner(lowerCutoff, true, true);
    }

    /**
     * Returns whether positives are distance-weighted.
     *
     * @return true for {@code full}, false for {@code standard}
     */
    public boolean weightedPositives() {
        return weightedPositives;
    }

    @Override
    public Triplets mine(float[][] embeddings, int[] labels, RandomGenerator random) {
        int n = labels.length;
        double[][] distances = DistanceWeightedMiner.distances(embeddings);
        List<int[]> triplets = new ArrayList<>(n);
        for (int anchor = 0; anchor < n; anchor++) {
            int dimension = embeddings[anchor].length;
            double[] negatives = distanceWeighted.negativeProbabilities(
                    distances[anchor], labels, anchor, dimension);
            if (negatives == null) {
                continue;
            }
            int negative = DistanceWeightedMiner.draw(negatives, random);
            double[] positives = positiveProbabilities(
                    distances[anchor], labels, anchor, labels[negative], dimension);
            if (positives == null) {
                continue;
            }
            int positive = DistanceWeightedMiner.draw(positives, random);
            triplets.add(new int[] {anchor, positive, negative});
        }
        return DistanceWeightedMiner.toTriplets(triplets);
    }

    /**
     * Returns the sampling distribution of the positive for one anchor, given the negative's class.
     *
     * @param distancesFromAnchor distances from the anchor to every batch sample, unclamped
     * @param labels the batch labels
     * @param anchor the anchor index
     * @param negativeClass the class of the drawn negative
     * @param dimension the embedding dimension k
     * @return probabilities summing to 1, non-zero only on samples whose class is neither the
     *     anchor's nor the negative's (uniform for {@code standard}, inverse-density weighted for
     *     {@code full}), or null if there is no such sample
     */
    public double[] positiveProbabilities(
            double[] distancesFromAnchor, int[] labels, int anchor, int negativeClass, int dimension) {
        boolean[] allowed = new boolean[labels.length];
        int count = 0;
        for (int j = 0; j < labels.length; j++) {
            allowed[j] = labels[j] != labels[anchor] && labels[j] != negativeClass;
            count += allowed[j] ? 1 : 0;
        }
        if (count == 0) {
            return null;
        }
        if (weightedPositives) {
            return distanceWeighted.weightedProbabilities(distancesFromAnchor, allowed, anchor, dimension);
        }
        double[] probabilities = new double[labels.length];
        for (int j = 0; j < labels.length; j++) {
            probabilities[j] = allowed[j] ? 1.0 / count : 0;
        }
        return probabilities;
    }
}
