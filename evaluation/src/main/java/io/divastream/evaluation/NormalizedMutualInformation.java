package io.divastream.evaluation;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Normalized mutual information between two labelings of the same items, with the arithmetic-mean
 * normalisation that scikit-learn uses by default since 0.22:
 * <pre>
 *   NMI(U, V) = MI(U, V) / ((H(U) + H(V)) / 2)
 *   MI(U, V)  = sum_{i,j} (n_ij / N) ln(N n_ij / (a_i b_j)),   H(U) = -sum_i (a_i / N) ln(a_i / N)
 * </pre>
 * with natural logarithms, contingency counts {@code n_ij}, and cluster sizes {@code a_i}, {@code b_j}.
 * Label values are arbitrary identifiers: the score is invariant to renaming them and symmetric in
 * {@code U} and {@code V}. Limit cases follow scikit-learn: if both labelings put every item in one
 * cluster the result is 1; if exactly one does, it is 0. The result is clamped to [0, 1] against
 * rounding. Stateless and thread-safe.
 */
public final class NormalizedMutualInformation {

    private NormalizedMutualInformation() {}

    /**
     * Computes the NMI of two labelings.
     *
     * @param labelsU first labeling (e.g. ground-truth classes)
     * @param labelsV second labeling (e.g. k-means clusters), same length
     * @return NMI in [0, 1]
     * @throws IllegalArgumentException if the lengths differ or are zero
     */
    public static double compute(int[] labelsU, int[] labelsV) {
        Objects.requireNonNull(labelsU, "labelsU");
        Objects.requireNonNull(labelsV, "labelsV");
        int n = labelsU.length;
        if (n != labelsV.length) {
            throw new IllegalArgumentException("labelings differ in length: " + n + " vs " + labelsV.length);
        }
        if (n == 0) {
            throw new IllegalArgumentException("labelings must not be empty");
        }
        int[] u = dense(labelsU);
        int[] v = dense(labelsV);
        int[] sizesU = sizes(u);
        int[] sizesV = sizes(v);
        if (sizesU.length == 1 && sizesV.length == 1) {
            return 1.0;
        }
        if (sizesU.length == 1 || sizesV.length == 1) {
            return 0.0;
        }
        // contingency table as sorted (u, v) pair keys: O(n log n) and no |U| x |V| matrix
        long[] pairs = new long[n];
        for (int i = 0; i < n; i++) {
            pairs[i] = ((long) u[i] << 32) | v[i];
        }
        Arrays.sort(pairs);
        double mi = 0.0;
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || pairs[i] != pairs[start]) {
                int count = i - start;
                int a = sizesU[(int) (pairs[start] >>> 32)];
                int b = sizesV[(int) pairs[start]];
                mi += count / (double) n * Math.log((double) n * count / ((double) a * b));
                start = i;
            }
        }
        double denominator = (entropy(sizesU, n) + entropy(sizesV, n)) / 2.0;
        double nmi = Math.max(mi, 0.0) / denominator;
        return Math.min(1.0, Math.max(0.0, nmi));
    }

    /** Maps arbitrary label values to 0..k-1 in order of first appearance. */
    private static int[] dense(int[] labels) {
        Map<Integer, Integer> ids = new HashMap<>();
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = ids.computeIfAbsent(labels[i], key -> ids.size());
        }
        return out;
    }

    private static int[] sizes(int[] dense) {
        int k = 0;
        for (int id : dense) {
            k = Math.max(k, id + 1);
        }
        int[] sizes = new int[k];
        for (int id : dense) {
            sizes[id]++;
        }
        return sizes;
    }

    private static double entropy(int[] sizes, int n) {
        double h = 0.0;
        for (int size : sizes) {
            double p = (double) size / n;
            h -= p * Math.log(p);
        }
        return h;
    }
}
