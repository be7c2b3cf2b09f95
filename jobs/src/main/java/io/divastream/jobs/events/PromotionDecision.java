package io.divastream.jobs.events;

import java.util.Objects;

/**
 * A decision on which model version serves (docs/continual.md): the promotion gate's on a scored version, or an
 * operator command's.
 *
 * @param modelVersion the version decided on
 * @param kind what was decided
 * @param promotedVersion the promoted version after the decision, -1 if none
 * @param previousVersion the promoted version before it, -1 if none
 * @param candidateRecallAt1 the version's combined Recall@1 on the compared held-out images (NaN for commands)
 * @param promotedRecallAt1 the previous version's on the same images, NaN without one
 * @param images the held-out images compared (0 for commands)
 * @param tolerance how far below the promoted Recall@1 a candidate may be
 * @param minImages no promotion on fewer images
 * @param reason one line saying why
 * @param trainingStep the version's optimizer steps (-1 if unknown)
 * @param decidedAt when, epoch milliseconds
 * @param commandId the operator command behind the decision, empty for the gate's
 * @param pinned whether promotion is pinned to {@code promotedVersion} after the decision
 */
public record PromotionDecision(
        long modelVersion,
        Kind kind,
        long promotedVersion,
        long previousVersion,
        double candidateRecallAt1,
        double promotedRecallAt1,
        int images,
        double tolerance,
        int minImages,
        String reason,
        long trainingStep,
        long decidedAt,
        String commandId,
        boolean pinned) {

    /** What a decision says (the symbols of {@code PromotionDecisionType}). */
    public enum Kind {
        /** The gate promoted the version. */
        PROMOTED,
        /** The gate refused it, or promotion was pinned. */
        REFUSED,
        /** An operator pinned the promoted version. */
        PINNED,
        /** An operator released the pin. */
        UNPINNED,
        /** The version republishes an earlier one's parameters at an operator's command, and serves, pinned. */
        ROLLED_BACK,
        /** A command that could not apply. */
        COMMAND_REJECTED
    }

    /** Checks the fields. */
    public PromotionDecision {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(commandId, "commandId");
    }

    /**
     * Whether the decision made {@code modelVersion} the promoted version.
     *
     * @return true for {@link Kind#PROMOTED} and {@link Kind#ROLLED_BACK}
     */
    public boolean promoted() {
        return kind == Kind.PROMOTED || kind == Kind.ROLLED_BACK;
    }
}
