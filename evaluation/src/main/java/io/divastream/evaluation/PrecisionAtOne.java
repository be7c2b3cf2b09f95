package io.divastream.evaluation;

/**
 * Precision@1 as in Musgrave et al. (2020): the fraction of queries whose nearest other item
 * (leave-one-out, self excluded by index) shares their label, over the queries that have at least one
 * other item of their label (the same query set as {@link MapAtR}). It therefore equals Recall@1
 * with {@link RecallAtK.SingletonPolicy#EXCLUDE}. Stateless and thread-safe.
 */
public final class PrecisionAtOne {

    private PrecisionAtOne() {}

    /**
     * Computes Precision@1 from precomputed neighbour lists.
     *
     * @param neighbours for each query, other item indices nearest first, at least one when
     *     {@code n >= 2}
     * @param labels class label of each item
     * @return Precision@1 in [0, 1]; {@code NaN} if every label is unique
     */
    public static double compute(int[][] neighbours, int[] labels) {
        LabelStats.checkNeighbours(neighbours, labels, 1);
        return compute(neighbours, labels, labels, LabelStats.sameLabelOthers(labels));
    }

    /**
     * Computes Precision@1 in query/gallery mode: over the queries with at least one gallery item of their
     * label, the fraction whose nearest gallery item has it.
     *
     * @param neighbours for each query, gallery indices nearest first, at least one
     * @param queryLabels class label of each query
     * @param galleryLabels class label of each gallery item
     * @return Precision@1 in [0, 1]; {@code NaN} if no query has a gallery item of its label
     */
    public static double compute(int[][] neighbours, int[] queryLabels, int[] galleryLabels) {
        LabelStats.checkNeighbours(neighbours, queryLabels, galleryLabels, 1);
        return compute(neighbours, queryLabels, galleryLabels, LabelStats.galleryMatches(queryLabels, galleryLabels));
    }

    private static double compute(int[][] neighbours, int[] queryLabels, int[] galleryLabels, int[] relevant) {
        int hits = 0;
        int queries = 0;
        for (int q = 0; q < queryLabels.length; q++) {
            if (relevant[q] == 0) {
                continue;
            }
            queries++;
            hits += galleryLabels[neighbours[q][0]] == queryLabels[q] ? 1 : 0;
        }
        return queries == 0 ? Double.NaN : (double) hits / queries;
    }
}
