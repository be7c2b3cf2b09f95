package io.divastream.model.miner;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** Distance-weighted sampling of negatives, Wu et al. 2017 (docs/design-notes.md#distanceweightedminer). */
public final class DistanceWeightedMiner implements BatchMiner {

    /** Smallest value of {@code 1 - d^2/4} fed to the logarithm. */
    public static final double MIN_ONE_MINUS_QUARTER_D2 = 1e-8;

    private final double lowerCutoff;
    private final boolean antipodalGuard;

    /**
     * Creates a miner with the antipodal guard.
     *
     * @param lowerCutoff distances below this are clamped to it (0.5 in DiVA), in (0, 2)
     */
    public DistanceWeightedMiner(double lowerCutoff) {
        this(lowerCutoff, true);
    }

    /**
     * Creates a miner.
     *
     * @param lowerCutoff distances below this are clamped to it (0.5 in DiVA), in (0, 2)
     * @param antipodalGuard true to clamp {@code 1 - d^2/4} at {@value #MIN_ONE_MINUS_QUARTER_D2}
     *     (finite weights for antipodal pairs); false for the original formula (bit parity), which
     *     fails on an antipodal pair
     */
    public DistanceWeightedMiner(double lowerCutoff, boolean antipodalGuard) {
        if (!(lowerCutoff > 0 && lowerCutoff < 2)) {
            throw new IllegalArgumentException("distance lower cutoff must be in (0, 2), got " + lowerCutoff);
        }
        this.lowerCutoff = lowerCutoff;
        this.antipodalGuard = antipodalGuard;
    }

    public double lowerCutoff() {
        return lowerCutoff;
    }

    /**
     * Returns whether antipodal pairs are guarded.
     *
     * @return true if {@code 1 - d^2/4} is clamped at {@value #MIN_ONE_MINUS_QUARTER_D2}
     */
    public boolean antipodalGuard() {
        return antipodalGuard;
    }

    @Override
    public Triplets mine(float[][] embeddings, int[] labels, RandomGenerator random) {
        int n = labels.length;
        double[][] distances = distances(embeddings);
        List<int[]> triplets = new ArrayList<>(n);
        for (int anchor = 0; anchor < n; anchor++) {
            int[] positives = sameLabel(labels, anchor);
            if (positives.length == 0) {
                continue;
            }
            double[] probabilities =
                    negativeProbabilities(distances[anchor], labels, anchor, embeddings[anchor].length);
            if (probabilities == null) {
                continue;
            }
            int positive = positives[random.nextInt(positives.length)];
            int negative = draw(probabilities, random);
            triplets.add(new int[] {anchor, positive, negative});
        }
        return toTriplets(triplets);
    }

    /**
     * Returns the sampling distribution of the negative for one anchor.
     *
     * @param distancesFromAnchor distances from the anchor to every batch sample, unclamped
     * @param labels the batch labels
     * @param anchor the anchor index
     * @param dimension the embedding dimension k
     * @return probabilities summing to 1 (0 for same-class samples), or null if the anchor has no
     *     negative in the batch
     */
    public double[] negativeProbabilities(double[] distancesFromAnchor, int[] labels, int anchor, int dimension) {
        boolean[] allowed = new boolean[labels.length];
        for (int j = 0; j < labels.length; j++) {
            allowed[j] = labels[j] != labels[anchor];
        }
        return weightedProbabilities(distancesFromAnchor, allowed, anchor, dimension);
    }

    /**
     * Returns the distance-weighted sampling distribution over the allowed samples for one anchor:
     * log-weights by {@link #logInverseSphereDensity(double, int, boolean)} of the clamped
     * distances, disallowed samples at log-weight 0 before the row maximum is subtracted, then
     * exponentiated, disallowed samples set to 0 and the row renormalised (DIVA_SPEC 2.1 step 4).
     *
     * @param distancesFromAnchor distances from the anchor to every batch sample, unclamped
     * @param allowed which samples may be drawn
     * @param anchor the anchor index (for error messages)
     * @param dimension the embedding dimension k
     * @return probabilities summing to 1 (0 where not allowed), or null if nothing is allowed
     * @throws IllegalStateException without the antipodal guard, if an allowed sample at a finite
     *     distance (d &gt;= 2) gets a non-finite weight
     */
    public double[] weightedProbabilities(double[] distancesFromAnchor, boolean[] allowed, int anchor, int dimension) {
        int n = allowed.length;
        double[] logWeights = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        boolean any = false;
        for (int j = 0; j < n; j++) {
            if (allowed[j]) {
                any = true;
                double d = Math.max(lowerCutoff, distancesFromAnchor[j]);
                logWeights[j] = logInverseSphereDensity(d, dimension, antipodalGuard);
                if (!Double.isFinite(logWeights[j]) && Double.isFinite(d)) {
                    throw new IllegalStateException("distance-weighted sampling: anchor " + anchor
                            + " and sample " + j + " at distance " + distancesFromAnchor[j]
                            + " (antipodal) give a non-finite weight; enable the antipodal guard");
                }
            }
            max = Math.max(max, logWeights[j]);
        }
        if (!any) {
            return null;
        }
        double[] probabilities = new double[n];
        double sum = 0;
        for (int j = 0; j < n; j++) {
            if (allowed[j]) {
                probabilities[j] = Math.exp(logWeights[j] - max);
                sum += probabilities[j];
            }
        }
        if (!(sum > 0)) {
            sum = 0;
            for (int j = 0; j < n; j++) {
                probabilities[j] = allowed[j] ? 1 : 0;
                sum += probabilities[j];
            }
        }
        for (int j = 0; j < n; j++) {
            probabilities[j] /= sum;
        }
        return probabilities;
    }

    /**
     * The log inverse density of pairwise distances of uniform points on S^(k-1).
     *
     * @param distance the (clamped) distance d
     * @param dimension the dimension k
     * @return {@code (2 - k) log d - ((k - 3) / 2) log(1 - d^2 / 4)}
     */
    public static double logInverseSphereDensity(double distance, int dimension) {
        return logInverseSphereDensity(distance, dimension, true);
    }

    /**
     * The log inverse density of pairwise distances of uniform points on S^(k-1), optionally
     * without the antipodal guard.
     *
     * @param distance the (clamped) distance d
     * @param dimension the dimension k
     * @param antipodalGuard whether {@code 1 - d^2/4} is clamped at {@value #MIN_ONE_MINUS_QUARTER_D2}
     * @return {@code (2 - k) log d - ((k - 3) / 2) log(1 - d^2 / 4)}; without the guard +infinity
     *     at d = 2 and NaN beyond
     */
    public static double logInverseSphereDensity(double distance, int dimension, boolean antipodalGuard) {
        double oneMinus = 1 - distance * distance / 4;
        if (antipodalGuard) {
            oneMinus = Math.max(MIN_ONE_MINUS_QUARTER_D2, oneMinus);
        }
        return (2.0 - dimension) * Math.log(distance) - ((dimension - 3.0) / 2.0) * Math.log(oneMinus);
    }

    /**
     * Euclidean distances between all rows, computed in double precision.
     *
     * @param embeddings rows (B, d)
     * @return the (B, B) distance matrix
     */
    public static double[][] distances(float[][] embeddings) {
        int n = embeddings.length;
        double[] squaredNorms = new double[n];
        for (int i = 0; i < n; i++) {
            squaredNorms[i] = dot(embeddings[i], embeddings[i]);
        }
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double sq = squaredNorms[i] + squaredNorms[j] - 2 * dot(embeddings[i], embeddings[j]);
                double value = Math.sqrt(Math.max(0, sq));
                d[i][j] = value;
                d[j][i] = value;
            }
        }
        return d;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static int[] sameLabel(int[] labels, int anchor) {
        int count = 0;
        for (int j = 0; j < labels.length; j++) {
            if (j != anchor && labels[j] == labels[anchor]) {
                count++;
            }
        }
        int[] out = new int[count];
        int k = 0;
        for (int j = 0; j < labels.length; j++) {
            if (j != anchor && labels[j] == labels[anchor]) {
                out[k++] = j;
            }
        }
        return out;
    }

    static int draw(double[] probabilities, RandomGenerator random) {
        double u = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int j = 0; j < probabilities.length; j++) {
            if (probabilities[j] > 0) {
                cumulative += probabilities[j];
                last = j;
                if (u < cumulative) {
                    return j;
                }
            }
        }
        return last;
    }

    static Triplets toTriplets(List<int[]> triplets) {
        int[] a = new int[triplets.size()];
        int[] p = new int[triplets.size()];
        int[] n = new int[triplets.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = triplets.get(i)[0];
            p[i] = triplets.get(i)[1];
            n[i] = triplets.get(i)[2];
        }
        return new Triplets(a, p, n);
    }
}
