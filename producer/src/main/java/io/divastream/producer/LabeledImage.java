package io.divastream.producer;

import java.util.Arrays;
import java.util.Objects;

/**
 * One labelled image file of a dataset.
 *
 * <p>{@code equals} and {@code hashCode} compare the bytes by content; the accessor does not copy
 * the array, so treat it as read-only.
 *
 * @param imageId stable unique id, e.g. {@code omniglot/Korean/character07/0512_03.png}
 * @param label class label, e.g. {@code Korean/character07}
 * @param contentType MIME type of the bytes, e.g. {@code image/png}
 * @param bytes the encoded image file
 * @param source where the image came from, e.g. the dataset file name
 */
public record LabeledImage(String imageId, String label, String contentType, byte[] bytes, String source) {

    /** Validates the arguments. */
    public LabeledImage {
        requireNonBlank(imageId, "imageId");
        requireNonBlank(label, "label");
        requireNonBlank(contentType, "contentType");
        Objects.requireNonNull(bytes, "bytes");
        requireNonBlank(source, "source");
    }

    private static void requireNonBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof LabeledImage other
                && imageId.equals(other.imageId)
                && label.equals(other.label)
                && contentType.equals(other.contentType)
                && Arrays.equals(bytes, other.bytes)
                && source.equals(other.source);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(imageId, label, contentType, source) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "LabeledImage["
                + imageId
                + ", label="
                + label
                + ", "
                + contentType
                + ", "
                + bytes.length
                + " bytes, source="
                + source
                + "]";
    }
}
