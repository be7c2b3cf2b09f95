package io.divastream.model.train;

import ai.djl.ndarray.types.Shape;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.net.DivaNetwork;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training views of a batch (DIVA_SPEC section 2.4): independently augmented copies of every
 * image, each set of views packed as one flat (B, C, S, S) array in the network's input format,
 * drawn from the step's own random stream ({@link RandomStreams}).
 */
final class TrainingViews {

    private final NetworkSpec spec;
    private final long seed;
    private final ViewAugmenter augmenter;

    /**
     * Creates the views of a network.
     *
     * @param spec the network (its input format)
     * @param seed the model seed
     * @param augmenter the glyph augmentation
     */
    TrainingViews(NetworkSpec spec, long seed, ViewAugmenter augmenter) {
        this.spec = spec;
        this.seed = seed;
        this.augmenter = augmenter;
    }

    /** The glyph augmentation as a training view. */
    TrainingView<float[]> glyph() {
        return (image, r) -> augmenter.augment(image, spec.inputSize(), r);
    }

    /** The stream of a step's training views. */
    SplittableRandom streamOf(long step) {
        return RandomStreams.of(seed, RandomStreams.Purpose.VIEWS, step, 0);
    }

    /** The input shape of {@code b} images. */
    Shape shape(int b) {
        return DivaNetwork.inputShape(spec, b);
    }

    /**
     * Draws {@code count} views of every image from {@code random} (for each image in turn, its
     * views in order, by {@link TrainingView#makeViews}), each set as one flat (B, C, S, S) array.
     *
     * @throws IllegalArgumentException if a view is not of the network's input size
     */
    <T> float[][] draw(List<T> images, TrainingView<T> view, int count, SplittableRandom random) {
        int size = (int) shape(1).size();
        float[][] out = new float[count][images.size() * size];
        for (int i = 0; i < images.size(); i++) {
            float[][] made = view.makeViews(images.get(i), count, random);
            for (int v = 0; v < count; v++) {
                float[] x = made[v];
                if (x.length != size) {
                    throw new IllegalArgumentException(
                            "a view of image " + i + " has " + x.length + " values, expected " + size);
                }
                System.arraycopy(x, 0, out[v], i * size, size);
            }
        }
        return out;
    }

    /**
     * Checks that a flat view holds {@code b} images.
     *
     * @throws IllegalArgumentException if it does not
     */
    void checkSize(float[] view, int b) {
        long expected = shape(b).size();
        if (view.length != expected) {
            throw new IllegalArgumentException(
                    "a view of " + b + " images must have " + expected + " values, got " + view.length);
        }
    }
}
