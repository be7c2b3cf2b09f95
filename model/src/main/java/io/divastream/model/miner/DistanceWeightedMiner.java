package io.divastream.model.miner;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Distance-weighted sampling (Wu et al. 2017) as DiVA's discriminative task uses it (DIVA_SPEC
 * section 2.1): every sample with another same-class sample is an anchor; its positive is a
 * uniformly drawn other same-class sample; its negative is drawn with probability proportional to
 * the inverse density of pairwise distances on the unit sphere S^(k-1),
 *
 * <pre>log w = (2 - k) log d - ((k - 3) / 2) log(1 - d^2 / 4),</pre>
 *
 * where d is clamped from below at {@code lowerCutoff} and k is the embedding dimension. No upper
 * cutoff is applied, as in the original code. Unlike the original, {@code 1 - d^2/4} is clamped at
 * {@value #MIN_ONE_MINUS_QUARTER_D2} so that antipodal pairs give a large finite weight instead of
 * NaN probabilities.
 */
public final class DistanceWeightedMiner implements BatchMiner {

    /** Smallest value of {@code 1 - d^2/4} fed to the logarithm. */
    public static final double MIN_ONE_MINUS_QUARTER_D2 = 1e-8;

    private final double lowerCutoff;

    /**
     * Creates a miner.
     *
     * @param lowerCutoff distances below this are clamped to it (0.5 in DiVA)
     */
    public DistanceWeightedMiner(double lowerCutoff) {
        this.lowerCutoff = lowerCutoff;
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
            double[] probabilities = negativeProbabilities(distances[anchor], labels, anchor,
                    embeddings[anchor].length);
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
    public double[] negativeProbabilities(
            double[] distancesFromAnchor, int[] labels, int anchor, int dimension) {
        int n = labels.length;
        double[] logWeights = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        boolean anyNegative = false;
        for (int j = 0; j < n; j++) {
            if (labels[j] == labels[anchor]) {
                logWeights[j] = 0;
            } else {
                anyNegative = true;
                logWeights[j] = logInverseSphereDensity(
                        Math.max(lowerCutoff, distancesFromAnchor[j]), dimension);
            }
            max = Math.max(max, logWeights[j]);
        }
        if (!anyNegative) {
            return null;
        }
        double[] probabilities = new double[n];
        double sum = 0;
        for (int j = 0; j < n; j++) {
            if (labels[j] != labels[anchor]) {
                probabilities[j] = Math.exp(logWeights[j] - max);
                sum += probabilities[j];
            }
        }
        if (!(sum > 0) || Double.isInfinite(sum)) {
            sum = 0;
            for (int j = 0; j < n; j++) {
                probabilities[j] = labels[j] != labels[anchor] ? 1 : 0;
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
        double oneMinus = Math.max(MIN_ONE_MINUS_QUARTER_D2, 1 - distance * distance / 4);
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
