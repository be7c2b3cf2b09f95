package io.divastream.jobs.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * Retrieval quality of one model version on the held-out (evaluation) images and, if sampled, on a
 * sample of the training images (the classes seen so far).
 *
 * @param modelVersion the model version
 * @param trainingStep the model's optimizer step
 * @param imagesSeen training images the trainer had received for that model
 * @param mode how the held-out images were scored: {@code leave-one-out} or {@code query-gallery}
 * @param evalImages held-out images scored
 * @param evalClasses distinct held-out classes
 * @param queryImages in query/gallery mode the number of queries among {@code evalImages}, else 0
 * @param embeddings names of the scored embeddings ("combined" and the heads)
 * @param scores per embedding, on the held-out images: the {@link #SCORE_COUNT} values recall@1,
 *     recall@2, recall@4, recall@8, NMI, MAP@R, precision@1, R-precision, F1
 * @param recallKs the k of the configured Recall@k list
 * @param recallAtK per embedding, on the held-out images: Recall@k for each of {@code recallKs}
 * @param seenImages sampled training images scored (0 if none were)
 * @param seenClasses distinct classes among them
 * @param seenScores per embedding, on the training sample, as {@code scores} (leave-one-out); no rows if
 *     the sample was not scored
 * @param seenRecallAtK per embedding, on the training sample, as {@code recallAtK}; no rows if not scored
 * @param modelCreatedAt when the version was created
 * @param computedAt when the scores were computed
 * @param continual the scores per group of training classes and across versions
 */
public record EvaluationResult(
        long modelVersion,
        long trainingStep,
        long imagesSeen,
        String mode,
        int evalImages,
        int evalClasses,
        int queryImages,
        String[] embeddings,
        double[][] scores,
        int[] recallKs,
        double[][] recallAtK,
        int seenImages,
        int seenClasses,
        double[][] seenScores,
        double[][] seenRecallAtK,
        long modelCreatedAt,
        long computedAt,
        ContinualScores continual) {

    /** Number of values per embedding in {@link #scores()} and {@link #seenScores()}. */
    public static final int SCORE_COUNT = 9;

    /** Index of NMI in a row of {@link #scores()}. */
    public static final int NMI = 4;

    /** Index of MAP@R in a row of {@link #scores()}. */
    public static final int MAP_AT_R = 5;

    /** Index of precision@1 in a row of {@link #scores()}. */
    public static final int PRECISION_AT_1 = 6;

    /** Index of R-precision in a row of {@link #scores()}. */
    public static final int R_PRECISION = 7;

    /** Index of the clustering's pairwise F1 in a row of {@link #scores()}. */
    public static final int F1 = 8;

    /** Checks the fields. */
    public EvaluationResult {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(scores, "scores");
        Objects.requireNonNull(recallKs, "recallKs");
        Objects.requireNonNull(recallAtK, "recallAtK");
        Objects.requireNonNull(seenScores, "seenScores");
        Objects.requireNonNull(seenRecallAtK, "seenRecallAtK");
        Objects.requireNonNull(continual, "continual");
        if (embeddings.length != scores.length || embeddings.length != recallAtK.length) {
            throw new IllegalArgumentException("embedding names and scores differ in length");
        }
        if (seenScores.length != seenRecallAtK.length
                || (seenScores.length != 0 && seenScores.length != embeddings.length)) {
            throw new IllegalArgumentException("seen-class scores must be absent or one row per embedding");
        }
    }

    /**
     * Returns the held-out scores of one embedding.
     *
     * @param name an embedding name
     * @return its {@link #SCORE_COUNT} scores
     */
    public double[] scoresOf(String name) {
        return scores[indexOf(name)];
    }

    /**
     * Returns the held-out Recall@k list of one embedding.
     *
     * @param name an embedding name
     * @return Recall@k for each of {@link #recallKs()}
     */
    public double[] recallAtKOf(String name) {
        return recallAtK[indexOf(name)];
    }

    /**
     * Whether the training sample was scored.
     *
     * @return whether {@link #seenScores()} has rows
     */
    public boolean hasSeen() {
        return seenScores.length > 0;
    }

    /**
     * Returns the seen-class scores of one embedding.
     *
     * @param name an embedding name
     * @return its {@link #SCORE_COUNT} scores on the training sample
     * @throws IllegalStateException if the sample was not scored
     */
    public double[] seenScoresOf(String name) {
        if (!hasSeen()) {
            throw new IllegalStateException("version " + modelVersion + " has no seen-class scores");
        }
        return seenScores[indexOf(name)];
    }

    private int indexOf(String name) {
        for (int i = 0; i < embeddings.length; i++) {
            if (embeddings[i].equals(name)) {
                return i;
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
                && mode.equals(r.mode)
                && evalImages == r.evalImages
                && evalClasses == r.evalClasses
                && queryImages == r.queryImages
                && seenImages == r.seenImages
                && seenClasses == r.seenClasses
                && modelCreatedAt == r.modelCreatedAt
                && computedAt == r.computedAt
                && Arrays.equals(embeddings, r.embeddings)
                && Arrays.deepEquals(scores, r.scores)
                && Arrays.equals(recallKs, r.recallKs)
                && Arrays.deepEquals(recallAtK, r.recallAtK)
                && Arrays.deepEquals(seenScores, r.seenScores)
                && Arrays.deepEquals(seenRecallAtK, r.seenRecallAtK)
                && continual.equals(r.continual);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelVersion, computedAt);
    }

    @Override
    public String toString() {
        return "EvaluationResult[v" + modelVersion + ", " + mode + ", " + evalImages + " images, " + seenImages
                + " seen]";
    }
}
