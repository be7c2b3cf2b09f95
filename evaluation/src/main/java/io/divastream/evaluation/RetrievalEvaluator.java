package io.divastream.evaluation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Computes {@link RetrievalScores} for one embedding of a labelled test set: Recall@k for 1, 2, 4, 8 and
 * {@link EvaluationConfig#recallKs()}, Precision@1, MAP@R and R-Precision, the original code's mAP_c, and
 * NMI and pairwise F1 of one k-means clustering against the labels (DIVA_SPEC section 6). Two protocols:
 * leave-one-out ({@link #evaluate(float[][], int[])}, CUB, CARS, SOP) and query/gallery
 * ({@link #evaluate(float[][], int[], float[][], int[])}, In-Shop). See docs/evaluation.md.
 *
 * <p>The neighbour search ({@link NearestNeighbours}: blocked, in bounded memory, exact with ties by the
 * smaller index) runs once with {@code m = max(largest k, largest R)} neighbours (capped at the number of
 * candidates) and is shared by all retrieval metrics; in leave-one-out mode the query is excluded by
 * index, so an exact duplicate of it is an ordinary neighbour. k-means uses {@link EvaluationConfig#clusters()}
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

    public EvaluationConfig config() {
        return config;
    }

    /**
     * Evaluates one embedding in leave-one-out mode: every item is a query against all other items.
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
            throw new IllegalArgumentException(embeddings.length + " embeddings but " + labels.length + " labels");
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
        MapAtRResult map = new MapAtR().compute(neighbours, labels);
        double mapAtC = new MapAtC().compute(neighbours, labels);
        double precisionAt1 = PrecisionAtOne.compute(neighbours, labels);
        neighbours = null; // n x m ints, no longer needed during k-means
        return scores(ks, recall, map, precisionAt1, mapAtC, matrix, labels);
    }

    /**
     * Evaluates one embedding in query/gallery mode (the In-Shop protocol): every query is ranked against
     * the gallery only, and nothing is excluded (a query is not a gallery item). Recall@k counts a query
     * as a hit if one of its {@code k} nearest gallery items has its label (queries without any gallery
     * item of their label follow {@link EvaluationConfig#singletonPolicy()}); MAP@R, R-Precision and
     * Precision@1 use {@code R} = the number of gallery items of the query's label, over the queries with
     * {@code R >= 1}. {@code mapAtC} (a leave-one-out quantity) is {@code NaN}. NMI and F1 cluster the
     * union of queries and gallery (every item once, with its label) into {@link EvaluationConfig#clusters()}
     * clusters, or as many as there are distinct labels in the union.
     *
     * @param queries {@code n_q x d} matrix of finite values, {@code n_q >= 1}
     * @param queryLabels class label of each query row
     * @param gallery {@code n_g x d} matrix of finite values, {@code n_g >= 1}
     * @param galleryLabels class label of each gallery row
     * @return the scores; {@code mapAtR}, {@code rPrecision} and {@code precisionAt1} are {@code NaN} if
     *     no query has a gallery item of its label
     * @throws IllegalArgumentException on mismatched sizes or dimensions, empty sets, non-finite values,
     *     or more clusters requested than items
     */
    public RetrievalScores evaluate(float[][] queries, int[] queryLabels, float[][] gallery, int[] galleryLabels) {
        Objects.requireNonNull(queries, "queries");
        Objects.requireNonNull(queryLabels, "queryLabels");
        Objects.requireNonNull(gallery, "gallery");
        Objects.requireNonNull(galleryLabels, "galleryLabels");
        if (queries.length != queryLabels.length) {
            throw new IllegalArgumentException(
                    queries.length + " query embeddings but " + queryLabels.length + " query labels");
        }
        if (gallery.length != galleryLabels.length) {
            throw new IllegalArgumentException(
                    gallery.length + " gallery embeddings but " + galleryLabels.length + " gallery labels");
        }
        EmbeddingMatrix queryMatrix = EmbeddingMatrix.of(queries);
        EmbeddingMatrix galleryMatrix = EmbeddingMatrix.of(gallery);
        List<Integer> ks = config.evaluatedRecallKs();
        RecallAtK recallAtK = new RecallAtK(ks, config.singletonPolicy());
        int largestR = 0;
        for (int r : LabelStats.galleryMatches(queryLabels, galleryLabels)) {
            largestR = Math.max(largestR, r);
        }
        int m = Math.max(recallAtK.requiredNeighbours(), largestR);
        int[][] neighbours = new NearestNeighbours(m, config.parallel()).search(queryMatrix, galleryMatrix, false);
        double[] recall = recallAtK.compute(neighbours, queryLabels, galleryLabels);
        MapAtRResult map = new MapAtR().compute(neighbours, queryLabels, galleryLabels);
        double precisionAt1 = PrecisionAtOne.compute(neighbours, queryLabels, galleryLabels);
        neighbours = null;
        int[] unionLabels = new int[queryLabels.length + galleryLabels.length];
        System.arraycopy(queryLabels, 0, unionLabels, 0, queryLabels.length);
        System.arraycopy(galleryLabels, 0, unionLabels, queryLabels.length, galleryLabels.length);
        return scores(
                ks,
                recall,
                map,
                precisionAt1,
                Double.NaN,
                EmbeddingMatrix.concat(queryMatrix, galleryMatrix),
                unionLabels);
    }

    /** Clusters the items for NMI and F1 and assembles the scores. */
    private RetrievalScores scores(
            List<Integer> ks,
            double[] recall,
            MapAtRResult map,
            double precisionAt1,
            double mapAtC,
            EmbeddingMatrix items,
            int[] labels) {
        Map<Integer, Double> recallByK = new HashMap<>();
        for (int i = 0; i < ks.size(); i++) {
            recallByK.put(ks.get(i), recall[i]);
        }
        int clusters = config.clusters() > 0 ? config.clusters() : LabelStats.distinct(labels);
        KMeansConfig kMeansConfig = new KMeansConfig(
                clusters,
                config.kMeansMaxIterations(),
                config.kMeansRestarts(),
                KMeansConfig.DEFAULT_TOLERANCE,
                config.seed(),
                config.kMeansSeeding());
        int[] clustering =
                new KMeans(kMeansConfig, config.parallel()).fit(items).assignments();
        double nmi = NormalizedMutualInformation.compute(labels, clustering);
        double f1 = PairwiseF1.compute(labels, clustering);
        return new RetrievalScores(
                recallByK.get(1),
                recallByK.get(2),
                recallByK.get(4),
                recallByK.get(8),
                nmi,
                map.mapAtR(),
                map.rPrecision(),
                precisionAt1,
                mapAtC,
                f1,
                recallByK,
                clusters);
    }
}
