package io.divastream.model.miner;

import java.util.random.RandomGenerator;

/**
 * The class-shared task's miner, {@code --diva_sharing random} (DIVA_SPEC section 2.2): the batch
 * labels are randomly permuted, then triplets are mined by distance weighting on the pseudo-labels.
 * Anchor-positive pairs are thereby mostly pairs of different true classes, pulled together to
 * learn attributes shared across classes. The loss still indexes beta by the true anchor class
 * (use {@link Triplets#anchorClasses(int[])} with the unshuffled labels). The shuffle draws from
 * {@code random} first, then the distance-weighted miner continues with the same generator.
 */
public final class SharedLabelShuffleMiner implements BatchMiner {

    private final DistanceWeightedMiner distanceWeighted;

    /**
     * Creates a miner.
     *
     * @param lowerCutoff the distance-weighting lower cutoff (0.5)
     */
    public SharedLabelShuffleMiner(double lowerCutoff) {
        this(lowerCutoff, true);
    }

    /**
     * Creates a miner.
     *
     * @param lowerCutoff the distance-weighting lower cutoff (0.5)
     * @param antipodalGuard see {@link DistanceWeightedMiner#DistanceWeightedMiner(double, boolean)}
     */
    public SharedLabelShuffleMiner(double lowerCutoff, boolean antipodalGuard) {
        this.distanceWeighted = new DistanceWeightedMiner(lowerCutoff, antipodalGuard);
    }

    @Override
    public Triplets mine(float[][] embeddings, int[] labels, RandomGenerator random) {
        return distanceWeighted.mine(embeddings, shuffle(labels, random), random);
    }

    /**
     * Returns the labels under a uniformly random permutation (Fisher-Yates).
     *
     * @param labels the true labels
     * @param random the source of randomness
     * @return pseudo-labels y~_i = y_pi(i)
     */
    public static int[] shuffle(int[] labels, RandomGenerator random) {
        int[] shuffled = labels.clone();
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        return shuffled;
    }
}
