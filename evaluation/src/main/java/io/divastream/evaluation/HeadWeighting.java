package io.divastream.evaluation;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A named weighting of the head embeddings for the evaluated concatenation (DIVA_SPEC section 1.5):
 * each unit-length head embedding is multiplied by its weight, the heads are concatenated, and the
 * result is re-normalised ({@link EmbeddingCombiner}). Weights are in head order [disc, ssl, shared,
 * intra] for DiVA.
 *
 * <p>Because every head block is unit length, the cosine similarity of two combined embeddings is
 * {@code sum_k w_k^2 cos_k / sum_k w_k^2}: head k carries the share {@link #share(int)} of it. The
 * name is the weights joined by '-', as the original code logs them (e.g. {@code 0.5-1-1-1}).
 *
 * @param name the display name
 * @param weights the non-negative finite weights, not all zero (the accessor returns a copy)
 */
public record HeadWeighting(String name, double[] weights) {

    /** The weightings the original code evaluates on CUB200 and CARS196 (no equal weighting). */
    public static final List<HeadWeighting> CUB_CARS_PRESETS =
            List.of(of(0.75, 1.25, 1.25, 1.25), of(0.5, 1, 1, 1), of(0.5, 1.5, 1.5, 1.5));

    /** The weightings the original code evaluates on Stanford Online Products. */
    public static final List<HeadWeighting> SOP_PRESETS =
            List.of(of(1, 1, 1, 1), of(0.5, 1, 1, 1), of(1, 0.5, 0.5, 0.5), of(1.5, 1, 1, 1));

    /**
     * Validates and copies the weights.
     *
     * @param name the display name, not blank
     * @param weights the weights
     */
    public HeadWeighting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(weights, "weights");
        if (name.isBlank()) {
            throw new IllegalArgumentException("head weighting name must not be blank");
        }
        if (weights.length == 0) {
            throw new IllegalArgumentException("head weighting '" + name + "' has no weights");
        }
        boolean anyPositive = false;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException(
                        "head weighting '" + name + "': weights must be finite and >= 0, got " + w);
            }
            anyPositive |= w > 0;
        }
        if (!anyPositive) {
            throw new IllegalArgumentException("head weighting '" + name + "': all weights are zero");
        }
        weights = weights.clone();
    }

    /**
     * A weighting named after its weights.
     *
     * @param weights the weights, in head order
     * @return the weighting, e.g. named {@code 0.75-1.25-1.25-1.25}
     */
    public static HeadWeighting of(double... weights) {
        Objects.requireNonNull(weights, "weights");
        return new HeadWeighting(
                Arrays.stream(weights).mapToObj(HeadWeighting::format).collect(Collectors.joining("-")), weights);
    }

    /**
     * Equal weights, the default (and the recommended reference weighting).
     *
     * @param heads the number of heads
     * @return weights 1 for every head
     */
    public static HeadWeighting equal(int heads) {
        if (heads < 1) {
            throw new IllegalArgumentException("need at least one head, got " + heads);
        }
        double[] w = new double[heads];
        Arrays.fill(w, 1.0);
        return of(w);
    }

    /**
     * Parses comma-separated weights, e.g. {@code "0.5,1,1,1"} (blanks around numbers are ignored).
     *
     * @param text the weights
     * @return the weighting named after them
     * @throws IllegalArgumentException naming the text and the bad entry
     */
    public static HeadWeighting parse(String text) {
        Objects.requireNonNull(text, "head weighting text");
        String[] parts = text.split(",", -1);
        double[] w = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                w[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "head weighting '" + text + "': entry " + (i + 1) + " ('" + parts[i].trim()
                                + "') is not a number",
                        e);
            }
        }
        try {
            return of(w);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("head weighting '" + text + "': " + e.getMessage(), e);
        }
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    public int heads() {
        return weights.length;
    }

    /**
     * The share of head {@code h} in the combined cosine similarity, {@code w_h^2 / sum_k w_k^2}.
     *
     * @param h the head index
     * @return the share in [0, 1]
     */
    public double share(int h) {
        double total = 0;
        for (double w : weights) {
            total += w * w;
        }
        return weights[h] * weights[h] / total;
    }

    /**
     * Combines head embeddings with these weights ({@link EmbeddingCombiner#combine}).
     *
     * @param heads {@link #heads()} matrices of {@code n x d_h}, rows unit length
     * @return the {@code n x sum d_h} unit-length combined embeddings
     */
    public float[][] combine(float[][][] heads) {
        if (heads.length != weights.length) {
            throw new IllegalArgumentException(
                    "head weighting '" + name + "' has " + weights.length + " weights but " + heads.length + " heads");
        }
        return EmbeddingCombiner.combine(heads, weights);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HeadWeighting h && name.equals(h.name) && Arrays.equals(weights, h.weights);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        return name;
    }

    private static String format(double w) {
        return Double.isFinite(w) ? BigDecimal.valueOf(w).stripTrailingZeros().toPlainString() : Double.toString(w);
    }
}
