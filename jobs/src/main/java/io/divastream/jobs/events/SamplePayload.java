package io.divastream.jobs.events;

import io.divastream.images.EncodedPhotoViews;
import io.divastream.images.ImageDecoder;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.InputSpec;

/**
 * What an {@link ImageSample} carries for the model: a glyph's quantised pixels, the stored features of a photo's
 * views computed by a frozen backbone, or a photo's encoded bytes for a network trained whole (docs/photos.md).
 */
public enum SamplePayload {
    /** Grayscale pixels at the network's input size, one byte each ({@link ImageDecoder#toBytes}). */
    GLYPH_PIXELS,
    /** The frozen backbone's features of the evaluation view and of the training views ({@link StoredFeatures}). */
    STORED_FEATURES,
    /** A photo's encoded bytes as the decoders accepted them (the {@code finetune} mode; {@link EncodedPhotoViews}). */
    ENCODED_PHOTO;

    /**
     * The network's input for embedding a sample: the glyph's pixels, or the evaluation view's features, or the
     * evaluation view of an encoded photo.
     *
     * @param payload the sample's payload
     * @param input the network's input spec (used for encoded photos)
     * @return the input
     * @throws IllegalStateException for the stored features of a training sample, which hold training views only
     */
    public float[] evaluationInput(byte[] payload, InputSpec input) {
        if (this == GLYPH_PIXELS) {
            return ImageDecoder.fromBytes(payload);
        }
        if (this == ENCODED_PHOTO) {
            return new EncodedPhotoViews(input).evaluation(payload);
        }
        StoredFeatures features = StoredFeatures.fromBytes(payload);
        if (!features.hasEvaluation()) {
            throw new IllegalStateException("a training sample's stored features have no evaluation view");
        }
        return features.evaluation();
    }

    /**
     * The training views of a sample with stored features.
     *
     * @param payload the sample's payload
     * @return one feature vector per training view
     * @throws IllegalStateException for glyph pixels and encoded photos, whose views the trainer draws itself
     */
    public float[][] trainingViews(byte[] payload) {
        if (this != STORED_FEATURES) {
            throw new IllegalStateException("glyph pixels have no stored training views");
        }
        return StoredFeatures.fromBytes(payload).training();
    }
}
