package io.divastream.model.augment;

import java.io.Serializable;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Random affine augmentation of square grayscale glyph images (values in [0, 1], background 0) for
 * training views.
 *
 * <p>{@link #sample(RandomGenerator)} draws rotation, scale, x shift, y shift and shear, in that order,
 * each uniform over the symmetric range of the {@link AugmentationSpec} (always five draws, so a shared
 * generator advances the same way whatever the spec). {@link #transform(float[], int, AffineParams)}
 * applies a transform by inverse mapping with bilinear interpolation, treating pixels outside the image
 * as 0, and clamps the result to [0, 1]. The same generator state gives the same output. Instances are
 * immutable and thread-safe (generators are passed per call and are not thread-safe themselves).
 */
public final class GlyphAugmenter implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Parameter ranges. */
    private final AugmentationSpec spec;

    /**
     * Creates an augmenter.
     *
     * @param spec parameter ranges
     */
    public GlyphAugmenter(AugmentationSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    public AugmentationSpec spec() {
        return spec;
    }

    /**
     * Draws one random transform.
     *
     * @param random source of randomness, e.g. {@link java.util.Random} or {@link java.util.SplittableRandom}
     * @return parameters within the spec's ranges
     */
    public AffineParams sample(RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        double rotation = symmetric(random, spec.maxRotationDeg());
        double scale = 1.0 + symmetric(random, spec.maxScale());
        double dx = symmetric(random, spec.maxTranslatePx());
        double dy = symmetric(random, spec.maxTranslatePx());
        double shear = symmetric(random, spec.maxShearDeg());
        return new AffineParams(rotation, scale, dx, dy, shear);
    }

    /**
     * Applies a random transform to an image.
     *
     * @param image {@code size * size} values, row-major; not modified
     * @param size side of the square image
     * @param random source of randomness
     * @return a new augmented image
     */
    public float[] augment(float[] image, int size, RandomGenerator random) {
        return transform(image, size, sample(random));
    }

    /**
     * Applies an explicit transform (see {@link AffineParams} for its definition).
     *
     * @param image {@code size * size} values, row-major; not modified
     * @param size side of the square image, at least 1
     * @param params the transform
     * @return a new image with values clamped to [0, 1]
     */
    public static float[] transform(float[] image, int size, AffineParams params) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(params, "params");
        if (size < 1 || image.length != size * size) {
            throw new IllegalArgumentException(
                    "image has " + image.length + " values, expected size * size with size = " + size);
        }
        double theta = Math.toRadians(params.rotationDeg());
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        double tan = Math.tan(Math.toRadians(params.shearDeg()));
        double invScale = 1.0 / params.scale();
        // inverse of R * H * s with R = [[cos, sin], [-sin, cos]] and H = [[1, tan], [0, 1]]
        double m00 = invScale * (cos - tan * sin);
        double m01 = invScale * (-sin - tan * cos);
        double m10 = invScale * sin;
        double m11 = invScale * cos;
        double centre = (size - 1) / 2.0;
        float[] out = new float[image.length];
        for (int y = 0; y < size; y++) {
            double v = y - centre - params.translateY();
            for (int x = 0; x < size; x++) {
                double u = x - centre - params.translateX();
                double sx = centre + m00 * u + m01 * v;
                double sy = centre + m10 * u + m11 * v;
                out[y * size + x] = sample(image, size, sx, sy);
            }
        }
        return out;
    }

    /** Bilinear interpolation with zero outside the image, clamped to [0, 1]. */
    private static float sample(float[] image, int size, double sx, double sy) {
        double fx0 = Math.floor(sx);
        double fy0 = Math.floor(sy);
        if (fx0 < -1 || fy0 < -1 || fx0 >= size || fy0 >= size) {
            return 0f;
        }
        int x0 = (int) fx0;
        int y0 = (int) fy0;
        double fx = sx - fx0;
        double fy = sy - fy0;
        double top = (1.0 - fx) * pixel(image, size, x0, y0) + fx * pixel(image, size, x0 + 1, y0);
        double bottom = (1.0 - fx) * pixel(image, size, x0, y0 + 1) + fx * pixel(image, size, x0 + 1, y0 + 1);
        double value = (1.0 - fy) * top + fy * bottom;
        return (float) Math.min(1.0, Math.max(0.0, value));
    }

    private static float pixel(float[] image, int size, int x, int y) {
        return x < 0 || y < 0 || x >= size || y >= size ? 0f : image[y * size + x];
    }

    private static double symmetric(RandomGenerator random, double max) {
        return (2.0 * random.nextDouble() - 1.0) * max;
    }
}
