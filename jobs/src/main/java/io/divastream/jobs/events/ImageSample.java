package io.divastream.jobs.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * A decoded, validated image event: the image as a quantised single-channel square (0..255 per
 * pixel, row-major), ready for the model.
 *
 * @param imageId the image's id (the Kafka key)
 * @param label the class label
 * @param role whether the class is trained on or held out
 * @param pixels the quantised pixels, side x side
 * @param eventTime the event's time in epoch milliseconds
 */
public record ImageSample(String imageId, String label, Role role, byte[] pixels, long eventTime) {

    /** Checks the fields. */
    public ImageSample {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(pixels, "pixels");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageSample s
                && imageId.equals(s.imageId)
                && label.equals(s.label)
                && role == s.role
                && Arrays.equals(pixels, s.pixels)
                && eventTime == s.eventTime;
    }

    @Override
    public int hashCode() {
        return Objects.hash(imageId, label, role, Arrays.hashCode(pixels), eventTime);
    }

    @Override
    public String toString() {
        return "ImageSample[" + imageId + ", " + label + ", " + role + "]";
    }
}
