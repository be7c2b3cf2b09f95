package io.divastream.watch;

import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.schemas.RetrievalMetrics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The retrieval metrics of a run, one {@link VersionPoint} per evaluated model version in version
 * order, built from decoded {@code MetricsRecord}s and, optionally, the {@code ModelVersionRecord}s
 * that carry each version's losses. Immutable: every {@code with...} method returns a new history. A
 * second record for the same version replaces the first; losses may arrive before or after the
 * metrics of their version. The renderers ({@link WatchTable}, {@link PngChart}, {@link HtmlReport})
 * take a history, so none of them needs Kafka.
 */
public final class RecallHistory {

    private static final RecallHistory EMPTY = new RecallHistory(new TreeMap<>(), new TreeMap<>());

    private final TreeMap<Long, VersionPoint> metrics;
    private final TreeMap<Long, Map<String, Double>> losses;

    private RecallHistory(TreeMap<Long, VersionPoint> metrics, TreeMap<Long, Map<String, Double>> losses) {
        this.metrics = metrics;
        this.losses = losses;
    }

    /**
     * The history of no version.
     *
     * @return the empty history
     */
    public static RecallHistory empty() {
        return EMPTY;
    }

    /**
     * Adds (or replaces) a version's metrics: the held-out scores, and the seen-class scores if
     * the record has any ({@code seenImages} above 0).
     *
     * @param record a decoded metrics record, not null
     * @return the new history
     */
    public RecallHistory with(MetricsRecord record) {
        Objects.requireNonNull(record, "record");
        Map<String, Scores> scores = new java.util.TreeMap<>(EMBEDDING_ORDER);
        for (Map.Entry<? extends CharSequence, RetrievalMetrics> e :
                record.getMetrics().entrySet()) {
            scores.put(e.getKey().toString(), Scores.of(e.getValue()));
        }
        Map<String, Scores> seen = new java.util.TreeMap<>(EMBEDDING_ORDER);
        if (record.getSeenImages() > 0) { // 0: the record carries no seen-class scores
            for (Map.Entry<? extends CharSequence, RetrievalMetrics> e :
                    record.getSeen().entrySet()) {
                seen.put(e.getKey().toString(), Scores.of(e.getValue()));
            }
        }
        return with(new VersionPoint(
                record.getModelVersion(),
                record.getTrainingStep(),
                record.getImagesSeen(),
                record.getEvalImages(),
                record.getEvalClasses(),
                seen.isEmpty() ? 0 : record.getSeenImages(),
                scores,
                seen,
                Map.of(),
                ContinualPoint.of(record)));
    }

    /**
     * Adds (or replaces) a version's metrics.
     *
     * @param point the version's point; its losses are ignored in favour of those added with {@link
     *     #withLosses}
     * @return the new history
     */
    public RecallHistory with(VersionPoint point) {
        Objects.requireNonNull(point, "point");
        TreeMap<Long, VersionPoint> copy = new TreeMap<>(metrics);
        copy.put(point.modelVersion(), point.withLosses(Map.of()));
        return new RecallHistory(copy, losses);
    }

    /**
     * Adds (or replaces) a version's mean losses.
     *
     * @param record a decoded model-version record, not null
     * @return the new history
     */
    public RecallHistory with(ModelVersionRecord record) {
        Objects.requireNonNull(record, "record");
        Map<String, Double> values = new LinkedHashMap<>();
        record.getLosses().forEach((k, v) -> values.put(k.toString(), v));
        return withLosses(record.getModelVersion(), values);
    }

    /**
     * Adds (or replaces) a version's mean losses.
     *
     * @param modelVersion the version
     * @param values loss name to mean value
     * @return the new history
     */
    public RecallHistory withLosses(long modelVersion, Map<String, Double> values) {
        TreeMap<Long, Map<String, Double>> copy = new TreeMap<>(losses);
        copy.put(modelVersion, Collections.unmodifiableMap(new LinkedHashMap<>(values)));
        return new RecallHistory(metrics, copy);
    }

    /**
     * The evaluated versions in version order, each with its losses if known.
     *
     * @return the points
     */
    public List<VersionPoint> points() {
        List<VersionPoint> points = new ArrayList<>(metrics.size());
        for (VersionPoint point : metrics.values()) {
            points.add(point.withLosses(losses.getOrDefault(point.modelVersion(), Map.of())));
        }
        return points;
    }

    /**
     * The number of evaluated versions.
     *
     * @return the count
     */
    public int size() {
        return metrics.size();
    }

    /**
     * Whether no version was evaluated.
     *
     * @return true if empty
     */
    public boolean isEmpty() {
        return metrics.isEmpty();
    }

    /**
     * Every embedding that has scores in some version: {@code combined}, the heads in the paper's order
     * ({@code discriminative, selfsim, shared, intra}), then other names alphabetically (the
     * records' map order is arbitrary).
     *
     * @return the embedding names, e.g. {@code combined, discriminative, selfsim, shared, intra}
     */
    public Set<String> embeddings() {
        Set<String> names = new java.util.TreeSet<>(EMBEDDING_ORDER);
        metrics.values().forEach(p -> names.addAll(p.scores().keySet()));
        return new LinkedHashSet<>(names);
    }

    /** {@code combined}, then the heads in the paper's order, then any other name alphabetically. */
    static final java.util.Comparator<String> EMBEDDING_ORDER = java.util.Comparator.<String>comparingInt(
                    RecallHistory::rank)
            .thenComparing(java.util.Comparator.naturalOrder());

    private static final List<String> KNOWN = List.of("combined", "discriminative", "selfsim", "shared", "intra");

    private static int rank(String embedding) {
        int i = KNOWN.indexOf(embedding);
        return i < 0 ? KNOWN.size() : i;
    }

    /**
     * Every loss name known for some evaluated version, in order of first appearance.
     *
     * @return the loss names
     */
    public Set<String> lossNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Long version : metrics.keySet()) {
            names.addAll(losses.getOrDefault(version, Map.of()).keySet());
        }
        return names;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecallHistory other && metrics.equals(other.metrics) && losses.equals(other.losses);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metrics, losses);
    }

    @Override
    public String toString() {
        return "RecallHistory[" + metrics.size() + " versions]";
    }
}
