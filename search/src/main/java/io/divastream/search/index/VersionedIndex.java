package io.divastream.search.index;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The latest embedding of each image, grouped by model version, and a search over exactly one version: the
 * <em>served</em> version. Design notes: docs/design-notes.md#versionedindex.
 */
public final class VersionedIndex {

    /**
     * One image's embedding.
     *
     * @param imageId the image id
     * @param label its class label
     * @param modelVersion the model version that embedded it
     * @param vector the combined, unit-length embedding
     */
    public record Entry(String imageId, String label, long modelVersion, float[] vector) {
        /** Checks the fields. */
        public Entry {
            Objects.requireNonNull(imageId, "imageId");
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(vector, "vector");
            if (vector.length == 0) {
                throw new IllegalArgumentException("image " + imageId + ": empty embedding");
            }
        }
    }

    /**
     * A search result row.
     *
     * @param imageId the neighbour's image id
     * @param label its label
     * @param score the cosine similarity to the query
     */
    public record Neighbour(String imageId, String label, float score) {}

    /**
     * A query's answer.
     *
     * @param modelVersion the served version the neighbours come from
     * @param neighbours the nearest images, best first
     */
    public record Result(long modelVersion, List<Neighbour> neighbours) {}

    /**
     * The index's state.
     *
     * @param mode the search mode
     * @param servedVersion the served version, -1 if none
     * @param servedImages images at the served version
     * @param pendingVersion the pending version, -1 if none
     * @param pendingImages images at the pending version
     * @param dimension the served embeddings' dimension, 0 if none
     * @param promotedVersion the newest promoted version, -1 if none or if any version may serve
     */
    public record Status(
            SearchMode mode,
            long servedVersion,
            int servedImages,
            long pendingVersion,
            int pendingImages,
            int dimension,
            long promotedVersion) {}

    private final SearchMode mode;
    private final double switchCoverage;
    private final double rebuildFraction;
    private final GraphSearch.Params graphParams;
    private final boolean promotedOnly;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    /** The versions the promotion gate promoted (only the newest matter), with {@code promotedOnly}. */
    private final java.util.TreeSet<Long> promoted = new java.util.TreeSet<>();

    /** Set when a promotion arrived that the next {@link #refresh()} has not looked at. */
    private volatile boolean promotionPending;

    /** Per version, image id to entry, in arrival order. Only the served and newest versions after the first serve. */
    private final NavigableMap<Long, LinkedHashMap<String, Entry>> versions = new TreeMap<>();

    private long served = -1;

    /** The built structure over the served version, and what changed at it since. */
    private VectorSearch built;

    private Entry[] builtEntries = new Entry[0];
    private Map<Entry, Integer> builtRows = new IdentityHashMap<>();
    private long builtVersion = -1;
    private final Set<String> delta = new LinkedHashSet<>();

    /**
     * Creates an empty index.
     *
     * @param mode exact or approximate search
     * @param switchCoverage share in (0, 1] of the served images a pending version must cover to be served
     * @param rebuildFraction share of the built rows that may change before the graph is rebuilt
     * @param graphParams the graph's parameters (approximate mode)
     */
    public VersionedIndex(
            SearchMode mode, double switchCoverage, double rebuildFraction, GraphSearch.Params graphParams) {
        this(mode, switchCoverage, rebuildFraction, graphParams, false);
    }

    /**
     * Creates an empty index that may serve only promoted versions.
     *
     * @param mode exact or approximate search
     * @param switchCoverage share in (0, 1] of the served images a pending version must cover to be served
     * @param rebuildFraction share of the built rows that may change before the graph is rebuilt
     * @param graphParams the graph's parameters (approximate mode)
     * @param promotedOnly whether a version is served only once {@link #promote promoted}
     */
    public VersionedIndex(
            SearchMode mode,
            double switchCoverage,
            double rebuildFraction,
            GraphSearch.Params graphParams,
            boolean promotedOnly) {
        this.promotedOnly = promotedOnly;
        this.mode = Objects.requireNonNull(mode, "mode");
        if (!(switchCoverage > 0 && switchCoverage <= 1)) {
            throw new IllegalArgumentException("switchCoverage must be in (0, 1], got " + switchCoverage);
        }
        if (!(rebuildFraction >= 0)) {
            throw new IllegalArgumentException("rebuildFraction must be >= 0, got " + rebuildFraction);
        }
        this.switchCoverage = switchCoverage;
        this.rebuildFraction = rebuildFraction;
        this.graphParams = Objects.requireNonNull(graphParams, "graphParams");
    }

    /**
     * An exact index that switches at 95 % coverage.
     *
     * @return the index
     */
    public static VersionedIndex exact() {
        return new VersionedIndex(SearchMode.EXACT, 0.95, 0.05, GraphSearch.Params.DEFAULT);
    }

    /**
     * Adds or replaces an image's embedding (writer thread).
     *
     * @param entry the embedding
     * @throws IllegalArgumentException if its dimension differs from its version's
     */
    public void put(Entry entry) {
        lock.writeLock().lock();
        try {
            long v = entry.modelVersion();
            if (v < served || (served >= 0 && v != served && v < versions.lastKey())) {
                return; // older than the served version, or than the newest pending one
            }
            LinkedHashMap<String, Entry> map = versions.get(v);
            if (map != null && !map.isEmpty()) {
                int dim = map.values().iterator().next().vector().length;
                if (entry.vector().length != dim) {
                    throw new IllegalArgumentException("image " + entry.imageId() + " at model version " + v + " has a "
                            + entry.vector().length + "-d embedding, the version's are " + dim + "-d");
                }
            }
            // the image's latest embedding is this one: drop it from the versions in between
            for (Map.Entry<Long, LinkedHashMap<String, Entry>> e : versions.entrySet()) {
                if (e.getKey() != v && e.getKey() != served) {
                    e.getValue().remove(entry.imageId());
                }
            }
            if (map == null) {
                map = new LinkedHashMap<>();
                versions.put(v, map);
                if (served >= 0) {
                    // a newer pending version overtakes the older ones: the job abandons them too
                    versions.subMap(served, false, v, false).clear();
                }
            }
            map.put(entry.imageId(), entry);
            if (v == served) {
                delta.add(entry.imageId());
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Removes an image from every version (a tombstone; writer thread).
     *
     * @param imageId the image id
     */
    public void remove(String imageId) {
        lock.writeLock().lock();
        try {
            for (LinkedHashMap<String, Entry> map : versions.values()) {
                map.remove(imageId);
            }
            if (served >= 0) {
                delta.add(imageId);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Records that the promotion gate promoted a version (any thread); the next {@link #refresh()} may serve it.
     *
     * @param version the promoted version
     */
    public void promote(long version) {
        lock.writeLock().lock();
        try {
            promoted.add(version);
            // only the newest promoted versions can still be served
            while (promoted.size() > 1 && promoted.first() < Math.max(served, 0)) {
                promoted.pollFirst();
            }
            promotionPending = true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Whether a promotion arrived since the last {@link #refresh()}, which should then run even without new
     * embeddings.
     *
     * @return true if so
     */
    public boolean promotionPending() {
        return promotionPending;
    }

    private boolean servable(long version) {
        return !promotedOnly || promoted.contains(version);
    }

    /**
     * Applies the switching rule and rebuilds the search structure if needed (writer thread).
     *
     * @return true if the served version changed
     */
    public boolean refresh() {
        long target;
        List<Entry> rows = null;
        promotionPending = false;
        lock.readLock().lock();
        try {
            target = chooseServed();
            LinkedHashMap<String, Entry> current = target < 0 ? null : versions.get(target);
            boolean switched = target != served || served != builtVersion;
            boolean rebuild = current != null
                    && (switched
                            || (!delta.isEmpty()
                                    && (mode == SearchMode.EXACT
                                            || delta.size() > rebuildFraction * builtEntries.length)));
            if (rebuild) {
                rows = new ArrayList<>(current.values());
            }
        } finally {
            lock.readLock().unlock();
        }
        if (rows == null) {
            return false;
        }
        Entry[] entries = rows.toArray(Entry[]::new);
        float[][] vectors = new float[entries.length][];
        Map<Entry, Integer> rowOf = new IdentityHashMap<>(entries.length * 2);
        for (int i = 0; i < entries.length; i++) {
            vectors[i] = entries[i].vector();
            rowOf.put(entries[i], i);
        }
        // single writer: nothing changes while the structure is built; readers go on with the old one
        VectorSearch search = entries.length == 0
                ? null
                : mode == SearchMode.EXACT ? new ExactSearch(vectors, true) : new GraphSearch(vectors, graphParams);
        lock.writeLock().lock();
        try {
            boolean switched = target != served;
            if (switched) {
                switchTo(target);
            }
            built = search;
            builtEntries = entries;
            builtRows = rowOf;
            builtVersion = served;
            delta.clear();
            return switched;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The version the switching rule serves now (-1 if none); changes nothing. */
    private long chooseServed() {
        if (versions.isEmpty()) {
            return served;
        }
        long current = served;
        if (current < 0) {
            int most = 0;
            for (Map.Entry<Long, LinkedHashMap<String, Entry>> e : versions.entrySet()) {
                if (e.getValue().size() >= most && !e.getValue().isEmpty() && servable(e.getKey())) {
                    most = e.getValue().size();
                    current = e.getKey();
                }
            }
            if (current < 0) {
                return -1;
            }
        }
        long newest = versions.lastKey();
        if (newest > current && servable(newest)) {
            LinkedHashMap<String, Entry> base = versions.get(current);
            LinkedHashMap<String, Entry> pending = versions.get(newest);
            long covered = base.keySet().stream().filter(pending::containsKey).count();
            if (covered >= Math.ceil(switchCoverage * base.size()) && !pending.isEmpty()) {
                return newest;
            }
        }
        return current;
    }

    private void switchTo(long version) {
        served = version;
        versions.headMap(version, false).clear();
        if (!versions.isEmpty() && versions.lastKey() > version) {
            // keep the newest pending version only
            versions.subMap(version, false, versions.lastKey(), false).clear();
        }
        delta.clear();
    }

    /**
     * Finds the served images nearest to a query embedding.
     *
     * @param query a unit-length embedding of the served version's dimension
     * @param k how many
     * @return the result, or empty if no version is served yet
     * @throws IllegalArgumentException if the query's dimension is wrong
     */
    public Optional<Result> search(float[] query, int k) {
        return search(query, k, null);
    }

    /**
     * Finds the served images nearest to a served image (the image itself excluded).
     *
     * @param imageId the query image
     * @param k how many
     * @return the result, or empty if no version is served yet
     * @throws java.util.NoSuchElementException if the image has no embedding at the served version
     */
    public Optional<Result> searchById(String imageId, int k) {
        lock.readLock().lock();
        try {
            if (builtVersion != served || served < 0) {
                return Optional.empty();
            }
            LinkedHashMap<String, Entry> current = versions.get(served);
            Entry e = current == null ? null : current.get(imageId);
            if (e == null) {
                throw new java.util.NoSuchElementException(
                        "image '" + imageId + "' has no embedding at the served model version " + served);
            }
            return search(e.vector(), k, imageId);
        } finally {
            lock.readLock().unlock();
        }
    }

    private Optional<Result> search(float[] query, int k, String exclude) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        lock.readLock().lock();
        try {
            LinkedHashMap<String, Entry> current = versions.get(served);
            if (current == null || current.isEmpty() || builtVersion != served) {
                return Optional.empty();
            }
            int dim = current.values().iterator().next().vector().length;
            if (query.length != dim) {
                throw new IllegalArgumentException(
                        "the query has dimension " + query.length + ", model version " + served + " has " + dim);
            }
            int want = k + (exclude == null ? 0 : 1);
            List<Neighbour> hits = new ArrayList<>();
            if (built != null) {
                for (VectorSearch.Hit h : built.search(query, want + delta.size())) {
                    Entry e = builtEntries[h.row()];
                    if (current.get(e.imageId()) == e) {
                        hits.add(new Neighbour(e.imageId(), e.label(), h.score()));
                    }
                }
            }
            for (String id : delta) {
                Entry e = current.get(id);
                if (e != null && !builtRows.containsKey(e)) {
                    hits.add(new Neighbour(e.imageId(), e.label(), VectorSearch.dot(query, e.vector())));
                }
            }
            hits.removeIf(n -> n.imageId().equals(exclude));
            hits.sort((a, b) -> {
                int c = Float.compare(b.score(), a.score());
                return c != 0 ? c : a.imageId().compareTo(b.imageId());
            });
            return Optional.of(new Result(served, List.copyOf(hits.subList(0, Math.min(k, hits.size())))));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Returns the index's state.
     *
     * @return the status
     */
    public Status status() {
        lock.readLock().lock();
        try {
            LinkedHashMap<String, Entry> current = versions.get(served);
            long pending = versions.isEmpty() || versions.lastKey() <= served ? -1 : versions.lastKey();
            int dim = current == null || current.isEmpty()
                    ? 0
                    : current.values().iterator().next().vector().length;
            return new Status(
                    mode,
                    builtVersion == served ? served : -1,
                    builtVersion == served && current != null ? current.size() : 0,
                    pending,
                    pending < 0 ? 0 : versions.get(pending).size(),
                    dim,
                    promoted.isEmpty() ? -1 : promoted.last());
        } finally {
            lock.readLock().unlock();
        }
    }
}
