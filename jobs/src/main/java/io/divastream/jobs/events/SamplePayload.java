package io.divastream.jobs.events;

import io.divastream.images.ImageDecoder;
import io.divastream.model.embed.StoredFeatures;

/**
 * What an {@link ImageSample} carries for the model: a glyph's quantised pixels, or the stored features of a
 * photo's views computed by a frozen backbone (docs/photos.md).
 */
public enum SamplePayload {
    /** Grayscale pixels at the network's input size, one byte each ({@link ImageDecoder#toBytes}). */
    GLYPH_PIXELS,
    /** The frozen backbone's features of the evaluation view and of the training views ({@link StoredFeatures}). */
    STORED_FEATURES;

    /**
     * The network's input for embedding a sample: the glyph's pixels, or the evaluation view's features.
     *
     * @param payload the sample's payload
     * @return the input
     */
    public float[] evaluationInput(byte[] payload) {
        return this == GLYPH_PIXELS
                ? ImageDecoder.fromBytes(payload)
                : StoredFeatures.fromBytes(payload).evaluation();
    }

    /**
     * The training views of a sample with stored features.
     *
     * @param payload the sample's payload
     * @return one feature vector per training view
     * @throws IllegalStateException for glyph pixels, whose views the trainer draws itself
     */
    public float[][] trainingViews(byte[] payload) {
        if (this != STORED_FEATURES) {
            throw new IllegalStateException("glyph pixels have no stored training views");
        }
        return StoredFeatures.fromBytes(payload).training();
    }
}
