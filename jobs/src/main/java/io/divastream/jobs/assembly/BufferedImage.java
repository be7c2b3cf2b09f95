package io.divastream.jobs.assembly;

import java.util.Arrays;
import java.util.Objects;

/**
 * One image in a class's buffer.
 *
 * @param imageId the image id
 * @param pixels the quantised pixels
 */
public record BufferedImage(String imageId, byte[] pixels) {

    /** Checks the fields. */
    public BufferedImage {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(pixels, "pixels");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BufferedImage b && imageId.equals(b.imageId) && Arrays.equals(pixels, b.pixels);
    }

    @Override
    public int hashCode() {
        return imageId.hashCode();
    }
}
