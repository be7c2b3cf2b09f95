package io.divastream.offline;

import io.divastream.evaluation.RetrievalScores;
import java.util.Map;

/**
 * The test-set evaluation of a batch run after a number of steps.
 *
 * @param step optimizer steps taken
 * @param trainingSeconds wall time spent in training steps so far
 * @param skippedSteps steps rejected because the objective or a gradient was not finite
 * @param heads the scores of each head's embedding alone, by head id
 * @param combined the scores of each weighted concatenation of the heads, by weighting name (only
 *     with more than one head)
 */
public record EvaluationPoint(
        long step,
        double trainingSeconds,
        int skippedSteps,
        Map<String, RetrievalScores> heads,
        Map<String, RetrievalScores> combined) {

    /** Copies the maps. */
    public EvaluationPoint {
        heads = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(heads));
        combined = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(combined));
    }

    /**
     * The scores of the test-time embedding: the equally weighted concatenation with several heads,
     * the single head otherwise.
     *
     * @return the primary scores
     */
    public RetrievalScores primary() {
        RetrievalScores equal = combined.get(BatchTrainer.EQUAL_WEIGHTS);
        return equal != null ? equal : heads.values().iterator().next();
    }
}
