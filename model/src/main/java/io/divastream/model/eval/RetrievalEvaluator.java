package io.divastream.model.eval;

import java.util.Objects;

/**
 * Computes {@link RetrievalScores} for one embedding of a labelled test set: Recall@{1, 2, 4, 8}, NMI of
 * a k-means clustering against the labels, and MAP@R.
 *
 * <p>The leave-one-out neighbour search runs once with {@code m = max(8, max R)} neighbours (capped at
 * {@code n - 1}) and is shared by Recall@k and MAP@R. k-means uses {@link EvaluationConfig#clusters()}
 * clusters, or as many as there are distinct labels, seeded by {@link EvaluationConfig#seed()}; for a
 * fixed config the scores are deterministic. Instances are immutable and thread-safe.
 */
public final class RetrievalEvaluator {

    private static final int MAX_RECALL_K = 8;

    private final EvaluationConfig config;

    /** Creates an evaluator with {@link EvaluationConfig#defaults()}. */
    public RetrievalEvaluator() {
        this(EvaluationConfig.defaults());
    }

    /**
     * Creates an evaluator.
     *
     * @param config settings
     */
    public RetrievalEvaluator(EvaluationConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Returns the settings.
     *
     * @return the settings
     */
    public EvaluationConfig config() {
        return config;
    }

    /**
     * Evaluates one embedding.
     *
     * @param embeddings {@code n x d} matrix of finite values, {@code n >= 2}
     * @param labels class label of each row
     * @return the scores; {@code mapAtR} is {@code NaN} if every label is unique
     * @throws IllegalArgumentException on mismatched sizes, fewer than two rows, non-finite values, or
     *     more clusters requested than rows
     */
    public RetrievalScores evaluate(float[][] embeddings, int[] labels) {
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(labels, "labels");
        if (embeddings.length != labels.length) {
            throw new IllegalArgumentException(
                    embeddings.length + " embeddings but " + labels.length + " labels");
        }
        if (labels.length < 2) {
            throw new IllegalArgumentException("need at least 2 items, got " + labels.length);
        }
        EmbeddingMatrix matrix = EmbeddingMatrix.of(embeddings);
        int m = Math.max(MAX_RECALL_K, MapAtR.requiredNeighbours(labels));
        int[][] neighbours = new NearestNeighbours(m, config.parallel()).search(matrix);
        double[] recall = new RecallAtK(RecallAtK.DEFAULT_KS, config.singletonPolicy()).compute(neighbours, labels);
        MapAtRResult map = new MapAtR().compute(neighbours, labels);
        int clusters = config.clusters() > 0 ? config.clusters() : LabelStats.distinct(labels);
        KMeansConfig kMeansConfig = new KMeansConfig(clusters, config.kMeansMaxIterations(),
                config.kMeansRestarts(), KMeansConfig.DEFAULT_TOLERANCE, config.seed());
        int[] clustering = new KMeans(kMeansConfig, config.parallel()).fit(matrix).assignments();
        double nmi = NormalizedMutualInformation.compute(labels, clustering);
        return new RetrievalScores(recall[0], recall[1], recall[2], recall[3], nmi, map.mapAtR());
    }
}
