package io.divastream.images;

import io.divastream.model.Fnv1a;
import io.divastream.model.embed.FeatureExtractor;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The frozen-backbone path of a photo: decodes it within the limits, makes its evaluation view and a number of
 * random training views with the backbone's transforms, and runs the backbone once over all of them. The training
 * views of an image depend only on the seed and the image id, so a replayed event yields the same features. Not
 * thread-safe (one per operator subtask); close it to release the backbone.
 */
public final class PhotoFeatureExtractor implements AutoCloseable {

    private final FeatureExtractor extractor;
    private final PhotoTransforms transforms;
    private final ImageLimits limits;
    private final int trainingViews;
    private final long seed;

    /**
     * Loads the backbone.
     *
     * @param backbone the frozen backbone (its input spec gives the transforms)
     * @param limits the bounds on a photo
     * @param trainingViews the random training views per image (0 for images that are only embedded)
     * @param seed the seed of the training views
     */
    public PhotoFeatureExtractor(BackboneSpec backbone, ImageLimits limits, int trainingViews, long seed) {
        if (trainingViews < 0 || trainingViews > StoredFeatures.MAX_VIEWS) {
            throw new IllegalArgumentException(
                    "training views must be 0 to " + StoredFeatures.MAX_VIEWS + ", got " + trainingViews);
        }
        this.transforms = new PhotoTransforms(backbone.input());
        this.limits = Objects.requireNonNull(limits, "limits");
        this.trainingViews = trainingViews;
        this.seed = seed;
        this.extractor = new FeatureExtractor(backbone);
    }

    /**
     * Decodes a photo and computes the features of its evaluation view.
     *
     * @param encoded the encoded photo
     * @return the features, without training views
     * @throws InvalidImageException if the photo cannot be decoded within the limits
     */
    public StoredFeatures evaluation(byte[] encoded) {
        RgbImage image = PhotoDecoder.decode(encoded, limits);
        return new StoredFeatures(extractor.features(new float[][] {transforms.evalView(image)})[0], new float[0][]);
    }

    /**
     * Decodes a photo and computes the features of its training views only (the trainer needs no evaluation
     * view; the embedders compute it).
     *
     * @param imageId the image's id (seeds its training views)
     * @param encoded the encoded photo
     * @return the features, without an evaluation view
     * @throws InvalidImageException if the photo cannot be decoded within the limits
     * @throws IllegalStateException if this extractor makes no training views
     */
    public StoredFeatures training(String imageId, byte[] encoded) {
        if (trainingViews == 0) {
            throw new IllegalStateException("this extractor makes no training views");
        }
        RgbImage image = PhotoDecoder.decode(encoded, limits);
        float[][] inputs = new float[trainingViews][];
        SplittableRandom random = new SplittableRandom(viewSeed(seed, imageId));
        for (int v = 0; v < trainingViews; v++) {
            inputs[v] = transforms.trainView(image, random);
        }
        return StoredFeatures.trainingOnly(extractor.features(inputs));
    }

    /** The seed of an image's training views: the run's seed and the image id, mixed (64-bit FNV-1a of the id). */
    static long viewSeed(long seed, String imageId) {
        return seed * 0x9E3779B97F4A7C15L ^ Fnv1a.of(imageId);
    }

    @Override
    public void close() {
        extractor.close();
    }
}
