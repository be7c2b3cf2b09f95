package io.divastream.jobs.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * Retrieval quality of one model version on the evaluation images.
 *
 * @param modelVersion the model version
 * @param trainingStep the model's optimizer step
 * @param imagesSeen training images the trainer had received for that model
 * @param evalImages evaluation images scored
 * @param evalClasses distinct evaluation classes
 * @param embeddings names of the scored embeddings ("combined" and the heads)
 * @param scores per embedding: recall@1, recall@2, recall@4, recall@8, NMI, MAP@R
 * @param modelCreatedAt when the version was created
 * @param computedAt when the scores were computed
 */
public record EvaluationResult(
        long modelVersion,
        long trainingStep,
        long imagesSeen,
        int evalImages,
        int evalClasses,
        String[] embeddings,
        double[][] scores,
        long modelCreatedAt,
        long computedAt) {

    /** Number of values per embedding in {@link #scores()}. */
    public static final int SCORE_COUNT = 6;

    /** Checks the fields. */
    public EvaluationResult {
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(scores, "scores");
        if (embeddings.length != scores.length) {
            throw new IllegalArgumentException("embedding names and scores differ in length");
        }
    }

    /**
     * Returns the scores of one embedding.
     *
     * @param name an embedding name
     * @return its six scores
     */
    public double[] scoresOf(String name) {
        for (int i = 0; i < embeddings.length; i++) {
            if (embeddings[i].equals(name)) {
                return scores[i];
            }
        }
        throw new IllegalArgumentException("no scores for " + name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvaluationResult r
                && modelVersion == r.modelVersion
                && trainingStep == r.trainingStep
                && imagesSeen == r.imagesSeen
                && evalImages == r.evalImages
                && evalClasses == r.evalClasses
                && modelCreatedAt == r.modelCreatedAt
                && computedAt == r.computedAt
                && Arrays.equals(embeddings, r.embeddings)
                && Arrays.deepEquals(scores, r.scores);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelVersion, computedAt);
    }

    @Override
    public String toString() {
        return "EvaluationResult[v" + modelVersion + ", " + evalImages + " images]";
    }
}
