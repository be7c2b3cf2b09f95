package io.divastream.model.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Computes {@link RetrievalScores} for one embedding of a labelled test set: Recall@k for 1, 2, 4, 8 and
 * {@link EvaluationConfig#recallKs()}, Precision@1, MAP@R and R-Precision, the original code's mAP_c, and
 * NMI and pairwise F1 of one k-means clustering against the labels (DIVA_SPEC section 6).
 *
 * <p>The leave-one-out neighbour search (the query excluded by index, so an exact duplicate of it is an
 * ordinary neighbour) runs once with {@code m = max(largest k, largest class size)} neighbours (capped at
 * {@code n - 1}) and is shared by all retrieval metrics. k-means uses {@link EvaluationConfig#clusters()}
 * clusters, or as many as there are distinct labels (test classes), seeded by
 * {@link EvaluationConfig#seed()}; for a fixed config the scores are deterministic. Instances are
 * immutable and thread-safe.
 */
public final class RetrievalEvaluator {

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
     * @return the scores; {@code mapAtR}, {@code rPrecision} and {@code precisionAt1} are {@code NaN} if
     *     every label is unique
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
        List<Integer> ks = config.evaluatedRecallKs();
        RecallAtK recallAtK = new RecallAtK(ks, config.singletonPolicy());
        int m = Math.max(recallAtK.requiredNeighbours(), MapAtC.requiredNeighbours(labels));
        int[][] neighbours = new NearestNeighbours(m, config.parallel()).search(matrix);
        double[] recall = recallAtK.compute(neighbours, labels);
        Map<Integer, Double> recallByK = new HashMap<>();
        for (int i = 0; i < ks.size(); i++) {
            recallByK.put(ks.get(i), recall[i]);
        }
        MapAtRResult map = new MapAtR().compute(neighbours, labels);
        double mapAtC = new MapAtC().compute(neighbours, labels);
        double precisionAt1 = PrecisionAtOne.compute(neighbours, labels);
        int clusters = config.clusters() > 0 ? config.clusters() : LabelStats.distinct(labels);
        KMeansConfig kMeansConfig = new KMeansConfig(clusters, config.kMeansMaxIterations(),
                config.kMeansRestarts(), KMeansConfig.DEFAULT_TOLERANCE, config.seed());
        int[] clustering = new KMeans(kMeansConfig, config.parallel()).fit(matrix).assignments();
        double nmi = NormalizedMutualInformation.compute(labels, clustering);
        double f1 = PairwiseF1.compute(labels, clustering);
        return new RetrievalScores(recallByK.get(1), recallByK.get(2), recallByK.get(4), recallByK.get(8), nmi,
                map.mapAtR(), map.rPrecision(), precisionAt1, mapAtC, f1, recallByK, clusters);
    }
}
