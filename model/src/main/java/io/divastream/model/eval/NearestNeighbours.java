package io.divastream.model.eval;

import java.util.stream.IntStream;

/**
 * Leave-one-out k-nearest-neighbour search under the Euclidean distance.
 *
 * <p>For every row {@code q} of an {@code n x d} embedding matrix, {@link #search(float[][])} returns the
 * indices of the {@code m} rows nearest to it, nearest first, always excluding {@code q} itself by index
 * (an exact duplicate of {@code q} at another index is a regular neighbour at distance 0). Ranking uses
 * the squared distance {@code |x|^2 + |y|^2 - 2 x.y} in double precision; equal distances are ordered by
 * the smaller index. If {@code m > n - 1}, every row gets all {@code n - 1} other rows.
 *
 * <p>Distances are computed block-wise from dot products and a bounded heap keeps the {@code m} best per
 * query, so memory is {@code O(n d + n m)} and no {@code n x n} matrix is built. With {@code parallel}
 * set, query blocks run on the common fork-join pool; each row's result depends only on its own
 * computation, so the output is identical to the sequential one. Instances are immutable and thread-safe.
 */
public final class NearestNeighbours {

    private static final int QUERY_BLOCK = 16;
    private static final int CANDIDATE_BLOCK = 64;

    private final int m;
    private final boolean parallel;

    /**
     * Creates a parallel search for the {@code m} nearest neighbours of every row.
     *
     * @param m number of neighbours per row, at least 1
     */
    public NearestNeighbours(int m) {
        this(m, true);
    }

    /**
     * Creates a search for the {@code m} nearest neighbours of every row.
     *
     * @param m number of neighbours per row, at least 1
     * @param parallel whether to spread query blocks over the common fork-join pool
     */
    public NearestNeighbours(int m, boolean parallel) {
        if (m < 1) {
            throw new IllegalArgumentException("m must be >= 1, got " + m);
        }
        this.m = m;
        this.parallel = parallel;
    }

    /**
     * Returns the configured number of neighbours per row.
     *
     * @return m
     */
    public int m() {
        return m;
    }

    /**
     * Finds the nearest other rows of every row.
     *
     * @param embeddings {@code n x d} matrix, {@code n >= 1}, {@code d >= 1}, finite values
     * @return {@code n} arrays of {@code min(m, n - 1)} row indices each, nearest first
     * @throws IllegalArgumentException if the matrix is empty, ragged or contains non-finite values
     */
    public int[][] search(float[][] embeddings) {
        return search(EmbeddingMatrix.of(embeddings));
    }

    /** Same as {@link #search(float[][])} on an already validated matrix. */
    int[][] search(EmbeddingMatrix matrix) {
        int n = matrix.rows();
        int k = Math.min(m, n - 1);
        int[][] result = new int[n][];
        int blocks = (n + QUERY_BLOCK - 1) / QUERY_BLOCK;
        IntStream stream = IntStream.range(0, blocks);
        if (parallel) {
            stream = stream.parallel();
        }
        stream.forEach(b -> searchBlock(matrix, b * QUERY_BLOCK, Math.min(n, (b + 1) * QUERY_BLOCK), k, result));
        return result;
    }

    private static void searchBlock(EmbeddingMatrix matrix, int qFrom, int qTo, int k, int[][] result) {
        int n = matrix.rows();
        int d = matrix.dim();
        double[] x = matrix.values();
        double[] norms = matrix.squaredNorms();
        int queries = qTo - qFrom;
        TopKSelector[] selectors = new TopKSelector[queries];
        for (int i = 0; i < queries; i++) {
            selectors[i] = new TopKSelector(k);
        }
        double[] dots = new double[2 * CANDIDATE_BLOCK];
        for (int cFrom = 0; cFrom < n; cFrom += CANDIDATE_BLOCK) {
            int cTo = Math.min(n, cFrom + CANDIDATE_BLOCK);
            for (int q = qFrom; q < qTo; q += 2) {
                boolean pair = q + 1 < qTo;
                if (pair) {
                    dotsOfPairWithBlock(x, d, q, cFrom, cTo, dots);
                } else {
                    dotsWithBlock(x, d, q, cFrom, cTo, dots);
                }
                for (int r = 0; r < (pair ? 2 : 1); r++) {
                    int query = q + r;
                    TopKSelector selector = selectors[query - qFrom];
                    double qNorm = norms[query];
                    int base = r * CANDIDATE_BLOCK - cFrom;
                    for (int c = cFrom; c < cTo; c++) {
                        if (c != query) {
                            selector.offer(qNorm + norms[c] - 2.0 * dots[base + c], c);
                        }
                    }
                }
            }
        }
        for (int q = qFrom; q < qTo; q++) {
            result[q] = selectors[q - qFrom].drainSorted();
        }
    }

    /**
     * Dot products of row q with rows [cFrom, cTo), four candidates at a time; each accumulates over the
     * dimensions in the same order as {@link EmbeddingMatrix#dot}, so results are bit-identical to it.
     */
    private static void dotsWithBlock(double[] x, int d, int q, int cFrom, int cTo, double[] out) {
        int qo = q * d;
        int c = cFrom;
        for (; c + 3 < cTo; c += 4) {
            int o0 = c * d;
            int o1 = o0 + d;
            int o2 = o1 + d;
            int o3 = o2 + d;
            double s0 = 0.0;
            double s1 = 0.0;
            double s2 = 0.0;
            double s3 = 0.0;
            for (int t = 0; t < d; t++) {
                double v = x[qo + t];
                s0 += v * x[o0 + t];
                s1 += v * x[o1 + t];
                s2 += v * x[o2 + t];
                s3 += v * x[o3 + t];
            }
            out[c - cFrom] = s0;
            out[c + 1 - cFrom] = s1;
            out[c + 2 - cFrom] = s2;
            out[c + 3 - cFrom] = s3;
        }
        for (; c < cTo; c++) {
            out[c - cFrom] = EmbeddingMatrix.dot(x, qo, x, c * d, d);
        }
    }

    /**
     * Dot products of rows q and q + 1 with rows [cFrom, cTo), written to out[c - cFrom] and
     * out[CANDIDATE_BLOCK + c - cFrom]; same per-pair summation order as {@link EmbeddingMatrix#dot}.
     */
    private static void dotsOfPairWithBlock(double[] x, int d, int q, int cFrom, int cTo, double[] out) {
        int qa = q * d;
        int qb = qa + d;
        int c = cFrom;
        for (; c + 3 < cTo; c += 4) {
            int o0 = c * d;
            int o1 = o0 + d;
            int o2 = o1 + d;
            int o3 = o2 + d;
            double a0 = 0.0;
            double a1 = 0.0;
            double a2 = 0.0;
            double a3 = 0.0;
            double b0 = 0.0;
            double b1 = 0.0;
            double b2 = 0.0;
            double b3 = 0.0;
            for (int t = 0; t < d; t++) {
                double va = x[qa + t];
                double vb = x[qb + t];
                double y0 = x[o0 + t];
                double y1 = x[o1 + t];
                double y2 = x[o2 + t];
                double y3 = x[o3 + t];
                a0 += va * y0;
                a1 += va * y1;
                a2 += va * y2;
                a3 += va * y3;
                b0 += vb * y0;
                b1 += vb * y1;
                b2 += vb * y2;
                b3 += vb * y3;
            }
            int i = c - cFrom;
            out[i] = a0;
            out[i + 1] = a1;
            out[i + 2] = a2;
            out[i + 3] = a3;
            out[CANDIDATE_BLOCK + i] = b0;
            out[CANDIDATE_BLOCK + i + 1] = b1;
            out[CANDIDATE_BLOCK + i + 2] = b2;
            out[CANDIDATE_BLOCK + i + 3] = b3;
        }
        for (; c < cTo; c++) {
            out[c - cFrom] = EmbeddingMatrix.dot(x, qa, x, c * d, d);
            out[CANDIDATE_BLOCK + c - cFrom] = EmbeddingMatrix.dot(x, qb, x, c * d, d);
        }
    }
}
