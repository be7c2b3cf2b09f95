package io.divastream.evaluation;

/**
 * MAP@R and R-Precision from Musgrave, Belongie and Lim, "A Metric Learning Reality Check" (ECCV 2020).
 *
 * <p>For a query {@code q}, {@code R} is the number of <em>other</em> items with its label. Its {@code R}
 * nearest other items (leave-one-out, Euclidean, ties by smaller index; see {@link NearestNeighbours})
 * are ranked, and with {@code rel(i)} = 1 if the item at rank {@code i} shares the query's label:
 * <pre>
 *   MAP@R(q)       = (1/R) * sum_{i=1..R} P(i) * rel(i),   P(i) = (sum_{j&lt;=i} rel(j)) / i
 *   R-Precision(q) = (sum_{i=1..R} rel(i)) / R
 * </pre>
 * Both are averaged over queries with {@code R >= 1}; queries without another item of their label are
 * skipped (they have no defined value). In query/gallery mode (In-Shop) {@code R} is the number of
 * gallery items with the query's label and the query's nearest gallery items are ranked. Stateless and
 * thread-safe.
 */
public final class MapAtR {

    /** Creates the metric. It has no configuration. */
    public MapAtR() {}

    /**
     * Returns how many neighbours per query {@link #compute(int[][], int[])} needs: the largest R.
     *
     * @param labels class label of each item
     * @return the largest number of other items sharing an item's label (0 if all labels are unique)
     */
    public static int requiredNeighbours(int[] labels) {
        int max = 0;
        for (int r : LabelStats.sameLabelOthers(labels)) {
            max = Math.max(max, r);
        }
        return max;
    }

    /**
     * Computes MAP@R and R-Precision from embeddings, running a {@link NearestNeighbours} search first.
     *
     * @param embeddings {@code n x d} matrix
     * @param labels class label of each row
     * @return averaged scores
     */
    public MapAtRResult compute(float[][] embeddings, int[] labels) {
        int m = Math.max(1, requiredNeighbours(labels));
        return compute(new NearestNeighbours(m).search(embeddings), labels);
    }

    /**
     * Computes MAP@R and R-Precision from precomputed neighbour lists.
     *
     * @param neighbours for each query, other item indices nearest first; a query's list must hold at
     *     least its R entries (lists sized by {@link #requiredNeighbours(int[])} always do)
     * @param labels class label of each item
     * @return averaged scores
     */
    public MapAtRResult compute(int[][] neighbours, int[] labels) {
        LabelStats.checkNeighbours(neighbours, labels, 0);
        return compute(neighbours, labels, labels, LabelStats.sameLabelOthers(labels));
    }

    /**
     * Computes leave-one-out MAP@R and R-Precision over some of the items as queries: each listed item is
     * ranked against all other items, and only the listed items are averaged.
     *
     * @param neighbours for each item, other item indices nearest first, as for {@link #compute(int[][], int[])}
     * @param labels class label of each item
     * @param queries indices of the items counted as queries (each once)
     * @return scores averaged over the listed queries with {@code R >= 1}
     */
    public MapAtRResult computeForQueries(int[][] neighbours, int[] labels, int[] queries) {
        LabelStats.checkNeighbours(neighbours, labels, 0);
        LabelStats.Queries selected = LabelStats.Queries.select(neighbours, labels, queries);
        return compute(selected.rows(), selected.labels(), labels, selected.relevant());
    }

    /**
     * Computes MAP@R and R-Precision in query/gallery mode (In-Shop): {@code R} is the number of gallery
     * items with the query's label, and the query's {@code R} nearest gallery items are scored.
     *
     * @param neighbours for each query, gallery indices nearest first; a query's list must hold at least
     *     its R entries
     * @param queryLabels class label of each query
     * @param galleryLabels class label of each gallery item
     * @return scores averaged over the queries with {@code R >= 1}
     */
    public MapAtRResult compute(int[][] neighbours, int[] queryLabels, int[] galleryLabels) {
        LabelStats.checkNeighbours(neighbours, queryLabels, galleryLabels, 0);
        return compute(neighbours, queryLabels, galleryLabels, LabelStats.galleryMatches(queryLabels, galleryLabels));
    }

    private static MapAtRResult compute(int[][] neighbours, int[] queryLabels, int[] galleryLabels, int[] relevant) {
        double mapSum = 0.0;
        double rPrecisionSum = 0.0;
        int queries = 0;
        for (int q = 0; q < queryLabels.length; q++) {
            int r = relevant[q];
            if (r == 0) {
                continue;
            }
            int[] row = neighbours[q];
            if (row.length < r) {
                throw new IllegalArgumentException(
                        "neighbour row " + q + " has " + row.length + " entries, need R = " + r);
            }
            int hits = 0;
            double precisionSum = 0.0;
            for (int i = 0; i < r; i++) {
                if (galleryLabels[row[i]] == queryLabels[q]) {
                    hits++;
                    precisionSum += (double) hits / (i + 1);
                }
            }
            mapSum += precisionSum / r;
            rPrecisionSum += (double) hits / r;
            queries++;
        }
        if (queries == 0) {
            return new MapAtRResult(Double.NaN, Double.NaN, 0);
        }
        return new MapAtRResult(mapSum / queries, rPrecisionSum / queries, queries);
    }
}
