package io.divastream.jobs.embed;

import java.util.Map;
import java.util.TreeMap;

/**
 * How stale a subtask's stalest stored embedding is (the {@code oldestStaleEmbeddingAgeMs} gauge of
 * {@link CatalogueEmbedder}). A stored image embedded with version v (or never embedded) became
 * stale when the first version newer than v arrived at the subtask; so it keeps the arrival time of
 * every version that may still matter and, after each change of the catalogue, the arrival of the
 * oldest version newer than the oldest version any stored image is embedded with.
 *
 * <p>Updated on the task thread; {@link #ageMs} may be read from a metrics reporter's thread.
 */
final class EmbeddingFreshness {

    /** {@code staleSince} when no stored image is behind the newest version. */
    private static final long NOT_STALE = Long.MIN_VALUE;

    /** Processing time at which each version that may still matter arrived at this subtask. */
    private final TreeMap<Long, Long> versionArrivals = new TreeMap<>();

    /** Arrival time of the oldest version newer than the oldest stored embedding, or NOT_STALE. */
    private volatile long staleSince = NOT_STALE;

    /**
     * Whether no version's arrival is known (a subtask just restored, or before the first model).
     *
     * @return true if none is
     */
    boolean noArrivals() {
        return versionArrivals.isEmpty();
    }

    /**
     * Records when a version arrived.
     *
     * @param version the model version
     * @param time its arrival, in processing time
     */
    void arrived(long version, long time) {
        versionArrivals.put(version, time);
    }

    /** There is no model yet: nothing is stale. */
    void noModel() {
        staleSince = NOT_STALE;
    }

    /**
     * Recomputes when the stalest stored embedding became stale, and forgets the arrival times no
     * stored image can need any more (versions up to the oldest stored one).
     *
     * @param oldestStored the oldest version a stored image is embedded with ({@link
     *     CatalogueEntry#NOT_EMBEDDED} for one never embedded; {@link Long#MAX_VALUE} if none is stored)
     * @param newest the newest model version
     */
    void update(long oldestStored, long newest) {
        if (oldestStored >= newest) {
            staleSince = NOT_STALE;
        } else {
            Map.Entry<Long, Long> next = versionArrivals.higherEntry(oldestStored);
            staleSince = next == null ? NOT_STALE : next.getValue();
        }
        versionArrivals.headMap(Math.min(oldestStored, newest), true).clear();
    }

    /**
     * The age of the stalest stored embedding.
     *
     * @param now the processing time now
     * @return the milliseconds since it became stale, 0 if nothing is stale (or the clocks disagree)
     */
    long ageMs(long now) {
        long since = staleSince;
        return since == NOT_STALE ? 0 : Math.max(0, now - since);
    }

    /** The versions whose arrival is kept, for tests. */
    Map<Long, Long> arrivals() {
        return new TreeMap<>(versionArrivals);
    }
}
