package io.divastream.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of {@link RetrievalEvaluator}.
 *
 * @param seed k-means seed
 * @param clusters number of k-means clusters; 0 means the number of distinct labels, i.e. of test
 *     classes (the recommended default, DIVA_SPEC 6.2); pass the number of training classes for parity
 *     with the original code
 * @param kMeansRestarts k-means restarts, at least 1
 * @param kMeansMaxIterations k-means iteration limit per restart, at least 1
 * @param singletonPolicy how Recall@k counts queries whose label has no other member
 * @param parallel whether the neighbour search and k-means may use the common fork-join pool
 *     (results are identical either way)
 * @param recallKs the k values of Recall@k reported in {@link RetrievalScores#recallAtK()} in addition to
 *     1, 2, 4 and 8 (which are always evaluated); positive, an unmodifiable copy
 * @param kMeansSeeding k-means initialisation: k-means++ (default) or faiss's random points, which
 *     avoids k-means++'s {@code k} sequential passes when k is large (11,316 clusters on SOP)
 */
public record EvaluationConfig(
        long seed,
        int clusters,
        int kMeansRestarts,
        int kMeansMaxIterations,
        RecallAtK.SingletonPolicy singletonPolicy,
        boolean parallel,
        List<Integer> recallKs,
        KMeansConfig.Seeding kMeansSeeding) {

    /**
     * Validates the settings.
     *
     * @param seed k-means seed
     * @param clusters number of clusters, or 0 for the number of distinct labels
     * @param kMeansRestarts k-means restarts
     * @param kMeansMaxIterations k-means iteration limit
     * @param singletonPolicy Recall@k singleton policy
     * @param parallel whether to use the common fork-join pool
     * @param recallKs additional Recall@k values
     * @param kMeansSeeding k-means initialisation
     */
    public EvaluationConfig {
        Objects.requireNonNull(kMeansSeeding, "kMeansSeeding");
        if (clusters < 0) {
            throw new IllegalArgumentException("clusters must be >= 0, got " + clusters);
        }
        if (kMeansRestarts < 1) {
            throw new IllegalArgumentException("kMeansRestarts must be >= 1, got " + kMeansRestarts);
        }
        if (kMeansMaxIterations < 1) {
            throw new IllegalArgumentException("kMeansMaxIterations must be >= 1, got " + kMeansMaxIterations);
        }
        Objects.requireNonNull(singletonPolicy, "singletonPolicy");
        Objects.requireNonNull(recallKs, "recallKs");
        for (Integer k : recallKs) {
            if (k == null || k < 1) {
                throw new IllegalArgumentException("every Recall@k value must be >= 1, got " + recallKs);
            }
        }
        recallKs = List.copyOf(recallKs);
    }

    /**
     * Settings with k-means++ seeding.
     *
     * @param seed k-means seed
     * @param clusters number of clusters, or 0 for the number of distinct labels
     * @param kMeansRestarts k-means restarts
     * @param kMeansMaxIterations k-means iteration limit
     * @param singletonPolicy Recall@k singleton policy
     * @param parallel whether to use the common fork-join pool
     * @param recallKs additional Recall@k values
     */
    public EvaluationConfig(
            long seed,
            int clusters,
            int kMeansRestarts,
            int kMeansMaxIterations,
            RecallAtK.SingletonPolicy singletonPolicy,
            boolean parallel,
            List<Integer> recallKs) {
        this(
                seed,
                clusters,
                kMeansRestarts,
                kMeansMaxIterations,
                singletonPolicy,
                parallel,
                recallKs,
                KMeansConfig.Seeding.K_MEANS_PLUS_PLUS);
    }

    /**
     * Settings evaluating Recall@{1, 2, 4, 8} only.
     *
     * @param seed k-means seed
     * @param clusters number of clusters, or 0 for the number of distinct labels
     * @param kMeansRestarts k-means restarts
     * @param kMeansMaxIterations k-means iteration limit
     * @param singletonPolicy Recall@k singleton policy
     * @param parallel whether to use the common fork-join pool
     */
    public EvaluationConfig(
            long seed,
            int clusters,
            int kMeansRestarts,
            int kMeansMaxIterations,
            RecallAtK.SingletonPolicy singletonPolicy,
            boolean parallel) {
        this(seed, clusters, kMeansRestarts, kMeansMaxIterations, singletonPolicy, parallel, RecallAtK.DEFAULT_KS);
    }

    /**
     * Returns the evaluated Recall@k values: 1, 2, 4, 8, then the further ones of {@link #recallKs()} in
     * their order, without repetition.
     *
     * @return the k values
     */
    public List<Integer> evaluatedRecallKs() {
        List<Integer> ks = new ArrayList<>(RecallAtK.DEFAULT_KS);
        for (int k : recallKs) {
            if (!ks.contains(k)) {
                ks.add(k);
            }
        }
        return List.copyOf(ks);
    }

    /**
     * Defaults: seed 0, clusters = number of labels, 1 restart, 100 iterations, singleton queries
     * counted as misses, parallel.
     *
     * @return the default settings
     */
    public static EvaluationConfig defaults() {
        return new EvaluationConfig(
                0L,
                0,
                KMeansConfig.DEFAULT_RESTARTS,
                KMeansConfig.DEFAULT_MAX_ITERATIONS,
                RecallAtK.SingletonPolicy.COUNT_AS_MISS,
                true);
    }

    /**
     * Returns a copy with another seed.
     *
     * @param newSeed k-means seed
     * @return the modified settings
     */
    public EvaluationConfig withSeed(long newSeed) {
        return new EvaluationConfig(
                newSeed,
                clusters,
                kMeansRestarts,
                kMeansMaxIterations,
                singletonPolicy,
                parallel,
                recallKs,
                kMeansSeeding);
    }

    /**
     * Returns a copy with another cluster count. For parity with the original code, which clusters
     * into as many clusters as there are training classes, pass that number.
     *
     * @param newClusters number of clusters, or 0 for the number of distinct labels
     * @return the modified settings
     */
    public EvaluationConfig withClusters(int newClusters) {
        return new EvaluationConfig(
                seed,
                newClusters,
                kMeansRestarts,
                kMeansMaxIterations,
                singletonPolicy,
                parallel,
                recallKs,
                kMeansSeeding);
    }

    /**
     * Returns a copy with another number of k-means restarts.
     *
     * @param newRestarts restarts, at least 1
     * @return the modified settings
     */
    public EvaluationConfig withKMeansRestarts(int newRestarts) {
        return new EvaluationConfig(
                seed, clusters, newRestarts, kMeansMaxIterations, singletonPolicy, parallel, recallKs, kMeansSeeding);
    }

    /**
     * Returns a copy with another singleton policy.
     *
     * @param newPolicy Recall@k singleton policy
     * @return the modified settings
     */
    public EvaluationConfig withSingletonPolicy(RecallAtK.SingletonPolicy newPolicy) {
        return new EvaluationConfig(
                seed, clusters, kMeansRestarts, kMeansMaxIterations, newPolicy, parallel, recallKs, kMeansSeeding);
    }

    /**
     * Returns a copy with parallelism switched on or off.
     *
     * @param newParallel whether to use the common fork-join pool
     * @return the modified settings
     */
    public EvaluationConfig withParallel(boolean newParallel) {
        return new EvaluationConfig(
                seed,
                clusters,
                kMeansRestarts,
                kMeansMaxIterations,
                singletonPolicy,
                newParallel,
                recallKs,
                kMeansSeeding);
    }

    /**
     * Returns a copy with other additional Recall@k values.
     *
     * @param newRecallKs k values reported besides 1, 2, 4 and 8 (e.g. 10, 100, 1000 for SOP)
     * @return the modified settings
     */
    public EvaluationConfig withRecallKs(List<Integer> newRecallKs) {
        return new EvaluationConfig(
                seed,
                clusters,
                kMeansRestarts,
                kMeansMaxIterations,
                singletonPolicy,
                parallel,
                newRecallKs,
                kMeansSeeding);
    }

    /**
     * Returns a copy with another k-means iteration limit (faiss, and the original code, run 20).
     *
     * @param newMaxIterations iteration limit per restart, at least 1
     * @return the modified settings
     */
    public EvaluationConfig withKMeansMaxIterations(int newMaxIterations) {
        return new EvaluationConfig(
                seed, clusters, kMeansRestarts, newMaxIterations, singletonPolicy, parallel, recallKs, kMeansSeeding);
    }

    /**
     * Returns a copy with another k-means initialisation.
     *
     * @param newSeeding k-means++ or faiss's random points
     * @return the modified settings
     */
    public EvaluationConfig withKMeansSeeding(KMeansConfig.Seeding newSeeding) {
        return new EvaluationConfig(
                seed, clusters, kMeansRestarts, kMeansMaxIterations, singletonPolicy, parallel, recallKs, newSeeding);
    }
}
