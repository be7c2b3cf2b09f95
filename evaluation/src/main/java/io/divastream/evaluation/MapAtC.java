package io.divastream.evaluation;

import java.util.HashMap;
import java.util.Map;

/**
 * The original DiVA code's {@code mAP_c}, kept for parity (DIVA_SPEC section 6.4). It differs from
 * Musgrave's MAP@R ({@link MapAtR}) by one: for a query {@code q}, {@code R_c} is the size of its
 * class <em>including</em> {@code q}; its first {@code R_c} nearest other items (leave-one-out, self
 * excluded by index, ties by smaller index; see {@link NearestNeighbours}) are scored, and
 * <pre>
 *   mAP_c(q) = (1/R_c) * sum_{i=1..R_c} P(i) * rel(i),   P(i) = (sum_{j&lt;=i} rel(j)) / i
 * </pre>
 * averaged over <em>all</em> queries. As worded in the spec, the query itself is not among the
 * neighbours, so the best possible value of a query is {@code (R_c - 1)/R_c} (and 0 for a
 * singleton class), not 1. If fewer than {@code R_c} other items exist (the whole set is one class),
 * the sum runs over all of them and is still divided by {@code R_c}. Stateless and thread-safe.
 */
public final class MapAtC {

    /** Creates the metric. It has no configuration. */
    public MapAtC() {}

    /**
     * Returns how many neighbours per query {@link #compute(int[][], int[])} needs: the largest class
     * size (the search depth of the original code).
     *
     * @param labels class label of each item
     * @return the largest number of items sharing a label
     */
    public static int requiredNeighbours(int[] labels) {
        int max = 0;
        for (int c : classSizes(labels)) {
            max = Math.max(max, c);
        }
        return max;
    }

    /**
     * Computes mAP_c from precomputed neighbour lists.
     *
     * @param neighbours for each query, other item indices nearest first, at least
     *     {@code min(requiredNeighbours(labels), n - 1)} of them
     * @param labels class label of each item
     * @return mAP_c averaged over all queries
     */
    public double compute(int[][] neighbours, int[] labels) {
        LabelStats.checkNeighbours(neighbours, labels, requiredNeighbours(labels));
        int[] sizes = classSizes(labels);
        double total = 0.0;
        for (int q = 0; q < labels.length; q++) {
            int r = sizes[q];
            int[] row = neighbours[q];
            int depth = Math.min(r, row.length);
            int relevant = 0;
            double precisionSum = 0.0;
            for (int i = 0; i < depth; i++) {
                if (labels[row[i]] == labels[q]) {
                    relevant++;
                    precisionSum += (double) relevant / (i + 1);
                }
            }
            total += precisionSum / r;
        }
        return total / labels.length;
    }

    /** For every item, the size of its class including itself. */
    private static int[] classSizes(int[] labels) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int label : labels) {
            counts.merge(label, 1, Integer::sum);
        }
        int[] sizes = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            sizes[i] = counts.get(labels[i]);
        }
        return sizes;
    }
}
