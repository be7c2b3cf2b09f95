package io.divastream.evaluation;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** Package-private helpers on integer class labels. */
final class LabelStats {

    private LabelStats() {}

    /**
     * For every item, the number of <em>other</em> items with the same label (MAP@R's R).
     */
    static int[] sameLabelOthers(int[] labels) {
        Objects.requireNonNull(labels, "labels");
        Map<Integer, Integer> counts = new HashMap<>();
        for (int label : labels) {
            counts.merge(label, 1, Integer::sum);
        }
        int[] others = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            others[i] = counts.get(labels[i]) - 1;
        }
        return others;
    }

    /**
     * For every query, the number of gallery items with its label (MAP@R's R in query/gallery mode).
     */
    static int[] galleryMatches(int[] queryLabels, int[] galleryLabels) {
        Objects.requireNonNull(queryLabels, "queryLabels");
        Objects.requireNonNull(galleryLabels, "galleryLabels");
        Map<Integer, Integer> counts = new HashMap<>();
        for (int label : galleryLabels) {
            counts.merge(label, 1, Integer::sum);
        }
        int[] matches = new int[queryLabels.length];
        for (int i = 0; i < queryLabels.length; i++) {
            matches[i] = counts.getOrDefault(queryLabels[i], 0);
        }
        return matches;
    }

    /**
     * The rows, labels and R of some queries of a leave-one-out evaluation, to be ranked against all items.
     *
     * @param rows the queries' neighbour lists
     * @param labels the queries' labels
     * @param relevant the queries' numbers of other items with their label
     */
    record Queries(int[][] rows, int[] labels, int[] relevant) {

        /** Selects the listed queries of leave-one-out neighbour lists (checked beforehand). */
        static Queries select(int[][] neighbours, int[] labels, int[] queries) {
            Objects.requireNonNull(queries, "queries");
            int[] others = sameLabelOthers(labels);
            int[][] rows = new int[queries.length][];
            int[] queryLabels = new int[queries.length];
            int[] relevant = new int[queries.length];
            for (int i = 0; i < queries.length; i++) {
                int q = queries[i];
                if (q < 0 || q >= labels.length) {
                    throw new IllegalArgumentException(
                            "query " + q + " is not an item index (" + labels.length + " items)");
                }
                rows[i] = neighbours[q];
                queryLabels[i] = labels[q];
                relevant[i] = others[q];
            }
            return new Queries(rows, queryLabels, relevant);
        }
    }

    /** Number of distinct labels. */
    static int distinct(int[] labels) {
        Objects.requireNonNull(labels, "labels");
        return (int) Arrays.stream(labels).distinct().count();
    }

    /**
     * Checks query/gallery neighbour lists: one row per query, at least {@code min(required, n_gallery)}
     * gallery indices in each.
     */
    static void checkNeighbours(int[][] neighbours, int[] queryLabels, int[] galleryLabels, int required) {
        Objects.requireNonNull(neighbours, "neighbours");
        Objects.requireNonNull(queryLabels, "queryLabels");
        Objects.requireNonNull(galleryLabels, "galleryLabels");
        if (neighbours.length != queryLabels.length) {
            throw new IllegalArgumentException("neighbours has " + neighbours.length + " rows but there are "
                    + queryLabels.length + " query labels");
        }
        int g = galleryLabels.length;
        int needed = Math.min(required, g);
        for (int i = 0; i < neighbours.length; i++) {
            int[] row = Objects.requireNonNull(neighbours[i], "neighbour row");
            if (row.length < needed) {
                throw new IllegalArgumentException(
                        "neighbour row " + i + " has " + row.length + " entries, need " + needed);
            }
            for (int j : row) {
                if (j < 0 || j >= g) {
                    throw new IllegalArgumentException("neighbour row " + i + " contains invalid gallery index " + j
                            + " (gallery size " + g + ")");
                }
            }
        }
    }

    /** Checks that neighbour lists and labels describe the same n items. */
    static void checkNeighbours(int[][] neighbours, int[] labels, int required) {
        Objects.requireNonNull(neighbours, "neighbours");
        Objects.requireNonNull(labels, "labels");
        int n = labels.length;
        if (neighbours.length != n) {
            throw new IllegalArgumentException(
                    "neighbours has " + neighbours.length + " rows but labels has " + n + " entries");
        }
        int needed = Math.min(required, n - 1);
        for (int i = 0; i < n; i++) {
            int[] row = Objects.requireNonNull(neighbours[i], "neighbour row");
            if (row.length < needed) {
                throw new IllegalArgumentException(
                        "neighbour row " + i + " has " + row.length + " entries, need " + needed);
            }
            for (int j : row) {
                if (j < 0 || j >= n || j == i) {
                    throw new IllegalArgumentException("neighbour row " + i + " contains invalid index " + j);
                }
            }
        }
    }
}
