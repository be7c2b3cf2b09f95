package io.divastream.jobs.metrics;

import io.divastream.jobs.events.ImageEmbedding;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The bounded sample of training images on which seen-class retrieval is scored: of all training classes
 * received so far, the {@code classLimit} with the smallest {@link StableHash} of the label, and of each the
 * {@code perClass} images with the smallest hash of the image id (a bottom-k sketch on both levels). The
 * sample is therefore a fixed function of the set of training images received, whatever their order, and a
 * class or image that leaves it never returns (those before it stay). Holds the latest embedding of each
 * sampled image in an {@link EmbeddingTable}. Not thread-safe.
 */
final class SeenSample {

    private final int perClass;
    private final int classLimit;
    private final EmbeddingTable table = new EmbeddingTable();
    private final TreeMap<String, TreeSet<String>> classes = new TreeMap<>(StableHash::compare);

    /**
     * Creates an empty sample.
     *
     * @param perClass images per class, at least 1
     * @param classLimit classes, at least 1
     */
    SeenSample(int perClass, int classLimit) {
        if (perClass < 1 || classLimit < 1) {
            throw new IllegalArgumentException(
                    "seen sample needs at least one class and image, got " + classLimit + " x " + perClass);
        }
        this.perClass = perClass;
        this.classLimit = classLimit;
    }

    /**
     * Offers a training embedding: stores it if its image is (now) in the sample, evicting the image or
     * class it displaces.
     *
     * @param e the embedding
     * @return whether the table changed
     */
    boolean offer(ImageEmbedding e) {
        ImageEmbedding stored = table.get(e.imageId());
        if (stored != null && stored.label().equals(e.label())) {
            return table.put(e);
        }
        if (stored != null) {
            // the image came back under another label: sample it afresh under that label
            TreeSet<String> old = classes.get(stored.label());
            old.remove(e.imageId());
            if (old.isEmpty()) {
                classes.remove(stored.label());
            }
            table.remove(e.imageId());
        }
        TreeSet<String> ids = classes.get(e.label());
        if (ids == null) {
            if (classes.size() >= classLimit) {
                String last = classes.lastKey();
                if (StableHash.compare(e.label(), last) > 0) {
                    return stored != null;
                }
                for (String id : classes.remove(last)) {
                    table.remove(id);
                }
            }
            ids = new TreeSet<>(StableHash::compare);
            classes.put(e.label(), ids);
        }
        if (ids.size() >= perClass) {
            String last = ids.last();
            if (StableHash.compare(e.imageId(), last) > 0) {
                return stored != null;
            }
            ids.remove(last);
            table.remove(last);
        }
        ids.add(e.imageId());
        table.put(e);
        return true;
    }

    /**
     * The sampled images' latest embeddings.
     *
     * @return the table
     */
    EmbeddingTable table() {
        return table;
    }

    /**
     * The number of sampled classes.
     *
     * @return the class count
     */
    int classCount() {
        return classes.size();
    }
}
