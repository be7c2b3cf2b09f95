package io.divastream.jobs.events;

import java.util.Objects;

/**
 * A decision of the promotion gate on one model version (docs/continual.md).
 *
 * @param modelVersion the version decided on
 * @param promoted whether it was promoted (else refused)
 * @param promotedVersion the promoted version after the decision, -1 if none
 * @param previousVersion the promoted version before it, -1 if none
 * @param candidateRecallAt1 the version's combined Recall@1 on the compared held-out images
 * @param promotedRecallAt1 the previous version's on the same images, NaN without one
 * @param images the held-out images compared
 * @param tolerance how far below the promoted Recall@1 a candidate may be
 * @param minImages no promotion on fewer images
 * @param reason one line saying why
 * @param trainingStep the version's optimizer steps
 * @param decidedAt when, epoch milliseconds
 */
public record PromotionDecision(
        long modelVersion,
        boolean promoted,
        long promotedVersion,
        long previousVersion,
        double candidateRecallAt1,
        double promotedRecallAt1,
        int images,
        double tolerance,
        int minImages,
        String reason,
        long trainingStep,
        long decidedAt) {

    /** Checks the fields. */
    public PromotionDecision {
        Objects.requireNonNull(reason, "reason");
    }
}
