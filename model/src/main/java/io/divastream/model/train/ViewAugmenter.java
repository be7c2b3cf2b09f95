package io.divastream.model.train;

import java.util.random.RandomGenerator;

/** Produces one randomly augmented training view of an image. */
@FunctionalInterface
public interface ViewAugmenter {

    /** An augmenter that returns the image unchanged. */
    ViewAugmenter IDENTITY = (image, size, random) -> image;

    /**
     * Augments an image.
     *
     * @param image a row-major single-channel image of side {@code size}
     * @param size the side S
     * @param random the source of randomness
     * @return a new augmented image of the same size (the input is not modified)
     */
    float[] augment(float[] image, int size, RandomGenerator random);
}
