package io.divastream.jobs.metrics;

import io.divastream.evaluation.MapAtR;
import io.divastream.evaluation.MapAtRResult;
import io.divastream.evaluation.NearestNeighbours;
import io.divastream.evaluation.RecallAtK;
import io.divastream.evaluation.RetrievalEvaluator;
import io.divastream.jobs.events.ClassGroupScore;
import io.divastream.jobs.events.ContinualScores;
import io.divastream.jobs.events.ImageEmbedding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The continual-learning scores of {@link RetrievalMetricsFunction} (docs/continual.md): retrieval of each
 * group of training classes by first arrival among all sampled training classes, with the best score each group
 * had in an earlier version, and retrieval of a version's held-out queries against the serving version's
 * embeddings of the held-out gallery.
 * Uses the combined embedding. Not thread-safe.
 */
final class ContinualScorer {

    private final MetricsProtocol protocol;
    private final Map<Integer, Double> bestRecallAt1 = new HashMap<>();
    private EmbeddingTable serving = new EmbeddingTable();
    private long servingVersion = -1;

    /**
     * Creates a scorer with no history.
     *
     * @param protocol the evaluation protocol: its class-group size and query split
     */
    ContinualScorer(MetricsProtocol protocol) {
        this.protocol = protocol;
    }

    /**
     * Scores a version and records its group scores as history for the next versions.
     *
     * @param evaluator the evaluator
     * @param heldOut the held-out rows, all at the version, sorted by image id
     * @param seen the sampled training rows at the version, sorted by image id, or null if not scored
     * @param arrivals the classes' order of first arrival
     * @return the scores
     */
    ContinualScores score(
            RetrievalEvaluator evaluator,
            List<ImageEmbedding> heldOut,
            List<ImageEmbedding> seen,
            ClassArrivals arrivals) {
        double[] cross = crossVersion(evaluator, heldOut);
        int size = protocol.classGroupSize();
        List<ClassGroupScore> groups = size > 0 && seen != null ? groupScores(evaluator, seen, arrivals) : List.of();
        for (ClassGroupScore g : groups) {
            bestRecallAt1.merge(g.group(), g.recallAt1(), Math::max);
        }
        return new ContinualScores(cross.length == 0 ? -1 : servingVersion, cross, size, groups);
    }

    /**
     * Each group's images as queries against the whole seen sample (leave-one-out), so a group is scored among
     * the distractors of every other class, as a catalogue search would rank it.
     */
    private List<ClassGroupScore> groupScores(
            RetrievalEvaluator evaluator, List<ImageEmbedding> seen, ClassArrivals arrivals) {
        if (!Rows.leaveOneOutScorable(seen)) {
            return List.of();
        }
        Map<String, Integer> classIds = new HashMap<>();
        int[] labels = Rows.labelIds(seen, classIds);
        TreeMap<Integer, List<Integer>> byGroup = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            OptionalInt ordinal = arrivals.ordinal(seen.get(i).label());
            if (ordinal.isPresent()) {
                byGroup.computeIfAbsent(ordinal.getAsInt() / protocol.classGroupSize(), g -> new ArrayList<>())
                        .add(i);
            }
        }
        if (byGroup.isEmpty()) {
            return List.of();
        }
        int[][] neighbours = new NearestNeighbours(
                        Math.max(1, MapAtR.requiredNeighbours(labels)),
                        evaluator.config().parallel())
                .search(Rows.combined(seen));
        RecallAtK recallAt1 = new RecallAtK(List.of(1), evaluator.config().singletonPolicy());
        List<ClassGroupScore> groups = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> group : byGroup.entrySet()) {
            int[] queries =
                    group.getValue().stream().mapToInt(Integer::intValue).toArray();
            MapAtRResult map = new MapAtR().computeForQueries(neighbours, labels, queries);
            if (map.queries() == 0) {
                continue; // no class of the group has two sampled images
            }
            Double best = bestRecallAt1.get(group.getKey());
            groups.add(new ClassGroupScore(
                    group.getKey(),
                    (int) IntStream.of(queries).map(q -> labels[q]).distinct().count(),
                    queries.length,
                    recallAt1.computeForQueries(neighbours, labels, queries)[0],
                    map.mapAtR(),
                    best == null ? Double.NaN : best));
        }
        return groups;
    }

    /** This version's queries (by the protocol's hashed split) against the serving version's gallery. */
    private double[] crossVersion(RetrievalEvaluator evaluator, List<ImageEmbedding> heldOut) {
        List<ImageEmbedding> servingRows = serving.rows();
        if (servingRows.isEmpty()
                || servingRows.get(0).combined().length != heldOut.get(0).combined().length) {
            return new double[0];
        }
        List<ImageEmbedding> queries = new ArrayList<>();
        for (ImageEmbedding e : heldOut) {
            if (protocol.isQuery(e.imageId())) {
                queries.add(e);
            }
        }
        List<ImageEmbedding> gallery = new ArrayList<>();
        for (ImageEmbedding e : servingRows) {
            if (!protocol.isQuery(e.imageId())) {
                gallery.add(e);
            }
        }
        Map<String, Integer> classIds = new HashMap<>();
        int[] queryLabels = Rows.labelIds(queries, classIds);
        int[] galleryLabels = Rows.labelIds(gallery, classIds);
        if (queries.isEmpty() || gallery.isEmpty()) {
            return new double[0];
        }
        return RetrievalMetricsFunction.toArray(
                evaluator.evaluate(Rows.combined(queries), queryLabels, Rows.combined(gallery), galleryLabels));
    }

    /**
     * Makes a version's held-out embeddings the gallery of the next cross-version scores.
     *
     * @param rows the held-out rows, all at one version
     * @param version that version
     */
    void serve(List<ImageEmbedding> rows, long version) {
        serving = new EmbeddingTable();
        rows.forEach(serving::put);
        servingVersion = version;
    }

    /**
     * Adds a held-out embedding to the serving gallery if it is of the serving version (an image that arrived
     * after the version was scored).
     *
     * @param e a held-out embedding
     */
    void offerHeldOut(ImageEmbedding e) {
        if (servingVersion >= 0 && e.modelVersion() == servingVersion) {
            serving.put(e);
        }
    }

    /**
     * The serving version's held-out rows, for a checkpoint.
     *
     * @return the rows, empty if none
     */
    List<ImageEmbedding> servingRows() {
        return serving.rows();
    }

    /**
     * The best Recall@1 of each group, for a checkpoint.
     *
     * @return {group, best} pairs
     */
    List<double[]> bestScores() {
        List<double[]> out = new ArrayList<>();
        bestRecallAt1.forEach((g, r) -> out.add(new double[] {g, r}));
        return out;
    }

    /**
     * Restores the history of a checkpoint.
     *
     * @param servingRows the serving version's held-out rows
     * @param bestScores {group, best} pairs
     */
    void restore(List<ImageEmbedding> servingRows, Iterable<double[]> bestScores) {
        if (!servingRows.isEmpty()) {
            serve(servingRows, servingRows.get(0).modelVersion());
        }
        for (double[] pair : bestScores) {
            bestRecallAt1.merge((int) pair[0], pair[1], Math::max);
        }
    }
}
