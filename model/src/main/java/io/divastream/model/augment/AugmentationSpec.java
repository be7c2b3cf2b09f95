package io.divastream.model.augment;

import java.io.Serializable;

/**
 * Ranges of the random affine augmentation applied by {@link GlyphAugmenter}; each parameter is drawn
 * uniformly from a symmetric interval.
 *
 * @param maxRotationDeg rotation is drawn from {@code [-maxRotationDeg, maxRotationDeg]} degrees; in
 *     {@code [0, 180]}
 * @param maxScale isotropic scale factor is drawn from {@code [1 - maxScale, 1 + maxScale]}; in
 *     {@code [0, 1)}
 * @param maxTranslatePx horizontal and vertical shifts are drawn independently from
 *     {@code [-maxTranslatePx, maxTranslatePx]} pixels; finite and non-negative
 * @param maxShearDeg horizontal shear angle is drawn from {@code [-maxShearDeg, maxShearDeg]} degrees;
 *     in {@code [0, 60]}
 */
public record AugmentationSpec(double maxRotationDeg, double maxScale, double maxTranslatePx, double maxShearDeg)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Validates the ranges.
     *
     * @param maxRotationDeg maximum absolute rotation in degrees
     * @param maxScale maximum relative scale change
     * @param maxTranslatePx maximum absolute shift in pixels
     * @param maxShearDeg maximum absolute shear angle in degrees
     */
    public AugmentationSpec {
        check("maxRotationDeg", maxRotationDeg, 180.0, true);
        check("maxScale", maxScale, 1.0, false);
        check("maxTranslatePx", maxTranslatePx, Double.MAX_VALUE, true);
        check("maxShearDeg", maxShearDeg, 60.0, true);
    }

    /**
     * A mild default for Omniglot-style glyphs: 10 degrees rotation, 10 % scale, 2 px shift, 5 degrees
     * shear.
     *
     * @return the default ranges
     */
    public static AugmentationSpec omniglotDefault() {
        return new AugmentationSpec(10.0, 0.1, 2.0, 5.0);
    }

    /**
     * No augmentation: every draw is the identity transform.
     *
     * @return all-zero ranges
     */
    public static AugmentationSpec none() {
        return new AugmentationSpec(0.0, 0.0, 0.0, 0.0);
    }

    private static void check(String name, double value, double max, boolean inclusive) {
        boolean ok = value >= 0.0 && (inclusive ? value <= max : value < max) && Double.isFinite(value);
        if (!ok) {
            throw new IllegalArgumentException(
                    name + " must be in [0, " + max + (inclusive ? "]" : ")") + ", got " + value);
        }
    }
}
