package io.divastream.jobs.events;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A class-balanced training batch of P classes times K images, assembled from the per-class
 * buffers.
 *
 * @param sequence the assembling subtask's batch counter
 * @param labels the label of each image
 * @param imageIds the id of each image
 * @param pixels each image's quantised pixels
 * @param newImages training images buffered for the first time by the assembling subtask since its
 *     previous batch
 */
public record TrainingBatch(long sequence, String[] labels, String[] imageIds, byte[][] pixels, int newImages) {

    /** Checks that the arrays match. */
    public TrainingBatch {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(imageIds, "imageIds");
        Objects.requireNonNull(pixels, "pixels");
        if (labels.length != imageIds.length || labels.length != pixels.length) {
            throw new IllegalArgumentException("batch arrays differ in length");
        }
    }

    public int size() {
        return labels.length;
    }

    /**
     * Returns the number of distinct classes.
     *
     * @return P
     */
    public int classCount() {
        return new HashSet<>(Arrays.asList(labels)).size();
    }

    /**
     * Returns the distinct image ids.
     *
     * @return the set of ids
     */
    public Set<String> distinctImageIds() {
        return new HashSet<>(Arrays.asList(imageIds));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingBatch b
                && sequence == b.sequence
                && newImages == b.newImages
                && Arrays.equals(labels, b.labels)
                && Arrays.equals(imageIds, b.imageIds)
                && Arrays.deepEquals(pixels, b.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, newImages, Arrays.hashCode(labels), Arrays.hashCode(imageIds));
    }

    @Override
    public String toString() {
        return "TrainingBatch[" + sequence + ", " + labels.length + " images, " + newImages + " new]";
    }
}
