package io.divastream.watch;

import io.divastream.schemas.ClassGroupMetrics;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.RetrievalMetrics;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The continual-learning scores of one version (docs/continual.md): retrieval per group of training classes by
 * arrival, and the version's queries against the serving version's gallery.
 *
 * @param servingVersion the version the cross-version scores query against, -1 if none
 * @param crossVersion the combined cross-version scores, or null if none
 * @param groups the scored class groups, oldest first
 */
public record ContinualPoint(long servingVersion, Scores crossVersion, List<Group> groups) {

    /** No continual scores. */
    public static final ContinualPoint NONE = new ContinualPoint(-1, null, List.of());

    /**
     * One class group's scores.
     *
     * @param group its number, 0 for the classes that arrived first
     * @param classes sampled classes scored
     * @param recallAt1 combined Recall@1
     * @param mapAtR combined MAP@R
     * @param forgetting the drop of Recall@1 from the group's best earlier one (0 if none)
     */
    public record Group(int group, int classes, double recallAt1, double mapAtR, double forgetting) {}

    /** Copies the groups, oldest first. */
    public ContinualPoint {
        groups = groups.stream().sorted(Comparator.comparingInt(Group::group)).toList();
    }

    /**
     * Reads the continual fields of a decoded record.
     *
     * @param record the record
     * @return its scores, {@link #NONE} if it has none
     */
    public static ContinualPoint of(MetricsRecord record) {
        RetrievalMetrics cross = null;
        for (var e : record.getCrossVersion().entrySet()) {
            if (e.getKey().toString().equals("combined")) {
                cross = e.getValue();
            }
        }
        List<Group> groups = record.getClassGroups().stream()
                .map((ClassGroupMetrics g) ->
                        new Group(g.getGroup(), g.getClasses(), g.getRecallAt1(), g.getMapAtR(), g.getForgetting()))
                .toList();
        return new ContinualPoint(record.getServingVersion(), cross == null ? null : Scores.of(cross), groups);
    }

    /**
     * Whether the version has any continual score.
     *
     * @return whether there are group or cross-version scores
     */
    public boolean isPresent() {
        return crossVersion != null || !groups.isEmpty();
    }

    /**
     * The group of the classes that arrived last.
     *
     * @return it, if any group was scored
     */
    public Optional<Group> newest() {
        return groups.isEmpty() ? Optional.empty() : Optional.of(groups.get(groups.size() - 1));
    }

    /**
     * The group of the classes that arrived first.
     *
     * @return it, if any group was scored
     */
    public Optional<Group> oldest() {
        return groups.isEmpty() ? Optional.empty() : Optional.of(groups.get(0));
    }

    /**
     * The cross-version scores.
     *
     * @return them, if scored
     */
    public Optional<Scores> cross() {
        return Optional.ofNullable(crossVersion);
    }
}
