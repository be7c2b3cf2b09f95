package io.divastream.offline;

import io.divastream.images.PhotoTransforms;
import io.divastream.images.RgbImage;
import io.divastream.model.train.FeatureViews;
import io.divastream.model.train.TrainingView;
import io.divastream.model.train.ViewAugmenter;
import java.util.random.RandomGenerator;

/**
 * Turns a decoded image into the network's input (a flat C x S x S array): a random training view,
 * or the deterministic evaluation view.
 *
 * @param <T> the in-memory image type
 */
public interface ImagePipeline<T> {

    /**
     * Draws a random training view.
     *
     * @param image the image
     * @param random the source of randomness
     * @return the view in the network's input format
     */
    float[] trainView(T image, RandomGenerator random);

    /**
     * Returns the evaluation view.
     *
     * @param image the image
     * @return the view in the network's input format
     */
    float[] evalView(T image);

    /**
     * Draws the training views of one image that a step needs; by default {@code count} independent
     * calls of {@link #trainView}.
     *
     * @param image the image
     * @param count the number of views
     * @param random the source of randomness
     * @return the views, in order
     */
    default float[][] trainViews(T image, int count, RandomGenerator random) {
        float[][] out = new float[count][];
        for (int v = 0; v < count; v++) {
            out[v] = trainView(image, random);
        }
        return out;
    }

    /**
     * Returns the training views as the trainer draws them.
     *
     * @return a training view that delegates {@link TrainingView#make} to {@link #trainView} and
     *     {@link TrainingView#makeViews} to {@link #trainViews}
     */
    default TrainingView<T> asTrainingView() {
        ImagePipeline<T> pipeline = this;
        return new TrainingView<>() {
            @Override
            public float[] make(T image, RandomGenerator random) {
                return pipeline.trainView(image, random);
            }

            @Override
            public float[][] makeViews(T image, int count, RandomGenerator random) {
                return pipeline.trainViews(image, count, random);
            }
        };
    }

    /**
     * Cached features ({@link FeatureCache}): each image is the array of its precomputed feature
     * views. A training view is one of them drawn uniformly; the views of one step are distinct
     * while the image has enough of them (the two DaNCE views are two different augmentations), drawn
     * with replacement otherwise. The evaluation view is the first (a test image's only view, its
     * center crop).
     *
     * @return the pipeline
     */
    static ImagePipeline<float[][]> cachedFeatures() {
        return new ImagePipeline<>() {
            @Override
            public float[] trainView(float[][] views, RandomGenerator random) {
                return FeatureViews.INSTANCE.make(views, random);
            }

            @Override
            public float[][] trainViews(float[][] views, int count, RandomGenerator random) {
                return FeatureViews.INSTANCE.makeViews(views, count, random);
            }

            @Override
            public float[] evalView(float[][] views) {
                return views[0];
            }
        };
    }

    /**
     * Glyphs decoded at the network's input size: the training view is the glyph augmentation,
     * the evaluation view the glyph itself.
     *
     * @param augmenter the glyph augmentation
     * @param side the glyph side
     * @return the pipeline
     */
    static ImagePipeline<float[]> glyphs(ViewAugmenter augmenter, int side) {
        return new ImagePipeline<>() {
            @Override
            public float[] trainView(float[] image, RandomGenerator random) {
                return augmenter.augment(image, side, random);
            }

            @Override
            public float[] evalView(float[] image) {
                return image;
            }
        };
    }

    /**
     * Photos: RandomResizedCrop and flip for training, resize and center crop for evaluation,
     * each normalised as the backbone expects (DIVA_SPEC section 4.2).
     *
     * @param transforms the backbone's photo transforms
     * @return the pipeline
     */
    static ImagePipeline<RgbImage> photos(PhotoTransforms transforms) {
        return new ImagePipeline<>() {
            @Override
            public float[] trainView(RgbImage image, RandomGenerator random) {
                return transforms.trainView(image, random);
            }

            @Override
            public float[] evalView(RgbImage image) {
                return transforms.evalView(image);
            }
        };
    }
}
