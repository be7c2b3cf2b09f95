package io.divastream.jobs.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * One image embedded with one model version.
 *
 * @param imageId the image id
 * @param label the class label
 * @param role train or eval
 * @param modelVersion the model version used
 * @param modelStep the model's optimizer step
 * @param modelImagesSeen training images the trainer had received for that model
 * @param modelCreatedAt when the model version was created, epoch milliseconds
 * @param combined the weighted concatenation of the heads, L2-normalised
 * @param heads each head's L2-normalised embedding, in network order
 * @param eventTime the image event's time
 * @param embeddedAt when it was embedded, epoch milliseconds
 */
public record ImageEmbedding(
        String imageId,
        String label,
        Role role,
        long modelVersion,
        long modelStep,
        long modelImagesSeen,
        long modelCreatedAt,
        float[] combined,
        float[][] heads,
        long eventTime,
        long embeddedAt) {

    /** Checks the fields. */
    public ImageEmbedding {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(combined, "combined");
        Objects.requireNonNull(heads, "heads");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageEmbedding e
                && imageId.equals(e.imageId)
                && label.equals(e.label)
                && role == e.role
                && modelVersion == e.modelVersion
                && modelStep == e.modelStep
                && modelImagesSeen == e.modelImagesSeen
                && modelCreatedAt == e.modelCreatedAt
                && eventTime == e.eventTime
                && embeddedAt == e.embeddedAt
                && Arrays.equals(combined, e.combined)
                && Arrays.deepEquals(heads, e.heads);
    }

    @Override
    public int hashCode() {
        return Objects.hash(imageId, modelVersion);
    }

    @Override
    public String toString() {
        return "ImageEmbedding[" + imageId + ", v" + modelVersion + "]";
    }
}
