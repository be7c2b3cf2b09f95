package io.divastream.datasets;

import java.util.Locale;
import java.util.Objects;

/**
 * One labelled image of a dataset.
 *
 * @param id stable unique id: the format's prefix and the image's path in the dataset, e.g. {@code
 *     cub/001.Black_footed_Albatross/Black_Footed_Albatross_0001_796111.jpg}
 * @param classId the dataset's own class number (CUB 1..200, CARS 1..196, SOP {@code class_id},
 *     In-Shop the number of {@code item_id}; Omniglot and image folders: 1-based index in sorted
 *     order, see their readers)
 * @param className the class's name, unique within the dataset (used as the event label)
 * @param source where the encoded bytes are
 */
public record DatasetImage(String id, int classId, String className, ImageSource source) {

    /** Validates the fields. */
    public DatasetImage {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("image id must not be blank");
        }
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("class name of " + id + " must not be blank");
        }
        Objects.requireNonNull(source, "source");
    }

    /**
     * The MIME type implied by the id's file extension: {@code image/jpeg}, {@code image/png},
     * {@code image/gif}, {@code image/bmp}, else {@code application/octet-stream}.
     *
     * @return the content type
     */
    public String contentType() {
        String name = id.toLowerCase(Locale.ROOT);
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (name.endsWith(".png")) {
            return "image/png";
        }
        if (name.endsWith(".gif")) {
            return "image/gif";
        }
        if (name.endsWith(".bmp")) {
            return "image/bmp";
        }
        return "application/octet-stream";
    }

    /**
     * Whether a file name has an image extension this package recognises (jpg, jpeg, png, gif, bmp,
     * in any case).
     *
     * @param name the file name or path
     * @return true for an image file name
     */
    public static boolean isImageName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".jpg")
                || lower.endsWith(".jpeg")
                || lower.endsWith(".png")
                || lower.endsWith(".gif")
                || lower.endsWith(".bmp");
    }
}
