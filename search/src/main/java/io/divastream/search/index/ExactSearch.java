package io.divastream.search.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.IntStream;

/**
 * Exhaustive search: every row is scored against the query ({@link VectorSearch#dot}), a bounded
 * heap keeps the best {@code k}; equal scores rank the smaller row first. Large sets are scanned in
 * blocks of {@value #BLOCK} rows on the common fork-join pool and the block results merged, which
 * gives the same answer as a sequential scan. The rows are referenced, not copied.
 */
public final class ExactSearch implements VectorSearch {

    /** Rows per parallel block. */
    static final int BLOCK = 16_384;

    private final float[][] rows;
    private final boolean parallel;

    /**
     * Creates the search.
     *
     * @param rows the rows (not copied; must not change afterwards)
     * @param parallel whether to scan blocks in parallel
     */
    public ExactSearch(float[][] rows, boolean parallel) {
        this.rows = rows;
        this.parallel = parallel;
    }

    @Override
    public int size() {
        return rows.length;
    }

    @Override
    public List<Hit> search(float[] query, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        int blocks = (rows.length + BLOCK - 1) / BLOCK;
        IntStream ids = IntStream.range(0, blocks);
        List<List<Hit>> partial = (parallel && blocks > 1 ? ids.parallel() : ids)
                .mapToObj(b -> scan(query, k, b * BLOCK, Math.min(rows.length, (b + 1) * BLOCK)))
                .toList();
        List<Hit> all = new ArrayList<>();
        partial.forEach(all::addAll);
        all.sort(ExactSearch::compare);
        return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }

    private List<Hit> scan(float[] query, int k, int from, int to) {
        if (query.length != (rows.length == 0 ? query.length : rows[0].length)) {
            throw new IllegalArgumentException("query has dimension " + query.length + ", the rows " + rows[0].length);
        }
        // worst hit on top
        PriorityQueue<Hit> heap = new PriorityQueue<>(k + 1, (a, b) -> compare(b, a));
        float worst = Float.NEGATIVE_INFINITY;
        for (int r = from; r < to; r++) {
            float s = VectorSearch.dot(query, rows[r]);
            if (heap.size() < k) {
                heap.add(new Hit(r, s));
                if (heap.size() == k) {
                    worst = heap.peek().score();
                }
            } else if (s > worst) {
                heap.poll();
                heap.add(new Hit(r, s));
                worst = heap.peek().score();
            }
        }
        Hit[] out = heap.toArray(new Hit[0]);
        Arrays.sort(out, ExactSearch::compare);
        return Arrays.asList(out);
    }

    /** Higher score first, then smaller row. */
    static int compare(Hit a, Hit b) {
        int c = Float.compare(b.score(), a.score());
        return c != 0 ? c : Integer.compare(a.row(), b.row());
    }
}
