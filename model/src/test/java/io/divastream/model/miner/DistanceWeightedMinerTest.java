package io.divastream.model.miner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DistanceWeightedMinerTest {

    private static final DistanceWeightedMiner MINER = new DistanceWeightedMiner(0.5);

    /** DIVA_SPEC 2.1, written out independently: weights of negatives, 0 for the anchor's class. */
    private static double[] naiveProbabilities(double[] d, int[] labels, int anchor, int k) {
        double[] w = new double[d.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < d.length; j++) {
            if (labels[j] != labels[anchor]) {
                double x = Math.max(0.5, d[j]);
                w[j] = (2 - k) * Math.log(x) - (k - 3) / 2.0 * Math.log(1 - x * x / 4);
                max = Math.max(max, w[j]);
            }
        }
        double sum = 0;
        for (int j = 0; j < d.length; j++) {
            w[j] = labels[j] != labels[anchor] ? Math.exp(w[j] - max) : 0;
            sum += w[j];
        }
        for (int j = 0; j < d.length; j++) {
            w[j] /= sum;
        }
        return w;
    }

    @Test
    void logWeightsReproduceTheTableOfTheSpecAt128Dimensions() {
        // DIVA_SPEC 2.1 table, k = 128: d -> log w
        double[][] table = {
            {0.5, 91.4}, {0.7, 53.1}, {0.9, 27.4}, {1.0, 18.0}, {1.2, 4.9}, {1.4, -0.3}, {1.6, 4.6}, {1.8, 29.7}
        };
        for (double[] row : table) {
            assertThat(DistanceWeightedMiner.logInverseSphereDensity(row[0], 128))
                    .as("log w at d = %s", row[0])
                    .isCloseTo(row[1], within(0.06));
        }
    }

    @Test
    void probabilitiesFollowTheInverseSphereDensityWithTheEmbeddingDimension() {
        int[] labels = {0, 0, 1, 1, 2, 2, 3, 4};
        double[] d = {0.0, 0.8, 0.9, 1.05, 1.2, 1.35, 1.5, 1.7};
        for (int k : new int[] {4, 16, 128}) {
            double[] p = MINER.negativeProbabilities(d, labels, 0, k);
            assertThat(p).as("k = %d", k).containsExactly(naiveProbabilities(d, labels, 0, k), within(1e-12));
            assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, within(1e-12));
            assertThat(p[0]).as("anchor").isZero();
            assertThat(p[1]).as("same-class sample").isZero();
        }
        // the dimension must matter (catches a hard-coded k)
        assertThat(MINER.negativeProbabilities(d, labels, 0, 16)[2])
                .isNotCloseTo(MINER.negativeProbabilities(d, labels, 0, 128)[2], within(1e-3));
    }

    @Test
    void distancesBelowTheLowerCutoffAreClampedTo0point5() {
        int[] labels = {0, 0, 1, 2, 3, 4};
        double[] d = {0.0, 0.3, 0.05, 0.3, 0.5, 0.9};
        double[] p = MINER.negativeProbabilities(d, labels, 0, 16);
        // 0.05, 0.3 and 0.5 all count as 0.5: same weight
        assertThat(p[2]).isCloseTo(p[3], within(1e-15)).isCloseTo(p[4], within(1e-15));
        assertThat(p[5]).isLessThan(p[4]).isPositive();
        assertThat(p).containsExactly(naiveProbabilities(d, labels, 0, 16), within(1e-12));
    }

    @Test
    void noUpperCutoffFarNegativesKeepTheirWeight() {
        int[] labels = {0, 0, 1, 2, 3};
        double[] d = {0.0, 0.7, 1.0, 1.4, 1.9};
        double[] p = MINER.negativeProbabilities(d, labels, 0, 16);
        // with a 1.4 upper cutoff, 1.9 would get 0; the density is non-monotone, so 1.9 outweighs 1.0 and 1.4
        assertThat(p[4]).isGreaterThan(p[2]).isGreaterThan(0.5);
        assertThat(p[3]).isLessThan(p[2]);
        assertThat(p).containsExactly(naiveProbabilities(d, labels, 0, 16), within(1e-12));
    }

    @Test
    void antipodalNegativesGiveFiniteProbabilities() {
        // 1 - d^2/4 = 0 at d = 2: the original code produces NaN, this one clamps
        int[] labels = {0, 0, 1, 2};
        double[] p = MINER.negativeProbabilities(new double[] {0, 0.4, 2.0, 1.0}, labels, 0, 128);
        for (double v : p) {
            assertThat(v).isFinite().isBetween(0.0, 1.0);
        }
        assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, within(1e-12));
        assertThat(p[2]).isGreaterThan(0.99);
    }

    @Test
    void anchorWithoutNegativesHasNoDistribution() {
        assertThat(MINER.negativeProbabilities(new double[] {0, 1, 1.2}, new int[] {3, 3, 3}, 1, 8))
                .isNull();
        float[][] e = randomUnit(new SplittableRandom(1), 4, 8);
        assertThat(MINER.mine(e, new int[] {3, 3, 3, 3}, new SplittableRandom(2))
                        .size())
                .isZero();
    }

    @Test
    void distancesMatchEuclideanDistances() {
        float[][] e = randomUnit(new SplittableRandom(3), 7, 5);
        double[][] d = DistanceWeightedMiner.distances(e);
        for (int i = 0; i < e.length; i++) {
            for (int j = 0; j < e.length; j++) {
                double s = 0;
                for (int c = 0; c < 5; c++) {
                    s += (e[i][c] - e[j][c]) * (double) (e[i][c] - e[j][c]);
                }
                assertThat(d[i][j]).isCloseTo(Math.sqrt(s), within(1e-6));
            }
        }
    }

    @Test
    void mineGivesOneTripletPerAnchorWithAPartnerAndRespectsTheLabels() {
        int[] labels = {0, 0, 1, 1, 1, 2, 3, 3, 4};
        // classes 2 and 4 are singletons: samples 5 and 8 can't be anchors, but can be negatives
        float[][] e = randomUnit(new SplittableRandom(4), labels.length, 6);
        for (int seed = 0; seed < 50; seed++) {
            Triplets t = MINER.mine(e, labels, new SplittableRandom(seed));
            assertThat(t.anchors()).containsExactly(0, 1, 2, 3, 4, 6, 7);
            for (int i = 0; i < t.size(); i++) {
                int a = t.anchors()[i];
                assertThat(t.positives()[i]).isNotEqualTo(a);
                assertThat(labels[t.positives()[i]]).isEqualTo(labels[a]);
                assertThat(labels[t.negatives()[i]]).isNotEqualTo(labels[a]);
            }
        }
    }

    @Test
    void negativeAndPositiveFrequenciesMatchTheDistribution() {
        // 4-d embeddings keep the distribution spread out enough to test its shape by sampling
        int[] labels = {0, 0, 0, 1, 1, 2, 2, 3, 4, 4};
        int k = 4;
        float[][] e = randomUnit(new SplittableRandom(11), labels.length, k);
        double[][] d = DistanceWeightedMiner.distances(e);
        int draws = 20_000;
        int[][] negCounts = new int[labels.length][labels.length];
        int[][] posCounts = new int[labels.length][labels.length];
        SplittableRandom random = new SplittableRandom(12);
        for (int r = 0; r < draws; r++) {
            Triplets t = MINER.mine(e, labels, random);
            for (int i = 0; i < t.size(); i++) {
                negCounts[t.anchors()[i]][t.negatives()[i]]++;
                posCounts[t.anchors()[i]][t.positives()[i]]++;
            }
        }
        int testedAnchors = 0;
        for (int a = 0; a < labels.length; a++) {
            int partners = 0;
            for (int j = 0; j < labels.length; j++) {
                if (j != a && labels[j] == labels[a]) {
                    partners++;
                }
            }
            if (partners == 0) {
                assertThat(negCounts[a])
                        .as("singleton %d is never an anchor", a)
                        .containsOnly(0);
                continue;
            }
            double[] p = naiveProbabilities(d[a], labels, a, k);
            double chi2 = 0;
            int cells = 0;
            for (int j = 0; j < labels.length; j++) {
                if (p[j] == 0) {
                    assertThat(negCounts[a][j])
                            .as("impossible negative %d for %d", j, a)
                            .isZero();
                    continue;
                }
                double expected = p[j] * draws;
                chi2 += (negCounts[a][j] - expected) * (negCounts[a][j] - expected) / expected;
                cells++;
            }
            // at most 8 cells (7 degrees of freedom): P(chi2 > 35) < 1e-5 under the right distribution
            assertThat(chi2)
                    .as("chi-square of the negatives of anchor %d over %d cells", a, cells)
                    .isLessThan(35);
            assertThat(Arrays.stream(p).max().getAsDouble())
                    .as("distribution not degenerate")
                    .isLessThan(0.9);
            testedAnchors++;
            for (int j = 0; j < labels.length; j++) {
                if (j != a && labels[j] == labels[a]) {
                    assertThat(posCounts[a][j] / (double) draws).isCloseTo(1.0 / partners, within(0.02));
                }
            }
        }
        assertThat(testedAnchors).isEqualTo(labels.length - 1); // all but the singleton 7
    }

    /**
     * Unit vectors in {@code k} dimensions: row 0 is e_0 and row j &gt; 0 is cos(t) e_0 + sin(t) e_j
     * with |row j - row 0| = target[j]; rows j, j' &gt; 0 are at least as far apart as they are from row 0
     * only through their shared e_0 component (their distances follow, they are not chosen).
     */
    static float[][] atDistancesFromRowZero(double[] target, int k) {
        float[][] e = new float[target.length][k];
        e[0][0] = 1;
        for (int j = 1; j < target.length; j++) {
            double cos = 1 - target[j] * target[j] / 2;
            e[j][0] = (float) cos;
            e[j][j] = (float) Math.sqrt(1 - cos * cos);
        }
        return e;
    }

    private static double naiveDistance(float[] a, float[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            s += ((double) a[c] - b[c]) * ((double) a[c] - b[c]);
        }
        return Math.sqrt(s);
    }

    @Test
    void tenPointTwoSamplingProbabilitiesAtK128EqualTheInverseDensityAndDrawsFollowThem() {
        // DIVA_SPEC 10.2: a toy batch of 128-d unit vectors with known distances from anchor 0. The
        // negatives lie around the density minimum (about sqrt 2), where the weights are comparable,
        // and past it: d = 1.6 must outweigh d = 1.4 (no upper cutoff).
        double[] target = {0, 0.9, 1.30, 1.36, 1.40, 1.45, 1.50, 1.55, 1.60};
        int[] labels = {0, 0, 1, 2, 3, 4, 5, 6, 7};
        float[][] e = atDistancesFromRowZero(target, 128);
        double[] d = new double[target.length];
        for (int j = 0; j < d.length; j++) {
            d[j] = naiveDistance(e[0], e[j]);
            assertThat(d[j]).isCloseTo(target[j], within(1e-6));
        }
        double[] expected = naiveProbabilities(d, labels, 0, 128);
        double[] p = MINER.negativeProbabilities(DistanceWeightedMiner.distances(e)[0], labels, 0, 128);
        assertThat(p).containsExactly(expected, within(1e-9));
        // the per-head dimension matters: with k = 512 (the concatenation) the distribution differs
        double[] at512 = naiveProbabilities(d, labels, 0, 512);
        double largestChange = 0;
        for (int j = 0; j < d.length; j++) {
            largestChange = Math.max(largestChange, Math.abs(at512[j] - expected[j]));
        }
        assertThat(largestChange).isGreaterThan(0.1);
        // no upper cutoff: weight(1.60) > weight(1.40); a cutoff at 1.4 would give 1.45.. weight 0
        assertThat(p[8]).isGreaterThan(p[4]);
        assertThat(p[5]).isPositive();
        assertThat(p[8]).isPositive();

        long[] counts = new long[labels.length];
        SplittableRandom random = new SplittableRandom(2020);
        int draws = 20_000;
        for (int r = 0; r < draws; r++) {
            Triplets t = MINER.mine(e, labels, random);
            assertThat(t.anchors()[0]).isZero();
            counts[t.negatives()[0]]++;
        }
        ChiSquare.Result fit = ChiSquare.test(counts, expected);
        assertThat(fit.degreesOfFreedom()).isEqualTo(6);
        assertThat(fit.pValue()).as("chi-square %s", fit).isGreaterThan(0.001);
        // and the test has power: against the same weights at k = 64 it rejects
        assertThat(ChiSquare.test(counts, naiveProbabilities(d, labels, 0, 64)).pValue())
                .isLessThan(1e-6);
    }

    @Test
    void lowerClampAppliesToNegativesCloserThanTheCutoffIncludingDuplicates() {
        // at k = 128 the clamp makes every negative within 0.5 equally likely and the rest negligible
        double[] target = {0, 0.7, 0.0, 0.2, 0.45, 0.6, 1.0};
        int[] labels = {0, 0, 1, 2, 3, 4, 5};
        float[][] e = atDistancesFromRowZero(target, 128);
        e[2] = e[0].clone(); // an exact duplicate of the anchor from another class: d = 0
        double[] p = MINER.negativeProbabilities(DistanceWeightedMiner.distances(e)[0], labels, 0, 128);
        assertThat(p[2]).isCloseTo(1 / 3.0, within(1e-6));
        assertThat(p[3]).isCloseTo(1 / 3.0, within(1e-6));
        assertThat(p[4]).isCloseTo(1 / 3.0, within(1e-6));
        assertThat(p[5]).isLessThan(1e-6).isPositive();
        assertThat(p[0]).isZero();
        assertThat(p[1]).isZero();
    }

    @Test
    void withoutTheAntipodalGuardTheFormulaIsTheOriginalAndAntipodesFail() {
        DistanceWeightedMiner parity = new DistanceWeightedMiner(0.5, false);
        assertThat(parity.antipodalGuard()).isFalse();
        assertThat(MINER.antipodalGuard()).isTrue();
        int[] labels = {0, 0, 1, 2, 3};
        double[] d = {0, 0.6, 1.1, 1.7, 1.99};
        for (int k : new int[] {16, 128}) {
            assertThat(parity.negativeProbabilities(d, labels, 0, k))
                    .containsExactly(naiveProbabilities(d, labels, 0, k), within(1e-12));
        }
        // near d = 2 the guard changes the weight, without it the exact (huge) value is used
        double unguarded = DistanceWeightedMiner.logInverseSphereDensity(1.99999999, 128, false);
        double guarded = DistanceWeightedMiner.logInverseSphereDensity(1.99999999, 128, true);
        assertThat(unguarded).isGreaterThan(guarded);
        assertThat(DistanceWeightedMiner.logInverseSphereDensity(2.0, 128, false))
                .isInfinite();
        assertThat(DistanceWeightedMiner.logInverseSphereDensity(2.0000001, 128, false))
                .isNaN();
        double[] antipodal = {0, 0.6, 1.1, 2.0, 1.0};
        assertThatThrownBy(() -> parity.negativeProbabilities(antipodal, labels, 0, 128))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("anchor 0")
                .hasMessageContaining("sample 3");
        assertThat(MINER.negativeProbabilities(antipodal, labels, 0, 128)[3]).isGreaterThan(0.99);
        // non-finite embeddings (NaN distances) are not an antipodal pair: uniform over the negatives in
        // both modes, and the non-finite loss is left to the caller to detect
        double[] nan = {0, 0.6, Double.NaN, Double.NaN, 1.0};
        for (DistanceWeightedMiner miner : new DistanceWeightedMiner[] {MINER, parity}) {
            assertThat(miner.negativeProbabilities(nan, labels, 0, 128))
                    .containsExactly(0, 0, 1 / 3.0, 1 / 3.0, 1 / 3.0);
        }
    }

    @Test
    void rejectsAnInvalidLowerCutoff() {
        assertThatThrownBy(() -> new DistanceWeightedMiner(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0.0");
        assertThatThrownBy(() -> new DistanceWeightedMiner(2.5)).isInstanceOf(IllegalArgumentException.class);
    }

    static float[][] randomUnit(SplittableRandom random, int n, int d) {
        float[][] e = new float[n][d];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            double[] v = new double[d];
            for (int c = 0; c < d; c++) {
                v[c] = gaussian(random);
                norm += v[c] * v[c];
            }
            norm = Math.sqrt(norm);
            for (int c = 0; c < d; c++) {
                e[i][c] = (float) (v[c] / norm);
            }
        }
        return e;
    }

    static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
