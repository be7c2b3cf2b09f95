package io.divastream.jobs.assembly;

import java.util.ArrayList;
import java.util.List;

/**
 * The bounded, insertion-ordered buffer of one class's most recent images: adding an image that is
 * already buffered replaces it in place (a redelivered event is not a new image); beyond the
 * capacity the oldest image is evicted.
 */
final class ClassBuffer {

    private ClassBuffer() {}

    /**
     * Adds an image to a buffer.
     *
     * @param buffer the current buffer, oldest first (not modified)
     * @param image the image
     * @param capacity the largest number of images kept
     * @return the new buffer and whether the image was new
     */
    static Result add(List<BufferedImage> buffer, BufferedImage image, int capacity) {
        List<BufferedImage> updated = new ArrayList<>(buffer.size() + 1);
        boolean isNew = true;
        for (BufferedImage existing : buffer) {
            if (existing.imageId().equals(image.imageId())) {
                updated.add(image);
                isNew = false;
            } else {
                updated.add(existing);
            }
        }
        if (isNew) {
            updated.add(image);
        }
        while (updated.size() > capacity) {
            updated.remove(0);
        }
        return new Result(updated, isNew);
    }

    /**
     * A buffer after an addition.
     *
     * @param images the images, oldest first
     * @param added true if the image was not buffered before
     */
    record Result(List<BufferedImage> images, boolean added) {}
}
