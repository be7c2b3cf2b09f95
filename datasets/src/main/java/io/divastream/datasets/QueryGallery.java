package io.divastream.datasets;

import java.util.Objects;

/**
 * The two halves of a query-to-gallery retrieval test (In-Shop): each query is ranked against the
 * gallery only.
 *
 * @param query the query images
 * @param gallery the gallery images
 */
public record QueryGallery(Dataset query, Dataset gallery) {

    /** Validates the fields. */
    public QueryGallery {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(gallery, "gallery");
    }
}
