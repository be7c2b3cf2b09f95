package io.divastream.evaluation;

import java.util.Objects;

/**
 * Weighted concatenation of per-head embeddings into one retrieval embedding, as used to evaluate a
 * multi-head (DiVA) model: row {@code i} of the result is {@code concat_h(w_h * e_h[i])}, scaled to unit
 * length.
 *
 * <p>If every head row is unit length, the cosine similarity of two combined rows equals
 * {@code sum_h w_h^2 cos_h / sum_h w_h^2}, a weighted mean of the per-head cosines; head rows are used as
 * given, not re-normalised. A combined row of norm zero is returned as zeros. Stateless.
 */
public final class EmbeddingCombiner {

    private EmbeddingCombiner() {}

    /**
     * Scales each row to unit length (a zero row stays zero): one head of weight 1, e.g. a backbone's pooled
     * features used directly as the embedding.
     *
     * @param rows {@code n x d} matrix
     * @return {@code n x d} matrix of unit-length rows
     */
    public static float[][] unitRows(float[][] rows) {
        return combine(new float[][][] {rows}, new double[] {1});
    }

    /**
     * Combines heads with the given weights.
     *
     * @param heads {@code h} matrices of {@code n x d_h} (same {@code n}, per-head dimensions may differ)
     * @param weights {@code h} finite weights, not all zero
     * @return {@code n x sum_h d_h} matrix of unit-length rows
     * @throws IllegalArgumentException on mismatched shapes or invalid weights
     */
    public static float[][] combine(float[][][] heads, double[] weights) {
        Objects.requireNonNull(heads, "heads");
        Objects.requireNonNull(weights, "weights");
        if (heads.length == 0) {
            throw new IllegalArgumentException("need at least one head");
        }
        if (heads.length != weights.length) {
            throw new IllegalArgumentException(heads.length + " heads but " + weights.length + " weights");
        }
        boolean anyNonZero = false;
        for (double w : weights) {
            if (!Double.isFinite(w)) {
                throw new IllegalArgumentException("weights must be finite, got " + w);
            }
            anyNonZero |= w != 0.0;
        }
        if (!anyNonZero) {
            throw new IllegalArgumentException("at least one weight must be non-zero");
        }
        int n = Objects.requireNonNull(heads[0], "head 0").length;
        int[] dims = new int[heads.length];
        int total = 0;
        for (int h = 0; h < heads.length; h++) {
            float[][] head = Objects.requireNonNull(heads[h], "head");
            if (head.length != n) {
                throw new IllegalArgumentException("head " + h + " has " + head.length + " rows, expected " + n);
            }
            dims[h] = n == 0 ? 0 : Objects.requireNonNull(head[0], "head row").length;
            total += dims[h];
        }
        float[][] combined = new float[n][total];
        double[] row = new double[total];
        for (int i = 0; i < n; i++) {
            int offset = 0;
            double squaredNorm = 0.0;
            for (int h = 0; h < heads.length; h++) {
                float[] source = Objects.requireNonNull(heads[h][i], "head row");
                if (source.length != dims[h]) {
                    throw new IllegalArgumentException(
                            "head " + h + " row " + i + " has length " + source.length + ", expected " + dims[h]);
                }
                for (int t = 0; t < dims[h]; t++) {
                    double v = weights[h] * source[t];
                    row[offset + t] = v;
                    squaredNorm += v * v;
                }
                offset += dims[h];
            }
            double scale = squaredNorm > 0.0 ? 1.0 / Math.sqrt(squaredNorm) : 0.0;
            for (int t = 0; t < total; t++) {
                combined[i][t] = (float) (row[t] * scale);
            }
        }
        return combined;
    }
}
