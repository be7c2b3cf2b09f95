package io.divastream.model.miner;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The class-shared task's alternative miners (DIVA_SPEC section 2.2), which search explicitly for cross-class
 * anchor-positive pairs instead of shuffling the labels (docs/design-notes.md#sharedcrossclassminer).
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
            double[] negatives = distanceWeighted.negativeProbabilities(distances[anchor], labels, anchor, dimension);
            if (negatives == null) {
                continue;
            }
            int negative = DistanceWeightedMiner.draw(negatives, random);
            double[] positives = positiveProbabilities(distances[anchor], labels, anchor, labels[negative], dimension);
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
