package io.divastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KMeansTest {

    private static final int BLOBS = 6;

    private static int[] blobLabels() {
        return NaiveRetrieval.randomLabels(20, 240, BLOBS);
    }

    /** Six tight Gaussian blobs (noise 0.05) around centres drawn with standard deviation 10. */
    private static float[][] blobs(int[] labels) {
        float[][] x = NaiveRetrieval.clusteredEmbeddings(21, labels, 16, 0.005);
        for (float[] row : x) {
            for (int t = 0; t < row.length; t++) {
                row[t] *= 10f;
            }
        }
        return x;
    }

    @Test
    void recoversWellSeparatedBlobsExactly() {
        int[] truth = blobLabels();
        float[][] x = blobs(truth);
        for (long seed = 0; seed < 5; seed++) {
            KMeansResult result = new KMeans(KMeansConfig.of(BLOBS, seed).withRestarts(3)).fit(x);
            assertThat(NormalizedMutualInformation.compute(truth, result.assignments()))
                    .as("seed %d", seed)
                    .isCloseTo(1.0, within(1e-12));
            assertSamePartition(truth, result.assignments());
        }
    }

    @Test
    void isDeterministicPerSeedWithOrWithoutParallelism() {
        int[] labels = NaiveRetrieval.randomLabels(22, 300, 10);
        float[][] x = NaiveRetrieval.clusteredEmbeddings(23, labels, 12, 0.8);
        KMeansConfig config = KMeansConfig.of(10, 42).withRestarts(2);
        KMeansResult a = new KMeans(config, true).fit(x);
        KMeansResult b = new KMeans(config, true).fit(x);
        KMeansResult c = new KMeans(config, false).fit(x);
        assertThat(a.assignments()).containsExactly(b.assignments());
        assertThat(a.assignments()).containsExactly(c.assignments());
        assertThat(a.centroids()).isDeepEqualTo(b.centroids()).isDeepEqualTo(c.centroids());
        assertThat(a.inertia()).isEqualTo(c.inertia());
    }

    @Test
    void resultIsALloydFixedPointWithConsistentInertia() {
        int[] labels = NaiveRetrieval.randomLabels(24, 200, 8);
        float[][] x = NaiveRetrieval.clusteredEmbeddings(25, labels, 6, 0.7);
        KMeansResult result = new KMeans(new KMeansConfig(8, 300, 1, 0.0, 7)).fit(x);
        assertThat(result.iterations()).isLessThan(300);
        double inertia = 0.0;
        for (int i = 0; i < x.length; i++) {
            // every point sits at its nearest centroid
            int nearest = 0;
            for (int j = 1; j < 8; j++) {
                if (distance(x[i], result.centroids()[j]) < distance(x[i], result.centroids()[nearest])) {
                    nearest = j;
                }
            }
            assertThat(result.assignments()[i]).isEqualTo(nearest);
            inertia += distance(x[i], result.centroids()[nearest]);
        }
        assertThat(result.inertia()).isCloseTo(inertia, within(1e-9 * inertia));
        // and every centroid is the mean of its points
        for (int j = 0; j < 8; j++) {
            double[] mean = new double[6];
            int count = 0;
            for (int i = 0; i < x.length; i++) {
                if (result.assignments()[i] == j) {
                    count++;
                    for (int t = 0; t < 6; t++) {
                        mean[t] += x[i][t];
                    }
                }
            }
            assertThat(count).isPositive();
            for (int t = 0; t < 6; t++) {
                assertThat(result.centroids()[j][t]).isCloseTo(mean[t] / count, within(1e-9));
            }
        }
    }

    @Test
    void moreRestartsNeverIncreaseInertia() {
        float[][] x = NaiveRetrieval.randomEmbeddings(26, 300, 4, false);
        double previous = Double.POSITIVE_INFINITY;
        for (int restarts : new int[] {1, 3, 8}) {
            double inertia = new KMeans(KMeansConfig.of(12, 3).withRestarts(restarts))
                    .fit(x)
                    .inertia();
            assertThat(inertia).isLessThanOrEqualTo(previous);
            previous = inertia;
        }
    }

    @Test
    void randomPointSeedingStartsFromDataPointsAndRecoversBlobs() {
        int[] truth = blobLabels();
        float[][] x = blobs(truth);
        KMeansConfig config = KMeansConfig.of(BLOBS, 9).withRestarts(8).withSeeding(KMeansConfig.Seeding.RANDOM_POINTS);
        KMeansResult result = new KMeans(config).fit(x);
        assertSamePartition(truth, result.assignments());
        assertThat(new KMeans(config, false).fit(x).assignments()).containsExactly(result.assignments());
        // with no Lloyd update to speak of (one iteration on k = n), every centroid is one of the points
        float[][] few = NaiveRetrieval.randomEmbeddings(30, 5, 3, false);
        KMeansResult start = new KMeans(new KMeansConfig(5, 1, 1, 0.0, 3, KMeansConfig.Seeding.RANDOM_POINTS)).fit(few);
        assertThat(start.inertia()).isZero();
        assertThat(Arrays.stream(start.assignments()).distinct().count()).isEqualTo(5);
    }

    @Test
    void reseedsAnEmptyClusterFromTheFarthestPoint() {
        int[] truth = NaiveRetrieval.randomLabels(27, 90, 3);
        float[][] x = NaiveRetrieval.clusteredEmbeddings(28, truth, 4, 0.01);
        double[][] initial = new double[3][4];
        int first0 = indexOf(truth, 0);
        int first1 = indexOf(truth, 1);
        for (int t = 0; t < 4; t++) {
            initial[0][t] = x[first0][t];
            initial[1][t] = x[first1][t];
            initial[2][t] = 1000.0; // attracts no point: empty after the first assignment
        }
        KMeansResult result = new KMeans(KMeansConfig.of(3, 0)).fitFrom(x, initial);
        assertThat(Arrays.stream(result.assignments()).distinct().count()).isEqualTo(3);
        assertSamePartition(truth, result.assignments());
        assertThat(result.centroids()[2][0]).isLessThan(100.0);
    }

    @Test
    void emptyClusterTakesTheFarthestPointWhichLeavesItsOldCluster() {
        // 1-D points 0, 1, 2, 10; centroid 1 starts far away, so every point first joins centroid 0.5.
        // The update moves the farthest point (10) into the empty cluster, and cluster 0 becomes the mean
        // of the other three. One iteration pins down exactly that step.
        float[][] x = {{0f}, {1f}, {2f}, {10f}};
        double[][] initial = {{0.5}, {1000.0}};
        KMeansResult result = new KMeans(new KMeansConfig(2, 1, 1, 0.0, 0)).fitFrom(x, initial);
        assertThat(result.centroids()[0][0]).isCloseTo(1.0, within(1e-12));
        assertThat(result.centroids()[1][0]).isEqualTo(10.0);
        assertThat(result.assignments()).containsExactly(0, 0, 0, 1);
        assertThat(result.inertia()).isCloseTo(2.0, within(1e-12));

        // now 10 is the farthest point but alone in cluster 2 (centroid 14): taking it would just empty
        // cluster 2, so the farthest point of a cluster with two or more members (2) is taken instead
        double[][] withSingleton = {{0.5}, {1000.0}, {14.0}};
        KMeansResult reseeded = new KMeans(new KMeansConfig(3, 1, 1, 0.0, 0)).fitFrom(x, withSingleton);
        assertThat(reseeded.centroids()[0][0]).isCloseTo(0.5, within(1e-12));
        assertThat(reseeded.centroids()[1][0]).isEqualTo(2.0);
        assertThat(reseeded.centroids()[2][0]).isEqualTo(10.0);
        assertThat(reseeded.assignments()).containsExactly(0, 0, 1, 2);
    }

    @Test
    void handlesFewerDistinctPointsThanClusters() {
        float[][] x = new float[10][];
        for (int i = 0; i < 10; i++) {
            x[i] = i % 2 == 0 ? new float[] {0f, 0f} : new float[] {1f, 1f};
        }
        KMeansResult result = new KMeans(KMeansConfig.of(3, 5)).fit(x);
        assertThat(Arrays.stream(result.assignments()).allMatch(a -> a >= 0 && a < 3))
                .isTrue();
        assertThat(result.inertia()).isZero();
    }

    @Test
    void kEqualToNGivesZeroInertiaAndLargerKIsRejected() {
        float[][] x = NaiveRetrieval.randomEmbeddings(29, 7, 3, false);
        KMeansResult result = new KMeans(KMeansConfig.of(7, 1)).fit(x);
        assertThat(result.inertia()).isZero();
        assertThat(Arrays.stream(result.assignments()).distinct().count()).isEqualTo(7);
        assertThatThrownBy(() -> new KMeans(KMeansConfig.of(8, 1)).fit(x)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KMeansConfig.of(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static double distance(float[] a, double[] b) {
        double s = 0.0;
        for (int t = 0; t < a.length; t++) {
            double diff = a[t] - b[t];
            s += diff * diff;
        }
        return s;
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        throw new AssertionError("missing " + value);
    }

    /** Asserts that the two labelings are equal up to a one-to-one renaming of the clusters. */
    private static void assertSamePartition(int[] truth, int[] clusters) {
        Map<Integer, Integer> clusterToTruth = new HashMap<>();
        Map<Integer, Integer> truthToCluster = new HashMap<>();
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i];
            int c = clusters[i];
            assertThat(clusterToTruth.computeIfAbsent(c, key -> t)).isEqualTo(t);
            assertThat(truthToCluster.computeIfAbsent(t, key -> c)).isEqualTo(c);
        }
    }
}
