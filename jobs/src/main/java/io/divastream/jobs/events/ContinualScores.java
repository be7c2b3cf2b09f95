package io.divastream.jobs.events;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The continual-learning scores of a model version beside its held-out ones (docs/continual.md): retrieval per
 * group of training classes by arrival, and retrieval across versions.
 *
 * @param servingVersion the version the cross-version scores query against, -1 if none
 * @param crossVersion combined {@link EvaluationResult#SCORE_COUNT} scores of this version's held-out queries
 *     against a gallery of the same images embedded by the serving version; empty if not scored
 * @param classGroupSize classes per group, 0 if the groups are not scored
 * @param groups the scored groups, oldest first
 */
public record ContinualScores(
        long servingVersion, double[] crossVersion, int classGroupSize, List<ClassGroupScore> groups) {

    /** No continual scores. */
    public static final ContinualScores NONE = new ContinualScores(-1, new double[0], 0, List.of());

    /** Checks and copies the fields. */
    public ContinualScores {
        Objects.requireNonNull(crossVersion, "crossVersion");
        if (crossVersion.length != 0 && crossVersion.length != EvaluationResult.SCORE_COUNT) {
            throw new IllegalArgumentException(
                    "cross-version scores must be absent or " + EvaluationResult.SCORE_COUNT);
        }
        crossVersion = crossVersion.clone();
        groups = List.copyOf(groups);
    }

    /**
     * Whether cross-version scores were computed.
     *
     * @return whether {@link #crossVersion()} has values
     */
    public boolean hasCrossVersion() {
        return crossVersion.length > 0;
    }

    @Override
    public double[] crossVersion() {
        return crossVersion.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContinualScores c
                && servingVersion == c.servingVersion
                && classGroupSize == c.classGroupSize
                && Arrays.equals(crossVersion, c.crossVersion)
                && groups.equals(c.groups);
    }

    @Override
    public int hashCode() {
        return Objects.hash(servingVersion, classGroupSize, Arrays.hashCode(crossVersion), groups);
    }

    @Override
    public String toString() {
        return "ContinualScores[serving v" + servingVersion + ", " + groups.size() + " groups]";
    }
}
