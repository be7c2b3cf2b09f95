package io.divastream.jobs.embed;

import io.divastream.jobs.events.ImageSample;
import java.util.Objects;

/**
 * One stored catalogue image (keyed state of the {@link CatalogueEmbedder}, keyed by image id).
 *
 * @param sample the image as it last arrived
 * @param embeddedVersion the model version it was last embedded with, -1 if never
 * @param storedAt processing time of its last arrival, epoch milliseconds (the catalogue TTL
 *     counts from here; re-embedding does not renew it)
 */
public record CatalogueEntry(ImageSample sample, long embeddedVersion, long storedAt) {

    /** Version of an image that was stored before any model arrived. */
    public static final long NOT_EMBEDDED = -1;

    /** Checks the fields. */
    public CatalogueEntry {
        Objects.requireNonNull(sample, "sample");
    }

    /**
     * Returns the same image, embedded with another version.
     *
     * @param version the model version
     * @return the updated entry
     */
    public CatalogueEntry withVersion(long version) {
        return new CatalogueEntry(sample, version, storedAt);
    }
}
