package io.divastream.evaluation;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Pairwise clustering F1 (DIVA_SPEC section 6.3): over all unordered pairs of items, a pair is
 * predicted positive if both items share a cluster and is truly positive if both share a class.
 * <pre>
 *   TP = sum over (class, cluster) cells of C(n_cell, 2)
 *   precision = TP / sum over clusters of C(n_cluster, 2),   recall = TP / sum over classes of C(n_class, 2)
 *   F1 = 2 P R / (P + R) = 2 TP / (cluster pairs + class pairs)
 * </pre>
 * The original code names the two denominators the other way round; F1 is symmetric in P and R, so
 * the value is the same. It also relabels every cluster by its point nearest the centroid, which
 * does not change the partition and hence not F1. Counts are exact (long arithmetic over the
 * contingency table, O(n)). Stateless and thread-safe.
 */
public final class PairwiseF1 {

    private PairwiseF1() {}

    /**
     * Computes the pairwise F1 of a clustering against the labels.
     *
     * @param labels the true class of each item
     * @param clusters the cluster of each item, same length
     * @return F1 in [0, 1]; {@code NaN} if there is no same-class and no same-cluster pair at all
     * @throws IllegalArgumentException if the lengths differ
     */
    public static double compute(int[] labels, int[] clusters) {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(clusters, "clusters");
        if (labels.length != clusters.length) {
            throw new IllegalArgumentException(
                    labels.length + " labels but " + clusters.length + " cluster assignments");
        }
        Map<Integer, Long> classSizes = new HashMap<>();
        Map<Integer, Long> clusterSizes = new HashMap<>();
        Map<Long, Long> cells = new HashMap<>();
        for (int i = 0; i < labels.length; i++) {
            classSizes.merge(labels[i], 1L, Long::sum);
            clusterSizes.merge(clusters[i], 1L, Long::sum);
            cells.merge(((long) labels[i] << 32) ^ (clusters[i] & 0xffffffffL), 1L, Long::sum);
        }
        long truePositives = pairs(cells);
        long denominator = pairs(classSizes) + pairs(clusterSizes);
        return denominator == 0 ? Double.NaN : 2.0 * truePositives / denominator;
    }

    private static long pairs(Map<?, Long> sizes) {
        long total = 0;
        for (long n : sizes.values()) {
            total += n * (n - 1) / 2;
        }
        return total;
    }
}
