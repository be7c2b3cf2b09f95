package io.divastream.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.divastream.model.DjlRuntime;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Exact k-nearest-neighbour search under the Euclidean distance, in bounded memory. Design notes:
 * docs/design-notes.md#nearestneighbours.
 */
public final class NearestNeighbours {

    /** Default budget of one float32 score block: 64 MiB. */
    public static final long DEFAULT_BLOCK_BYTES = 64L << 20;

    private static final double UNIT_ROUNDOFF = 0x1p-24;

    private final int m;
    private final boolean parallel;
    private final long blockBytes;

    /**
     * Creates a search for the {@code m} nearest neighbours of every query, re-ranking in parallel, with
     * the default block budget.
     *
     * @param m number of neighbours per query, at least 1
     */
    public NearestNeighbours(int m) {
        this(m, true);
    }

    /**
     * Creates a search with the default block budget.
     *
     * @param m number of neighbours per query, at least 1
     * @param parallel whether to re-rank candidates on the common fork-join pool
     */
    public NearestNeighbours(int m, boolean parallel) {
        this(m, parallel, DEFAULT_BLOCK_BYTES);
    }

    /**
     * Creates a search.
     *
     * @param m number of neighbours per query, at least 1
     * @param parallel whether to re-rank candidates on the common fork-join pool
     * @param blockBytes budget of one block in bytes (its float32 scores and query rows, see
     *     {@link #blockRows(int, int)})
     */
    public NearestNeighbours(int m, boolean parallel, long blockBytes) {
        if (m < 1) {
            throw new IllegalArgumentException("m must be >= 1, got " + m);
        }
        if (blockBytes < 1) {
            throw new IllegalArgumentException("blockBytes must be >= 1, got " + blockBytes);
        }
        this.m = m;
        this.parallel = parallel;
        this.blockBytes = blockBytes;
    }

    /**
     * Returns the configured number of neighbours per query.
     *
     * @return m
     */
    public int m() {
        return m;
    }

    /**
     * Returns how many query rows one block holds: a block is {@code rows x galleryRows} float32 scores plus
     * the {@code rows x (dim + 1)} float32 query rows, within the byte budget.
     *
     * @param galleryRows number of gallery rows
     * @param dim embedding dimension
     * @return {@code max(1, blockBytes / (4 * (galleryRows + dim + 1)))}, at most {@link Integer#MAX_VALUE}
     */
    public int blockRows(int galleryRows, int dim) {
        long perRow = 4L * ((long) galleryRows + dim + 1);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, blockBytes / perRow));
    }

    /**
     * Leave-one-out search: finds the nearest other rows of every row.
     *
     * @param embeddings {@code n x d} matrix, {@code n >= 1}, {@code d >= 1}, finite values
     * @return {@code n} arrays of {@code min(m, n - 1)} row indices each, nearest first
     * @throws IllegalArgumentException if the matrix is empty, ragged or contains non-finite values
     */
    public int[][] search(float[][] embeddings) {
        EmbeddingMatrix matrix = EmbeddingMatrix.of(embeddings);
        return search(matrix, matrix, true);
    }

    /**
     * Query/gallery search: finds the nearest gallery rows of every query row (no row is excluded).
     *
     * @param queries {@code n_q x d} matrix, finite values
     * @param gallery {@code n_g x d} matrix with the same {@code d}, finite values
     * @return {@code n_q} arrays of {@code min(m, n_g)} gallery indices each, nearest first
     * @throws IllegalArgumentException if a matrix is empty, ragged or non-finite, or the dimensions differ
     */
    public int[][] search(float[][] queries, float[][] gallery) {
        return search(EmbeddingMatrix.of(queries), EmbeddingMatrix.of(gallery), false);
    }

    /** Leave-one-out search on an already validated matrix. */
    int[][] search(EmbeddingMatrix matrix) {
        return search(matrix, matrix, true);
    }

    /**
     * Searches every query row among the gallery rows; with {@code leaveOneOut}, {@code queries} and
     * {@code gallery} must be the same matrix and row {@code q} is excluded from its own list.
     */
    int[][] search(EmbeddingMatrix queries, EmbeddingMatrix gallery, boolean leaveOneOut) {
        Objects.requireNonNull(queries, "queries");
        Objects.requireNonNull(gallery, "gallery");
        if (queries.dim() != gallery.dim()) {
            throw new IllegalArgumentException(
                    "queries have dimension " + queries.dim() + " but gallery rows have dimension " + gallery.dim());
        }
        if (leaveOneOut && queries != gallery) {
            throw new IllegalArgumentException("leave-one-out search needs one matrix as queries and gallery");
        }
        int nq = queries.rows();
        int ng = gallery.rows();
        int k = Math.min(m, leaveOneOut ? ng - 1 : ng);
        int[][] result = new int[nq][];
        if (k <= 0) {
            Arrays.fill(result, new int[0]);
            return result;
        }
        int available = leaveOneOut ? ng - 1 : ng;
        int candidates = Math.min(available, k + Math.max(8, k / 4));
        int[] pending = IntStream.range(0, nq).toArray();
        try (NDManager manager = DjlRuntime.engine().newBaseManager()) {
            NDArray galleryT = augmentedGallery(manager, gallery).transpose();
            double maxNorm = maxNorm(gallery);
            int rowsPerBlock = blockRows(ng, gallery.dim());
            while (pending.length > 0) {
                boolean[] failed = new boolean[nq];
                int retrieve = Math.min(ng, candidates + (leaveOneOut ? 1 : 0));
                boolean exhaustive = candidates >= available;
                for (int from = 0; from < pending.length; from += rowsPerBlock) {
                    int to = Math.min(pending.length, from + rowsPerBlock);
                    searchBlock(
                            manager,
                            queries,
                            gallery,
                            galleryT,
                            Arrays.copyOfRange(pending, from, to),
                            k,
                            retrieve,
                            exhaustive,
                            leaveOneOut,
                            maxNorm,
                            result,
                            failed);
                }
                pending = IntStream.of(pending).filter(q -> failed[q]).toArray();
                candidates = (int) Math.min(available, 4L * candidates);
            }
        }
        return result;
    }

    private void searchBlock(
            NDManager manager,
            EmbeddingMatrix queries,
            EmbeddingMatrix gallery,
            NDArray galleryT,
            int[] rows,
            int k,
            int retrieve,
            boolean exhaustive,
            boolean leaveOneOut,
            double maxNorm,
            int[][] result,
            boolean[] failed) {
        int d = queries.dim();
        int b = rows.length;
        float[] block = new float[b * (d + 1)];
        double[] x = queries.values();
        for (int r = 0; r < b; r++) {
            int src = rows[r] * d;
            int dst = r * (d + 1);
            for (int t = 0; t < d; t++) {
                block[dst + t] = (float) (2.0 * x[src + t]);
            }
            block[dst + d] = -1f;
        }
        float[] scores;
        long[] indices;
        try (NDManager sub = manager.newSubManager()) {
            NDArray query = sub.create(block, new Shape(b, d + 1));
            NDList top = query.matMul(galleryT).topK(retrieve, 1, true, false);
            scores = top.get(0).toFloatArray();
            indices = top.get(1).toLongArray();
        }
        IntStream stream = IntStream.range(0, b);
        if (parallel) {
            stream = stream.parallel();
        }
        stream.forEach(r -> {
            int q = rows[r];
            double threshold = Double.POSITIVE_INFINITY;
            if (!exhaustive) {
                for (int i = r * retrieve; i < (r + 1) * retrieve; i++) {
                    threshold = Math.min(threshold, scores[i]);
                }
            }
            int[] row = refine(
                    queries,
                    gallery,
                    q,
                    indices,
                    r * retrieve,
                    retrieve,
                    k,
                    leaveOneOut,
                    exhaustive,
                    threshold,
                    maxNorm);
            if (row == null) {
                failed[q] = true;
            } else {
                result[q] = row;
            }
        });
    }

    /**
     * Re-ranks one query's candidates by the exact key and returns the k best, or null if the list
     * cannot be certified against the rows that were not retrieved ({@code threshold} is the smallest
     * retrieved float32 score; not used if every row was retrieved).
     */
    private static int[] refine(
            EmbeddingMatrix queries,
            EmbeddingMatrix gallery,
            int q,
            long[] indices,
            int offset,
            int retrieve,
            int k,
            boolean leaveOneOut,
            boolean exhaustive,
            double threshold,
            double maxNorm) {
        int d = queries.dim();
        double[] x = queries.values();
        double[] y = gallery.values();
        double qNorm = queries.squaredNorms()[q];
        double[] gNorms = gallery.squaredNorms();
        TopKSelector selector = new TopKSelector(k);
        for (int i = 0; i < retrieve; i++) {
            int c = (int) indices[offset + i];
            if (leaveOneOut && c == q) {
                continue;
            }
            selector.offer(qNorm + gNorms[c] - 2.0 * EmbeddingMatrix.dot(x, q * d, y, c * d, d), c);
        }
        if (!exhaustive) {
            double bound = errorBound(d, Math.sqrt(qNorm), maxNorm);
            // every row not retrieved has exact score <= threshold + bound, i.e. key >= qNorm - threshold - bound
            if (!(selector.worst() < qNorm - threshold - bound)) {
                return null;
            }
        }
        return selector.drainSorted();
    }

    /**
     * Bound on |float32 score - exact score| for one pair, and on the double rounding of the exact key:
     * {@code (gamma_(d+1) + 8u) (|q| + max |c|)^2} plus an absolute term for flushed subnormals.
     */
    static double errorBound(int d, double queryNorm, double maxGalleryNorm) {
        double nu = (d + 1) * UNIT_ROUNDOFF;
        double gamma = nu / (1.0 - nu);
        double scale = queryNorm + maxGalleryNorm;
        return (gamma + 8 * UNIT_ROUNDOFF) * scale * scale + (d + 1) * 0x1p-120;
    }

    /** The gallery rows augmented with their squared norm, {@code [c, |c|^2]}, as float32. */
    private static NDArray augmentedGallery(NDManager manager, EmbeddingMatrix gallery) {
        int n = gallery.rows();
        int d = gallery.dim();
        double[] y = gallery.values();
        double[] norms = gallery.squaredNorms();
        float[] flat = new float[Math.multiplyExact(n, d + 1)];
        for (int i = 0; i < n; i++) {
            int dst = i * (d + 1);
            for (int t = 0; t < d; t++) {
                flat[dst + t] = (float) y[i * d + t];
            }
            flat[dst + d] = (float) norms[i];
        }
        return manager.create(flat, new Shape(n, d + 1));
    }

    private static double maxNorm(EmbeddingMatrix matrix) {
        double max = 0.0;
        for (double norm : matrix.squaredNorms()) {
            max = Math.max(max, norm);
        }
        return Math.sqrt(max);
    }
}
