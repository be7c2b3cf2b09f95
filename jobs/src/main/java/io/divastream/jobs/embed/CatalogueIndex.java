package io.divastream.jobs.embed;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-memory index of one embedder subtask's catalogue: which image ids are stored, whether
 * each is an evaluation image, when it last arrived and which model version it was last embedded
 * with; and the re-embedding backlog. It is not checkpointed: the operator rebuilds it from its
 * keyed state on restore, so it holds nothing the keyed state does not.
 *
 * <p>Training images are kept in arrival order, which makes expiry (the catalogue TTL) a walk
 * from the oldest one; evaluation images never expire. The backlog lists the evaluation images
 * first, then the training images, that were embedded with a version older than the backlog's;
 * it is bounded by the catalogue's size. About 150 bytes of heap per stored image.
 */
final class CatalogueIndex {

    /** What the index knows of one stored image. */
    private static final class Slot {
        private final long storedAt;
        private long version;

        private Slot(long storedAt, long version) {
            this.storedAt = storedAt;
            this.version = version;
        }
    }

    private final LinkedHashMap<String, Slot> train = new LinkedHashMap<>();
    private final LinkedHashMap<String, Slot> eval = new LinkedHashMap<>();
    private final TreeMap<Long, Integer> imagesPerVersion = new TreeMap<>();
    private final ArrayDeque<String> evalBacklog = new ArrayDeque<>();
    private final ArrayDeque<String> trainBacklog = new ArrayDeque<>();
    private long backlogVersion = CatalogueEntry.NOT_EMBEDDED;

    /**
     * Returns the number of stored images.
     *
     * @return training plus evaluation images
     */
    int size() {
        return train.size() + eval.size();
    }

    /**
     * Returns the number of stored evaluation images.
     *
     * @return the count
     */
    int evalSize() {
        return eval.size();
    }

    /**
     * Tells whether an image is stored.
     *
     * @param imageId the image id
     * @return true if stored
     */
    boolean contains(String imageId) {
        return train.containsKey(imageId) || eval.containsKey(imageId);
    }

    /**
     * Records an image's arrival (new or replacing one with the same id); it becomes the newest
     * training image for expiry.
     *
     * @param imageId the image id
     * @param isEval whether it is an evaluation image
     * @param storedAt its arrival time
     * @param version the version it was embedded with, or {@link CatalogueEntry#NOT_EMBEDDED}
     */
    void put(String imageId, boolean isEval, long storedAt, long version) {
        remove(imageId);
        (isEval ? eval : train).put(imageId, new Slot(storedAt, version));
        imagesPerVersion.merge(version, 1, Integer::sum);
        if (version < backlogVersion) {
            (isEval ? evalBacklog : trainBacklog).add(imageId);
        }
    }

    /**
     * Records that a stored image was embedded with a version.
     *
     * @param imageId the image id
     * @param version the version
     * @return the version it was embedded with before, {@link CatalogueEntry#NOT_EMBEDDED} if never
     */
    long embedded(String imageId, long version) {
        Slot slot = slot(imageId);
        if (slot == null) {
            throw new IllegalStateException("image " + imageId + " is not in the catalogue index");
        }
        long previous = slot.version;
        count(previous, -1);
        slot.version = version;
        imagesPerVersion.merge(version, 1, Integer::sum);
        return previous;
    }

    /**
     * Forgets an image (its id may stay in the backlog, where {@link #pollStale} skips it).
     *
     * @param imageId the image id
     */
    void remove(String imageId) {
        Slot slot = train.remove(imageId);
        if (slot == null) {
            slot = eval.remove(imageId);
        }
        if (slot != null) {
            count(slot.version, -1);
        }
    }

    /**
     * Removes and returns the oldest training images that arrived at or before {@code cutoff}. It
     * stops at the first image never embedded (stored before any model arrived), so every image is
     * embedded at least once before it can expire; the backlog reaches those oldest images first.
     *
     * @param cutoff the latest arrival time that has expired
     * @param max at most this many
     * @return their ids, oldest first
     */
    List<String> expire(long cutoff, int max) {
        List<String> out = new ArrayList<>();
        Iterator<Map.Entry<String, Slot>> it = train.entrySet().iterator();
        while (out.size() < max && it.hasNext()) {
            Map.Entry<String, Slot> e = it.next();
            if (e.getValue().storedAt > cutoff || e.getValue().version == CatalogueEntry.NOT_EMBEDDED) {
                break;
            }
            it.remove();
            count(e.getValue().version, -1);
            out.add(e.getKey());
        }
        return out;
    }

    /**
     * Starts a new backlog: every stored image embedded with an older version than {@code version},
     * evaluation images first, each group in arrival order. The previous backlog is dropped.
     *
     * @param version the newest model version
     */
    void restartBacklog(long version) {
        backlogVersion = version;
        evalBacklog.clear();
        trainBacklog.clear();
        eval.forEach((id, slot) -> {
            if (slot.version < version) {
                evalBacklog.add(id);
            }
        });
        train.forEach((id, slot) -> {
            if (slot.version < version) {
                trainBacklog.add(id);
            }
        });
    }

    /**
     * Takes the next images of the backlog that are still stored and still older than the
     * backlog's version.
     *
     * @param max at most this many
     * @return their ids, evaluation images first
     */
    List<String> pollStale(int max) {
        List<String> out = new ArrayList<>(Math.min(max, backlogSize()));
        while (out.size() < max) {
            String id = evalBacklog.isEmpty() ? trainBacklog.poll() : evalBacklog.poll();
            if (id == null) {
                break;
            }
            Slot slot = slot(id);
            if (slot != null && slot.version < backlogVersion) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * Returns the number of ids in the backlog (including some that may have expired or been
     * re-embedded on arrival since).
     *
     * @return the backlog's length
     */
    int backlogSize() {
        return evalBacklog.size() + trainBacklog.size();
    }

    /**
     * Returns how many versions the least recently embedded stored image is behind.
     *
     * @param newest the newest model version
     * @return {@code newest - oldest embedded version} (an image never embedded counts as version
     *     -1), 0 for an empty catalogue or no model
     */
    long versionLag(long newest) {
        if (imagesPerVersion.isEmpty() || newest < 0) {
            return 0;
        }
        return Math.max(0, newest - imagesPerVersion.firstKey());
    }

    /**
     * Returns the oldest version a stored image was embedded with.
     *
     * @return that version ({@link CatalogueEntry#NOT_EMBEDDED} for an image never embedded), or
     *     {@link Long#MAX_VALUE} for an empty catalogue
     */
    long oldestVersion() {
        return imagesPerVersion.isEmpty() ? Long.MAX_VALUE : imagesPerVersion.firstKey();
    }

    /**
     * Returns the number of stored images per embedded version.
     *
     * @return version to count, ascending
     */
    Map<Long, Integer> imagesPerVersion() {
        return new TreeMap<>(imagesPerVersion);
    }

    private Slot slot(String imageId) {
        Slot slot = train.get(imageId);
        return slot != null ? slot : eval.get(imageId);
    }

    private void count(long version, int delta) {
        imagesPerVersion.merge(version, delta, Integer::sum);
        if (imagesPerVersion.get(version) == 0) {
            imagesPerVersion.remove(version);
        }
    }
}
