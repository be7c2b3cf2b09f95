package io.divastream.images;

import java.io.Serializable;

/**
 * Shape of the model input produced by {@link ImageDecoder}.
 *
 * @param size side of the square output image in pixels, in {@code [1, MAX_SIZE]}
 * @param invert whether to map dark to 1 and light to 0 (ink on paper, e.g. Omniglot, becomes 1.0 on a
 *     0.0 background); without it, black is 0 and white is 1
 */
public record ImageSpec(int size, boolean invert) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Largest accepted output side. */
    public static final int MAX_SIZE = 1024;

    /**
     * Validates the spec.
     *
     * @param size output side in pixels
     * @param invert whether dark maps to 1
     */
    public ImageSpec {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be in [1, " + MAX_SIZE + "], got " + size);
        }
    }

    /**
     * The usual Omniglot input: 28 x 28, inverted so that ink is 1.
     *
     * @return {@code new ImageSpec(28, true)}
     */
    public static ImageSpec omniglot() {
        return new ImageSpec(28, true);
    }
}
