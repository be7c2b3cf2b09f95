package io.divastream.producer;

import io.divastream.datasets.DatasetException;
import io.divastream.datasets.DatasetImage;
import java.io.IOException;
import java.util.Objects;

/**
 * An image of a dataset with the label it is published under; its bytes are read only when it is
 * published, so a large dataset need not fit in memory.
 *
 * @param image the dataset image
 * @param label the event label, e.g. the class name, optionally prefixed by the split role
 */
public record LabeledSource(DatasetImage image, String label) {

    /** Validates the fields. */
    public LabeledSource {
        Objects.requireNonNull(image, "image");
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("label of " + image.id() + " must not be blank");
        }
    }

    /**
     * Reads the image's bytes.
     *
     * @return the labelled image: id, label, content type from the file extension, the encoded
     *     bytes as they are, and the image's origin (archive or dataset folder name) as source
     * @throws DatasetException naming the image's location if it cannot be read
     */
    public LabeledImage read() {
        return read(Long.MAX_VALUE);
    }

    /**
     * Reads the image's bytes if the file is not larger than a bound (checked before reading).
     *
     * @param maxBytes the largest file read
     * @return the labelled image, as {@link #read()}
     * @throws SkippedImageException if the file is larger
     * @throws DatasetException naming the image's location if it cannot be read
     */
    public LabeledImage read(long maxBytes) {
        byte[] bytes;
        try {
            long size = image.source().size();
            if (size > maxBytes) {
                throw new SkippedImageException(
                        "over limits.image-bytes",
                        image.source().location() + " has " + size + " bytes, the limit is " + maxBytes);
            }
            bytes = image.source().read();
        } catch (IOException e) {
            throw new DatasetException("cannot read image " + image.source().location() + ": " + e.getMessage(), e);
        }
        return new LabeledImage(
                image.id(), label, image.contentType(), bytes, image.source().origin());
    }
}
