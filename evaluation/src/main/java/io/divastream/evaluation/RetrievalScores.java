package io.divastream.evaluation;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The standard deep-metric-learning evaluation of one embedding of a labelled test set.
 *
 * @param recallAt1 Recall@1 (see {@link RecallAtK})
 * @param recallAt2 Recall@2
 * @param recallAt4 Recall@4
 * @param recallAt8 Recall@8
 * @param nmi NMI between the labels and a k-means clustering of the embeddings
 *     (see {@link NormalizedMutualInformation})
 * @param mapAtR MAP@R (see {@link MapAtR})
 * @param rPrecision R-Precision (see {@link MapAtR}); {@code NaN} if not computed
 * @param precisionAt1 Precision@1 (see {@link PrecisionAtOne}); {@code NaN} if not computed
 * @param mapAtC the original code's {@code mAP_c}, for parity (see {@link MapAtC}); {@code NaN} if not
 *     computed
 * @param f1 pairwise F1 of the same k-means clustering (see {@link PairwiseF1}); {@code NaN} if not
 *     computed
 * @param recallAtK Recall@k for every evaluated k, ascending by k (an unmodifiable copy)
 * @param clusters the number of k-means clusters used for NMI and F1 (0 if unknown)
 */
public record RetrievalScores(
        double recallAt1,
        double recallAt2,
        double recallAt4,
        double recallAt8,
        double nmi,
        double mapAtR,
        double rPrecision,
        double precisionAt1,
        double mapAtC,
        double f1,
        Map<Integer, Double> recallAtK,
        int clusters) {

    /**
     * Validates and copies the Recall@k map.
     *
     * @param recallAt1 Recall@1
     * @param recallAt2 Recall@2
     * @param recallAt4 Recall@4
     * @param recallAt8 Recall@8
     * @param nmi NMI
     * @param mapAtR MAP@R
     * @param rPrecision R-Precision
     * @param precisionAt1 Precision@1
     * @param mapAtC mAP_c
     * @param f1 pairwise F1
     * @param recallAtK Recall@k by k
     * @param clusters k-means cluster count
     */
    public RetrievalScores {
        recallAtK = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(recallAtK, "recallAtK")));
    }

    /**
     * The scores of the original six metrics; the others are {@code NaN}, Recall@k holds k = 1, 2, 4, 8.
     *
     * @param recallAt1 Recall@1
     * @param recallAt2 Recall@2
     * @param recallAt4 Recall@4
     * @param recallAt8 Recall@8
     * @param nmi NMI
     * @param mapAtR MAP@R
     */
    public RetrievalScores(
            double recallAt1, double recallAt2, double recallAt4, double recallAt8, double nmi, double mapAtR) {
        this(
                recallAt1,
                recallAt2,
                recallAt4,
                recallAt8,
                nmi,
                mapAtR,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Map.of(1, recallAt1, 2, recallAt2, 4, recallAt4, 8, recallAt8),
                0);
    }

    /**
     * Returns Recall@k for an evaluated k.
     *
     * @param k the k
     * @return Recall@k
     * @throws IllegalArgumentException if k was not evaluated
     */
    public double recallAt(int k) {
        Double value = recallAtK.get(k);
        if (value == null) {
            throw new IllegalArgumentException(
                    "Recall@" + k + " was not evaluated; evaluated k: " + recallAtK.keySet());
        }
        return value;
    }
}
