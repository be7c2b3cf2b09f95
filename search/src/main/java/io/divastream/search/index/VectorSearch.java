package io.divastream.search.index;

import java.util.List;

/**
 * A nearest-neighbour search over a fixed set of unit-length rows, by dot product (the cosine
 * similarity of unit vectors; larger is nearer, and the order is that of the Euclidean distance).
 * Implementations are immutable after construction and safe for concurrent queries.
 */
public interface VectorSearch {

    /**
     * One result row.
     *
     * @param row the row index in the searched set
     * @param score the dot product of the query and the row
     */
    record Hit(int row, float score) {}

    /**
     * Returns the number of rows.
     *
     * @return the row count
     */
    int size();

    /**
     * Finds the rows nearest to a query.
     *
     * @param query the query, of the rows' dimension
     * @param k how many, at least 1
     * @return up to {@code k} hits, best first
     */
    List<Hit> search(float[] query, int k);

    /**
     * Computes the dot product used for scoring, summed in float over four interleaved partial sums.
     *
     * @param a a vector
     * @param b a vector of the same length
     * @return their dot product
     */
    static float dot(float[] a, float[] b) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int n = a.length;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
