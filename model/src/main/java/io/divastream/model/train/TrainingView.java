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

    /**
     * Draws the views of one image that a step needs (two for a training step, one for a queue key).
     * By default these are {@code count} independent calls of {@link #make}; a source with a fixed set
     * of views per image (cached features) overrides it to draw distinct ones.
     *
     * @param image the image
     * @param count the number of views
     * @param random the trainer's random stream
     * @return the views, in order (view A first)
     */
    default float[][] makeViews(T image, int count, RandomGenerator random) {
        float[][] out = new float[count][];
        for (int v = 0; v < count; v++) {
            out[v] = make(image, random);
        }
        return out;
    }
}
