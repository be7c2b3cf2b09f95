package io.divastream.connectors.events;

import io.divastream.images.ImageLimits;
import io.divastream.schemas.DeadLetterReason;
import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;

/**
 * The bounds on an image event, enforced where events enter the system (the job's decoder, the
 * producer): a non-blank image id and label of at most so many characters, and the {@link ImageLimits}
 * of its image. Nothing downstream has to cope with an oversize field: ids and labels end up in every
 * embedding record, dead letter and log line.
 *
 * @param maxImageIdChars the longest image id, in characters
 * @param maxLabelChars the longest label, in characters
 * @param image the bounds on the encoded image
 */
public record EventLimits(int maxImageIdChars, int maxLabelChars, ImageLimits image) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** 256 characters. */
    public static final int DEFAULT_IMAGE_ID_CHARS = 256;
    /** 256 characters. */
    public static final int DEFAULT_LABEL_CHARS = 256;

    /** The defaults. */
    public static final EventLimits DEFAULT =
            new EventLimits(DEFAULT_IMAGE_ID_CHARS, DEFAULT_LABEL_CHARS, ImageLimits.DEFAULT);

    /**
     * A field of an event outside the bounds.
     *
     * @param reason the dead-letter reason
     * @param message one line naming the field and the bound (never the oversize text itself)
     */
    public record Violation(DeadLetterReason reason, String message) {}

    /** Validates the bounds. */
    public EventLimits {
        Objects.requireNonNull(image, "image");
        if (maxImageIdChars < 1 || maxLabelChars < 1) {
            throw new IllegalArgumentException(
                    "id and label limits must be positive, got " + maxImageIdChars + " and " + maxLabelChars);
        }
    }

    /**
     * Checks an event's id and label (its image is checked when it is decoded).
     *
     * @param imageId the image id, may be null
     * @param label the label, may be null
     * @return the first violation: an empty or too long id, then an empty or too long label
     */
    public Optional<Violation> check(String imageId, String label) {
        if (imageId == null || imageId.isBlank()) {
            return Optional.of(new Violation(DeadLetterReason.EMPTY_IMAGE_ID, "the image id is empty"));
        }
        if (imageId.length() > maxImageIdChars) {
            return Optional.of(new Violation(
                    DeadLetterReason.IMAGE_ID_TOO_LONG,
                    "the image id has "
                            + imageId.length() + " characters, the limit is " + maxImageIdChars + " (it begins '"
                            + start(imageId) + "')"));
        }
        if (label == null || label.isBlank()) {
            return Optional.of(new Violation(DeadLetterReason.EMPTY_LABEL, "image " + imageId + " has an empty label"));
        }
        if (label.length() > maxLabelChars) {
            return Optional.of(new Violation(
                    DeadLetterReason.LABEL_TOO_LONG,
                    "the label of image " + imageId + " has " + label.length() + " characters, the limit is "
                            + maxLabelChars));
        }
        return Optional.empty();
    }

    /** The first 40 code points of a text. */
    private static String start(String text) {
        int end = 0;
        for (int i = 0; i < 40 && end < text.length(); i++) {
            end = text.offsetByCodePoints(end, 1);
        }
        return text.substring(0, end);
    }
}
