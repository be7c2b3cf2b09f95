package io.divastream.jobs.metrics;

import io.divastream.jobs.events.ImageEmbedding;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the scorers hand the evaluator of a list of embedding rows: their combined vectors and integer labels. */
final class Rows {

    private Rows() {}

    /**
     * The rows' combined embeddings.
     *
     * @param rows the rows
     * @return one vector per row, in row order (the rows' own arrays)
     */
    static float[][] combined(List<ImageEmbedding> rows) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i).combined();
        }
        return out;
    }

    /**
     * The rows' labels as integers, numbered in order of first appearance.
     *
     * @param rows the rows
     * @param classIds the numbering so far, extended with new labels (shared by lists that are compared)
     * @return one id per row
     */
    static int[] labelIds(List<ImageEmbedding> rows, Map<String, Integer> classIds) {
        int[] ids = new int[rows.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = classIds.computeIfAbsent(rows.get(i).label(), l -> classIds.size());
        }
        return ids;
    }

    /** Retrieval needs a class with two images, and clustering two classes. */
    static boolean leaveOneOutScorable(Collection<ImageEmbedding> rows) {
        Map<String, Integer> perClass = new HashMap<>();
        for (ImageEmbedding e : rows) {
            perClass.merge(e.label(), 1, Integer::sum);
        }
        return perClass.size() >= 2 && perClass.values().stream().anyMatch(c -> c >= 2);
    }
}
