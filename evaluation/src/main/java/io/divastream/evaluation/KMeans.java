package io.divastream.evaluation;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Lloyd's k-means with k-means++ initialisation (Arthur and Vassilvitskii, 2007) or, for large k, the random
 * initialisation of faiss. Design notes: docs/design-notes.md#kmeans.
 */
public final class KMeans {

    private static final int POINT_BLOCK = 128;

    private final KMeansConfig config;
    private final boolean parallel;

    /**
     * Creates a k-means that parallelises the assignment step.
     *
     * @param config settings
     */
    public KMeans(KMeansConfig config) {
        this(config, true);
    }

    /**
     * Creates a k-means.
     *
     * @param config settings
     * @param parallel whether to spread the assignment step over the common fork-join pool
     */
    public KMeans(KMeansConfig config, boolean parallel) {
        this.config = Objects.requireNonNull(config, "config");
        this.parallel = parallel;
    }

    public KMeansConfig config() {
        return config;
    }

    /**
     * Clusters the rows of {@code data}.
     *
     * @param data {@code n x d} matrix of finite values with {@code n >= k}
     * @return the lowest-inertia restart
     * @throws IllegalArgumentException if the matrix is empty, ragged, non-finite, or has fewer rows than k
     */
    public KMeansResult fit(float[][] data) {
        return fit(EmbeddingMatrix.of(data));
    }

    /** Same as {@link #fit(float[][])} on an already validated matrix. */
    KMeansResult fit(EmbeddingMatrix x) {
        int k = config.k();
        if (k > x.rows()) {
            throw new IllegalArgumentException("k = " + k + " exceeds the number of points " + x.rows());
        }
        double tolerance = config.tolerance() * meanVariance(x);
        SplittableRandom master = new SplittableRandom(config.seed());
        KMeansResult best = null;
        for (int r = 0; r < config.restarts(); r++) {
            SplittableRandom rng = master.split();
            double[] centroids = config.seeding() == KMeansConfig.Seeding.K_MEANS_PLUS_PLUS
                    ? initialise(x, k, rng)
                    : randomPoints(x, k, rng);
            KMeansResult run = lloyd(x, centroids, k, tolerance);
            if (best == null || run.inertia() < best.inertia()) {
                best = run;
            }
        }
        return best;
    }

    /** Runs Lloyd's iterations from explicit initial centroids (package-private, for tests). */
    KMeansResult fitFrom(float[][] data, double[][] initialCentroids) {
        EmbeddingMatrix x = EmbeddingMatrix.of(data);
        int k = initialCentroids.length;
        double[] centroids = new double[k * x.dim()];
        for (int j = 0; j < k; j++) {
            System.arraycopy(initialCentroids[j], 0, centroids, j * x.dim(), x.dim());
        }
        return lloyd(x, centroids, k, config.tolerance() * meanVariance(x));
    }

    private KMeansResult lloyd(EmbeddingMatrix x, double[] initialCentroids, int k, double tolerance) {
        int n = x.rows();
        int d = x.dim();
        double[] centroids = initialCentroids;
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        double[] distances = new double[n];
        assign(x, centroids, k, labels, distances);
        int iterations = 0;
        for (int it = 1; it <= config.maxIterations(); it++) {
            double[] updated = update(x, k, labels, distances);
            double shift = 0.0;
            for (int t = 0; t < k * d; t++) {
                double diff = updated[t] - centroids[t];
                shift += diff * diff;
            }
            centroids = updated;
            boolean changed = assign(x, centroids, k, labels, distances);
            iterations = it;
            if (!changed || shift <= tolerance) {
                break;
            }
        }
        double[] values = x.values();
        double inertia = 0.0;
        for (int i = 0; i < n; i++) {
            inertia += squaredDistance(values, i * d, centroids, labels[i] * d, d);
        }
        double[][] centroidRows = new double[k][d];
        for (int j = 0; j < k; j++) {
            System.arraycopy(centroids, j * d, centroidRows[j], 0, d);
        }
        return new KMeansResult(labels, centroidRows, inertia, iterations);
    }

    /** k-means++ seeding; returns k x d centroids, row-major. */
    private double[] initialise(EmbeddingMatrix x, int k, SplittableRandom rng) {
        int n = x.rows();
        int d = x.dim();
        double[] values = x.values();
        double[] centroids = new double[k * d];
        int first = rng.nextInt(n);
        System.arraycopy(values, first * d, centroids, 0, d);
        double[] nearest = new double[n];
        forEachPointBlock(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                nearest[i] = squaredDistance(values, i * d, centroids, 0, d);
            }
            return 0;
        });
        for (int j = 1; j < k; j++) {
            int chosen = sampleProportional(nearest, rng);
            System.arraycopy(values, chosen * d, centroids, j * d, d);
            int offset = j * d;
            forEachPointBlock(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    nearest[i] = Math.min(nearest[i], squaredDistance(values, i * d, centroids, offset, d));
                }
                return 0;
            });
        }
        return centroids;
    }

    /** Random seeding as in faiss: k distinct points drawn uniformly without replacement. */
    private static double[] randomPoints(EmbeddingMatrix x, int k, SplittableRandom rng) {
        int n = x.rows();
        int d = x.dim();
        int[] order = IntStream.range(0, n).toArray();
        double[] centroids = new double[k * d];
        for (int j = 0; j < k; j++) {
            int pick = j + rng.nextInt(n - j);
            int chosen = order[pick];
            order[pick] = order[j];
            order[j] = chosen;
            System.arraycopy(x.values(), chosen * d, centroids, j * d, d);
        }
        return centroids;
    }

    /** Index drawn with probability proportional to weights; uniform if all weights are zero. */
    private static int sampleProportional(double[] weights, SplittableRandom rng) {
        double total = 0.0;
        for (double w : weights) {
            total += w;
        }
        if (!(total > 0.0)) {
            return rng.nextInt(weights.length);
        }
        double target = rng.nextDouble() * total;
        double cumulative = 0.0;
        int lastPositive = -1;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0.0) {
                cumulative += weights[i];
                lastPositive = i;
                if (cumulative > target) {
                    return i;
                }
            }
        }
        return lastPositive; // only reached through rounding of the cumulative sum
    }

    /**
     * Assigns every point to its nearest centroid (exact double-precision key, ties by smaller index; see
     * {@link NearestNeighbours}, whose blocked DJL search in query/gallery mode with {@code m = 1} does
     * the work) and stores the squared distance; returns whether any assignment changed.
     */
    private boolean assign(EmbeddingMatrix x, double[] centroids, int k, int[] labels, double[] distances) {
        int d = x.dim();
        EmbeddingMatrix c = EmbeddingMatrix.ofValues(centroids, k, d);
        int[][] nearest = new NearestNeighbours(1, parallel).search(x, c, false);
        double[] values = x.values();
        double[] pointNorms = x.squaredNorms();
        double[] centroidNorms = c.squaredNorms();
        int changed = forEachPointBlock(x.rows(), (from, to) -> {
            int blockChanged = 0;
            for (int i = from; i < to; i++) {
                int best = nearest[i][0];
                double dot = EmbeddingMatrix.dot(values, i * d, centroids, best * d, d);
                distances[i] = Math.max(0.0, pointNorms[i] + centroidNorms[best] - 2.0 * dot);
                if (labels[i] != best) {
                    labels[i] = best;
                    blockChanged++;
                }
            }
            return blockChanged;
        });
        return changed > 0;
    }

    /** Means of the assigned points, re-seeding empty clusters from the farthest points. */
    private static double[] update(EmbeddingMatrix x, int k, int[] labels, double[] distances) {
        int n = x.rows();
        int d = x.dim();
        double[] values = x.values();
        int[] counts = new int[k];
        double[] sums = new double[k * d];
        for (int i = 0; i < n; i++) {
            int l = labels[i];
            counts[l]++;
            int so = l * d;
            int io = i * d;
            for (int t = 0; t < d; t++) {
                sums[so + t] += values[io + t];
            }
        }
        for (int j = 0; j < k; j++) {
            if (counts[j] > 0) {
                continue;
            }
            int far = -1;
            for (int i = 0; i < n; i++) {
                if (counts[labels[i]] >= 2 && (far < 0 || distances[i] > distances[far])) {
                    far = i;
                }
            }
            int old = labels[far];
            counts[old]--;
            counts[j] = 1;
            labels[far] = j;
            distances[far] = 0.0;
            for (int t = 0; t < d; t++) {
                double v = values[far * d + t];
                sums[old * d + t] -= v;
                sums[j * d + t] = v;
            }
        }
        for (int j = 0; j < k; j++) {
            double inv = 1.0 / counts[j];
            for (int t = 0; t < d; t++) {
                sums[j * d + t] *= inv;
            }
        }
        return sums;
    }

    private static double squaredDistance(double[] a, int aOffset, double[] b, int bOffset, int d) {
        double s = 0.0;
        for (int t = 0; t < d; t++) {
            double diff = a[aOffset + t] - b[bOffset + t];
            s += diff * diff;
        }
        return s;
    }

    /** Mean over dimensions of the (population) variance of the data. */
    private static double meanVariance(EmbeddingMatrix x) {
        int n = x.rows();
        int d = x.dim();
        double[] values = x.values();
        double total = 0.0;
        for (int t = 0; t < d; t++) {
            double mean = 0.0;
            for (int i = 0; i < n; i++) {
                mean += values[i * d + t];
            }
            mean /= n;
            double variance = 0.0;
            for (int i = 0; i < n; i++) {
                double diff = values[i * d + t] - mean;
                variance += diff * diff;
            }
            total += variance / n;
        }
        return total / d;
    }

    /** Work on the point range [from, to); returns a count that is summed over blocks. */
    @FunctionalInterface
    private interface BlockTask {
        int run(int from, int to);
    }

    private int forEachPointBlock(int n, BlockTask task) {
        int blocks = (n + POINT_BLOCK - 1) / POINT_BLOCK;
        IntStream stream = IntStream.range(0, blocks);
        if (parallel) {
            stream = stream.parallel();
        }
        return stream.map(b -> task.run(b * POINT_BLOCK, Math.min(n, (b + 1) * POINT_BLOCK)))
                .sum();
    }
}
