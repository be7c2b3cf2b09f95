package io.divastream.jobs.metrics;

import io.divastream.evaluation.EvaluationConfig;
import io.divastream.evaluation.RecallAtK;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.PromotionDecision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decides whether a scored version may serve (docs/continual.md): it is compared with the promoted version on the
 * held-out images both embedded (combined embedding, leave-one-out Recall@1), and promoted unless it is below by more
 * than the tolerance, or fewer than the policy's images were compared. The first version is compared with nothing.
 * Deterministic in the embeddings, so a restored scorer decides as an uninterrupted one. Not thread-safe.
 */
final class PromotionGate {

    private final PromotionPolicy policy;
    /** Recall@1 alone, counted as the evaluator counts it: the gate needs no other score (and no k-means). */
    private final RecallAtK recallAt1;

    private long promoted = -1;

    /**
     * Creates a gate with no promoted version.
     *
     * @param policy the policy
     * @param evaluation the scorer's evaluation settings (its singleton policy)
     */
    PromotionGate(PromotionPolicy policy, EvaluationConfig evaluation) {
        this.policy = policy;
        this.recallAt1 = new RecallAtK(List.of(1), evaluation.singletonPolicy());
    }

    /**
     * Decides on a version; {@link #promote} applies a promotion.
     *
     * @param candidate the version's held-out rows, all at the version, sorted by image id
     * @param promotedRows the promoted version's held-out rows (empty without one)
     * @param trainingStep the version's step
     * @param now the decision's time
     * @return the gate's decision, not yet applied
     */
    PromotionDecision decide(
            List<ImageEmbedding> candidate, List<ImageEmbedding> promotedRows, long trainingStep, long now) {
        long version = candidate.get(0).modelVersion();
        Map<String, ImageEmbedding> before = new HashMap<>();
        promotedRows.forEach(e -> before.put(e.imageId(), e));
        List<ImageEmbedding> mine = new ArrayList<>();
        List<ImageEmbedding> theirs = new ArrayList<>();
        for (ImageEmbedding e : candidate) {
            ImageEmbedding old = before.get(e.imageId());
            if (promoted < 0 || old != null) {
                mine.add(e);
                if (old != null) {
                    theirs.add(old);
                }
            }
        }
        double candidateR1 = recallAt1(mine);
        double promotedR1 = promoted < 0 ? Double.NaN : recallAt1(theirs);
        String reason;
        boolean promote;
        if (mine.size() < policy.minEvalImages()) {
            promote = false;
            reason = String.format(
                    Locale.ROOT,
                    "%d held-out images compared, fewer than --promotion.min-eval-images %d",
                    mine.size(),
                    policy.minEvalImages());
        } else if (promoted >= 0 && !(candidateR1 >= promotedR1 - policy.tolerance())) {
            promote = false;
            reason = String.format(
                    Locale.ROOT,
                    "recall@1 %.4f is below version %d's %.4f by more than --promotion.tolerance %.4f",
                    candidateR1,
                    promoted,
                    promotedR1,
                    policy.tolerance());
        } else {
            promote = true;
            reason = promoted < 0
                    ? String.format(Locale.ROOT, "the first version decided on: recall@1 %.4f", candidateR1)
                    : String.format(
                            Locale.ROOT,
                            "recall@1 %.4f against version %d's %.4f, within --promotion.tolerance %.4f",
                            candidateR1,
                            promoted,
                            promotedR1,
                            policy.tolerance());
        }
        return new PromotionDecision(
                version,
                promote ? PromotionDecision.Kind.PROMOTED : PromotionDecision.Kind.REFUSED,
                promote ? version : promoted,
                promoted,
                candidateR1,
                promotedR1,
                mine.size(),
                policy.tolerance(),
                policy.minEvalImages(),
                reason,
                trainingStep,
                now,
                "",
                false);
    }

    /**
     * Makes a version the promoted one.
     *
     * @param version the version
     */
    void promote(long version) {
        promoted = version;
    }

    private double recallAt1(List<ImageEmbedding> rows) {
        if (!Rows.leaveOneOutScorable(rows)) {
            return Double.NaN;
        }
        return recallAt1.compute(Rows.combined(rows), Rows.labelIds(rows, new HashMap<>()))[0];
    }

    /**
     * The promoted version.
     *
     * @return it, -1 if none
     */
    long promoted() {
        return promoted;
    }

    /**
     * The policy.
     *
     * @return it
     */
    PromotionPolicy policy() {
        return policy;
    }
}
