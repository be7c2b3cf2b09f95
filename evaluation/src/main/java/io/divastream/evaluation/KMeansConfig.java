package io.divastream.evaluation;

import java.util.Objects;

/**
 * Settings of {@link KMeans}.
 *
 * @param k number of clusters, at least 1 (and at most the number of points when fitting)
 * @param maxIterations maximum Lloyd iterations per restart, at least 1
 * @param restarts number of independent k-means++ initialisations; the lowest-inertia run is kept
 * @param tolerance relative convergence tolerance: a restart stops when the summed squared centroid
 *     shift of an iteration is at most {@code tolerance} times the mean per-dimension variance of the
 *     data (as in scikit-learn), or when no assignment changed; non-negative
 * @param seed seed of the random stream used for initialisation
 * @param seeding how the initial centroids are chosen
 */
public record KMeansConfig(int k, int maxIterations, int restarts, double tolerance, long seed, Seeding seeding) {

    /** How {@link KMeans} chooses the initial centroids. */
    public enum Seeding {
        /** k-means++ (the default): good starts, but {@code k} sequential passes over the data. */
        K_MEANS_PLUS_PLUS,
        /** {@code k} distinct points drawn uniformly, as faiss does; for large k (e.g. 11,316 on SOP). */
        RANDOM_POINTS
    }

    /** Default maximum number of Lloyd iterations. */
    public static final int DEFAULT_MAX_ITERATIONS = 100;
    /** Default number of restarts. */
    public static final int DEFAULT_RESTARTS = 1;
    /** Default relative tolerance (scikit-learn's). */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    /**
     * Validates the settings.
     *
     * @param k number of clusters
     * @param maxIterations maximum iterations per restart
     * @param restarts number of restarts
     * @param tolerance relative convergence tolerance
     * @param seed random seed
     * @param seeding initialisation
     */
    public KMeansConfig {
        Objects.requireNonNull(seeding, "seeding");
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
        }
        if (restarts < 1) {
            throw new IllegalArgumentException("restarts must be >= 1, got " + restarts);
        }
        if (!(tolerance >= 0.0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
        }
    }

    /**
     * Settings with k-means++ seeding.
     *
     * @param k number of clusters
     * @param maxIterations maximum iterations per restart
     * @param restarts number of restarts
     * @param tolerance relative convergence tolerance
     * @param seed random seed
     */
    public KMeansConfig(int k, int maxIterations, int restarts, double tolerance, long seed) {
        this(k, maxIterations, restarts, tolerance, seed, Seeding.K_MEANS_PLUS_PLUS);
    }

    /**
     * Default settings (100 iterations, 1 restart, tolerance 1e-4) for the given k and seed.
     *
     * @param k number of clusters
     * @param seed random seed
     * @return the settings
     */
    public static KMeansConfig of(int k, long seed) {
        return new KMeansConfig(k, DEFAULT_MAX_ITERATIONS, DEFAULT_RESTARTS, DEFAULT_TOLERANCE, seed);
    }

    /**
     * Returns a copy with another number of restarts.
     *
     * @param newRestarts number of restarts, at least 1
     * @return the modified settings
     */
    public KMeansConfig withRestarts(int newRestarts) {
        return new KMeansConfig(k, maxIterations, newRestarts, tolerance, seed, seeding);
    }

    /**
     * Returns a copy with another iteration limit.
     *
     * @param newMaxIterations maximum iterations per restart, at least 1
     * @return the modified settings
     */
    public KMeansConfig withMaxIterations(int newMaxIterations) {
        return new KMeansConfig(k, newMaxIterations, restarts, tolerance, seed, seeding);
    }

    /**
     * Returns a copy with another initialisation.
     *
     * @param newSeeding how the initial centroids are chosen
     * @return the modified settings
     */
    public KMeansConfig withSeeding(Seeding newSeeding) {
        return new KMeansConfig(k, maxIterations, restarts, tolerance, seed, newSeeding);
    }
}
