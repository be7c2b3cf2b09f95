package io.divastream.jobs.metrics;

import io.divastream.jobs.events.ImageEmbedding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latest embedding of each image of one evaluation set, sorted by image id (so the scored rows,
 * and with them k-means' input order, do not depend on arrival order), with the number of images per
 * model version to tell when every image carries a version. Not thread-safe.
 */
final class EmbeddingTable {

    private final TreeMap<String, ImageEmbedding> latest = new TreeMap<>();
    private final Map<Long, Integer> imagesPerVersion = new HashMap<>();
    private long newestVersion = -1;

    /**
     * Stores an embedding unless the table holds a newer one of the same image.
     *
     * @param e the embedding
     * @return whether it was stored
     */
    boolean put(ImageEmbedding e) {
        ImageEmbedding previous = latest.get(e.imageId());
        if (previous != null && previous.modelVersion() > e.modelVersion()) {
            return false;
        }
        if (previous != null) {
            count(previous.modelVersion(), -1);
        }
        latest.put(e.imageId(), e);
        count(e.modelVersion(), 1);
        newestVersion = Math.max(newestVersion, e.modelVersion());
        return true;
    }

    /**
     * Removes an image.
     *
     * @param imageId the image id
     */
    void remove(String imageId) {
        ImageEmbedding previous = latest.remove(imageId);
        if (previous != null) {
            count(previous.modelVersion(), -1);
        }
    }

    private void count(long version, int delta) {
        if (imagesPerVersion.merge(version, delta, Integer::sum) == 0) {
            imagesPerVersion.remove(version);
        }
    }

    /**
     * Returns the stored embedding of an image.
     *
     * @param imageId the image id
     * @return the embedding, or null
     */
    ImageEmbedding get(String imageId) {
        return latest.get(imageId);
    }

    /**
     * Whether the table is not empty and every image carries the version.
     *
     * @param version a model version
     * @return whether all images carry it
     */
    boolean completeAt(long version) {
        return !latest.isEmpty() && imagesPerVersion.getOrDefault(version, 0) == latest.size();
    }

    /**
     * Whether an image of the table carries a version newer than the given one (the table can then never
     * be complete at it: versions only move forward).
     *
     * @param version a model version
     * @return whether a newer version is stored
     */
    boolean hasNewerThan(long version) {
        return imagesPerVersion.keySet().stream().anyMatch(v -> v > version);
    }

    /**
     * The newest version ever stored (also of images removed since), -1 before the first.
     *
     * @return the version
     */
    long newestVersion() {
        return newestVersion;
    }

    /**
     * The number of images.
     *
     * @return the size
     */
    int size() {
        return latest.size();
    }

    /**
     * The embeddings, ascending by image id.
     *
     * @return a copy
     */
    List<ImageEmbedding> rows() {
        return new ArrayList<>(latest.values());
    }

    /**
     * The embeddings, ascending by image id, as a view.
     *
     * @return the view
     */
    Collection<ImageEmbedding> view() {
        return latest.values();
    }
}
