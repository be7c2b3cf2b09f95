package io.divastream.model.train;

import java.util.List;

/**
 * One class-balanced training batch: P classes times K images, as plain Java values.
 *
 * @param labels the class label of each image
 * @param images each image as a row-major, single-channel float array of side S, values in [0, 1]
 */
public record LabeledBatch(List<String> labels, float[][] images) {

    /** Checks that labels and images match. */
    public LabeledBatch {
        labels = List.copyOf(labels);
        if (labels.size() != images.length) {
            throw new IllegalArgumentException(labels.size() + " labels but " + images.length + " images");
        }
        if (images.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one image");
        }
    }

    public int size() {
        return images.length;
    }
}
