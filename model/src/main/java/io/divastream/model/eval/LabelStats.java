package io.divastream.model.eval;

import java.util.HashMap;
import java.util.Map;
import java.util.Arrays;
import java.util.Objects;

/** Package-private helpers on integer class labels. */
final class LabelStats {

    private LabelStats() {
    }

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

    /** Number of distinct labels. */
    static int distinct(int[] labels) {
        Objects.requireNonNull(labels, "labels");
        return (int) Arrays.stream(labels).distinct().count();
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
