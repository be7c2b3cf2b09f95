package io.divastream.evaluation;

import java.util.List;
import java.util.Objects;

/**
 * Recall@k as reported in deep metric learning papers: the fraction of queries that have at least one
 * item of their own label among their {@code k} nearest other items (leave-one-out, Euclidean distance,
 * ties by smaller index; see {@link NearestNeighbours}), or, in query/gallery mode (In-Shop), among
 * their {@code k} nearest gallery items.
 *
 * <p>A query whose label has no other member can never be answered correctly. With
 * {@link SingletonPolicy#COUNT_AS_MISS} (the default) such queries stay in the denominator and count as
 * misses, which is what evaluating all items of a test split does; with {@link SingletonPolicy#EXCLUDE}
 * they are left out of the denominator. If {@code k} exceeds the number of other items, all other items
 * are used. Instances are immutable and thread-safe.
 */
public final class RecallAtK {

    /** The k values reported by most papers: 1, 2, 4, 8. */
    public static final List<Integer> DEFAULT_KS = List.of(1, 2, 4, 8);

    /** What to do with queries whose label has no other member. */
    public enum SingletonPolicy {
        /** Keep them in the denominator; they are always misses. */
        COUNT_AS_MISS,
        /** Leave them out of numerator and denominator. */
        EXCLUDE
    }

    private final List<Integer> ks;
    private final SingletonPolicy singletonPolicy;

    /** Creates Recall@{1, 2, 4, 8} counting singleton queries as misses. */
    public RecallAtK() {
        this(DEFAULT_KS, SingletonPolicy.COUNT_AS_MISS);
    }

    /**
     * Creates Recall@k for the given k values.
     *
     * @param ks non-empty list of positive k values, reported in this order
     * @param singletonPolicy how queries without any same-label item are counted
     */
    public RecallAtK(List<Integer> ks, SingletonPolicy singletonPolicy) {
        Objects.requireNonNull(ks, "ks");
        this.singletonPolicy = Objects.requireNonNull(singletonPolicy, "singletonPolicy");
        if (ks.isEmpty()) {
            throw new IllegalArgumentException("ks must not be empty");
        }
        for (Integer k : ks) {
            if (k == null || k < 1) {
                throw new IllegalArgumentException("every k must be >= 1, got " + ks);
            }
        }
        this.ks = List.copyOf(ks);
    }

    /**
     * Returns the k values, in reporting order.
     *
     * @return immutable list of k values
     */
    public List<Integer> ks() {
        return ks;
    }

    public SingletonPolicy singletonPolicy() {
        return singletonPolicy;
    }

    /**
     * Returns how many neighbours per query {@link #compute(int[][], int[])} needs: the largest k.
     *
     * @return the largest configured k
     */
    public int requiredNeighbours() {
        int max = 0;
        for (int k : ks) {
            max = Math.max(max, k);
        }
        return max;
    }

    /**
     * Computes Recall@k from embeddings, running a {@link NearestNeighbours} search first.
     *
     * @param embeddings {@code n x d} matrix
     * @param labels class label of each row
     * @return recall for each k, in the order of {@link #ks()}; {@code NaN} if no query is counted
     */
    public double[] compute(float[][] embeddings, int[] labels) {
        return compute(new NearestNeighbours(requiredNeighbours()).search(embeddings), labels);
    }

    /**
     * Computes Recall@k from precomputed neighbour lists.
     *
     * @param neighbours for each query, other item indices nearest first, at least
     *     {@code min(requiredNeighbours(), n - 1)} of them
     * @param labels class label of each item
     * @return recall for each k, in the order of {@link #ks()}; {@code NaN} if no query is counted
     */
    public double[] compute(int[][] neighbours, int[] labels) {
        LabelStats.checkNeighbours(neighbours, labels, requiredNeighbours());
        return compute(neighbours, labels, labels, LabelStats.sameLabelOthers(labels));
    }

    /**
     * Computes leave-one-out Recall@k over some of the items as queries: each listed item is ranked against all
     * other items, and only the listed items are counted (the recall of one group of classes within a larger
     * set, whose other items are distractors).
     *
     * @param neighbours for each item, other item indices nearest first, as for {@link #compute(int[][], int[])}
     * @param labels class label of each item
     * @param queries indices of the items counted as queries (each once)
     * @return recall for each k, in the order of {@link #ks()}; {@code NaN} if no query is counted
     */
    public double[] computeForQueries(int[][] neighbours, int[] labels, int[] queries) {
        LabelStats.checkNeighbours(neighbours, labels, requiredNeighbours());
        LabelStats.Queries selected = LabelStats.Queries.select(neighbours, labels, queries);
        return compute(selected.rows(), selected.labels(), labels, selected.relevant());
    }

    /**
     * Computes Recall@k in query/gallery mode (In-Shop): a query is a hit at k if one of its {@code k}
     * nearest gallery items has its label; a query without any gallery item of its label is a
     * singleton for the {@link #singletonPolicy()}.
     *
     * @param neighbours for each query, gallery indices nearest first, at least
     *     {@code min(requiredNeighbours(), n_gallery)} of them
     * @param queryLabels class label of each query
     * @param galleryLabels class label of each gallery item
     * @return recall for each k, in the order of {@link #ks()}; {@code NaN} if no query is counted
     */
    public double[] compute(int[][] neighbours, int[] queryLabels, int[] galleryLabels) {
        LabelStats.checkNeighbours(neighbours, queryLabels, galleryLabels, requiredNeighbours());
        return compute(neighbours, queryLabels, galleryLabels, LabelStats.galleryMatches(queryLabels, galleryLabels));
    }

    private double[] compute(int[][] neighbours, int[] queryLabels, int[] galleryLabels, int[] relevant) {
        int[] hits = new int[ks.size()];
        int counted = 0;
        for (int q = 0; q < queryLabels.length; q++) {
            if (relevant[q] == 0 && singletonPolicy == SingletonPolicy.EXCLUDE) {
                continue;
            }
            counted++;
            int firstHit = firstSameLabelRank(neighbours[q], galleryLabels, queryLabels[q]);
            for (int i = 0; i < hits.length; i++) {
                if (firstHit < ks.get(i)) {
                    hits[i]++;
                }
            }
        }
        double[] recall = new double[ks.size()];
        for (int i = 0; i < recall.length; i++) {
            recall[i] = counted == 0 ? Double.NaN : (double) hits[i] / counted;
        }
        return recall;
    }

    /** Zero-based rank of the first same-label neighbour, or Integer.MAX_VALUE if there is none. */
    private static int firstSameLabelRank(int[] row, int[] galleryLabels, int label) {
        for (int r = 0; r < row.length; r++) {
            if (galleryLabels[row[r]] == label) {
                return r;
            }
        }
        return Integer.MAX_VALUE;
    }
}
