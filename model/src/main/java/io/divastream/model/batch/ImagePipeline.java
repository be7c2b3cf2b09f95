package io.divastream.model.batch;

import io.divastream.model.image.PhotoTransforms;
import io.divastream.model.image.RgbImage;
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
