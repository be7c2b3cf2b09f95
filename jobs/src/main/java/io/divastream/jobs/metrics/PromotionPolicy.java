package io.divastream.jobs.metrics;

import java.io.Serializable;

/**
 * When the promotion gate promotes a scored version (options {@code promotion.*}).
 *
 * @param tolerance a version is refused if its held-out Recall@1 is below the promoted version's, on the same images,
 *     by more than this (0 to 1)
 * @param minEvalImages a version is never promoted on fewer held-out images (at least 2)
 */
public record PromotionPolicy(double tolerance, int minEvalImages) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The defaults: a tolerance of 0.01, at least 100 images. */
    public static final PromotionPolicy DEFAULT = new PromotionPolicy(0.01, 100);

    /** Checks the fields. */
    public PromotionPolicy {
        if (!(tolerance >= 0 && tolerance <= 1)) {
            throw new IllegalArgumentException("promotion tolerance must be between 0 and 1, got " + tolerance);
        }
        if (minEvalImages < 2) {
            throw new IllegalArgumentException("promotion needs at least 2 evaluation images, got " + minEvalImages);
        }
    }
}
