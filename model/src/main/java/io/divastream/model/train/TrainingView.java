package io.divastream.model.train;

import java.util.random.RandomGenerator;

/**
 * Draws one random training view of an image in the network's input format (a flat C x S x S
 * array). The trainer calls it with its own random stream, two views per image.
 *
 * @param <T> the in-memory image type
 */
@FunctionalInterface
public interface TrainingView<T> {

    /**
     * Draws a view.
     *
     * @param image the image
     * @param random the trainer's random stream
     * @return the view
     */
    float[] make(T image, RandomGenerator random);
}
