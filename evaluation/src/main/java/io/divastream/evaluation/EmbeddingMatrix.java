package io.divastream.evaluation;

import java.util.Arrays;
import java.util.Objects;

/**
 * Validated, row-major double-precision copy of an {@code n x d} embedding matrix, with the squared
 * norm of every row. Package-private helper shared by the metric classes.
 */
final class EmbeddingMatrix {

    private final int rows;
    private final int dim;
    private final double[] values;
    private final double[] squaredNorms;

    private EmbeddingMatrix(int rows, int dim, double[] values) {
        this.rows = rows;
        this.dim = dim;
        this.values = values;
        this.squaredNorms = new double[rows];
        for (int i = 0; i < rows; i++) {
            squaredNorms[i] = dot(values, i * dim, values, i * dim, dim);
        }
    }

    /**
     * Copies and validates the embeddings: at least one row, all rows of the same non-zero length,
     * all values finite.
     */
    static EmbeddingMatrix of(float[][] embeddings) {
        Objects.requireNonNull(embeddings, "embeddings");
        if (embeddings.length == 0) {
            throw new IllegalArgumentException("embeddings must have at least one row");
        }
        Objects.requireNonNull(embeddings[0], "embeddings[0]");
        int d = embeddings[0].length;
        if (d == 0) {
            throw new IllegalArgumentException("embeddings must have at least one column");
        }
        double[] flat = new double[Math.multiplyExact(embeddings.length, d)];
        for (int i = 0; i < embeddings.length; i++) {
            float[] row = Objects.requireNonNull(embeddings[i], "embeddings row");
            if (row.length != d) {
                throw new IllegalArgumentException(
                        "embedding row " + i + " has length " + row.length + ", expected " + d);
            }
            for (int j = 0; j < d; j++) {
                float v = row[j];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("embedding[" + i + "][" + j + "] is not finite: " + v);
                }
                flat[i * d + j] = v;
            }
        }
        return new EmbeddingMatrix(embeddings.length, d, flat);
    }

    /**
     * Wraps row-major values (not copied, not validated), e.g. k-means centroids.
     */
    static EmbeddingMatrix ofValues(double[] values, int rows, int dim) {
        if (values.length != (long) rows * dim) {
            throw new IllegalArgumentException(values.length + " values for " + rows + " x " + dim);
        }
        return new EmbeddingMatrix(rows, dim, values);
    }

    /**
     * Concatenates the rows of two matrices of the same dimension.
     */
    static EmbeddingMatrix concat(EmbeddingMatrix a, EmbeddingMatrix b) {
        if (a.dim != b.dim) {
            throw new IllegalArgumentException("dimensions differ: " + a.dim + " vs " + b.dim);
        }
        double[] values = Arrays.copyOf(a.values, a.values.length + b.values.length);
        System.arraycopy(b.values, 0, values, a.values.length, b.values.length);
        return new EmbeddingMatrix(a.rows + b.rows, a.dim, values);
    }

    /**
     * Sequential dot product; every distance in this package is built from it so that exact duplicates
     * produce exactly equal (and zero) squared distances.
     */
    static double dot(double[] a, int aOffset, double[] b, int bOffset, int length) {
        double s = 0.0;
        for (int t = 0; t < length; t++) {
            s += a[aOffset + t] * b[bOffset + t];
        }
        return s;
    }

    int rows() {
        return rows;
    }

    int dim() {
        return dim;
    }

    double[] values() {
        return values;
    }

    double[] squaredNorms() {
        return squaredNorms;
    }
}
