package io.divastream.model.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.divastream.model.DjlRuntime;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DanceLossTest {

    private static final double LOWER = 0.5;
    private static final double UPPER = 1.4;

    /** DIVA_SPEC 2.4 steps 2-4 in double precision, entry by entry. */
    static double[][] naiveWeights(double[][] s, int k, boolean fixed) {
        int b = s.length;
        int n = s[0].length;
        double[][] d = new double[b][n];
        double[][] logW = new double[b][n];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < n; j++) {
                d[i][j] = Math.max(LOWER, Math.sqrt(Math.max(0, 2 - 2 * s[i][j])));
                logW[i][j] = (2 - k) * Math.log(d[i][j])
                        - (k - 3) / 2.0 * Math.log(Math.max(1e-8, 1 - d[i][j] * d[i][j] / 4));
            }
        }
        double globalMax = Double.NEGATIVE_INFINITY;
        for (double[] row : logW) {
            for (double v : row) {
                globalMax = Math.max(globalMax, v);
            }
        }
        double[][] w = new double[b][n];
        for (int i = 0; i < b; i++) {
            double shift = globalMax;
            if (fixed) {
                shift = Double.NEGATIVE_INFINITY;
                for (double v : logW[i]) {
                    shift = Math.max(shift, v);
                }
            }
            for (int j = 0; j < n; j++) {
                double v = d[i][j] > UPPER ? 0 : Math.exp(logW[i][j] - shift);
                w[i][j] = Math.max(v, 1e-45);
            }
        }
        if (fixed) {
            for (int i = 0; i < b; i++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += w[i][j];
                }
                for (int j = 0; j < n; j++) {
                    w[i][j] /= sum;
                }
            }
        } else {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int i = 0; i < b; i++) {
                    sum += w[i][j];
                }
                for (int i = 0; i < b; i++) {
                    w[i][j] /= sum;
                }
            }
        }
        return w;
    }

    /** Steps 1, 5 and 6: logits [s+, s_1 w_1, ..., s_K w_K] / T, cross-entropy with target 0, mean. */
    static double naiveLoss(double[][] q, double[][] key, double[][] queue, double t, boolean fixed) {
        int b = q.length;
        if (queue.length == 0) {
            return 0; // one logit: log-softmax of the target is 0 whatever the value
        }
        double[][] s = new double[b][queue.length];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < queue.length; j++) {
                s[i][j] = dot(q[i], queue[j]);
            }
        }
        double[][] w = naiveWeights(s, q[0].length, fixed);
        return naiveLossWithWeights(q, key, s, w, t);
    }

    private static double naiveLossWithWeights(double[][] q, double[][] key, double[][] s, double[][] w, double t) {
        int b = q.length;
        double total = 0;
        for (int i = 0; i < b; i++) {
            double[] logits = new double[s[i].length + 1];
            logits[0] = dot(q[i], key[i]) / t;
            for (int j = 0; j < s[i].length; j++) {
                logits[j + 1] = s[i][j] * w[i][j] / t;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : logits) {
                sum += Math.exp(v - max);
            }
            total += max + Math.log(sum) - logits[0];
        }
        return total / b;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            s += a[c] * b[c];
        }
        return s;
    }

    private static float[][] toFloat(double[][] x) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new float[x[i].length];
            for (int c = 0; c < x[i].length; c++) {
                out[i][c] = (float) x[i][c];
            }
        }
        return out;
    }

    private static double[][] rows(float[] flat, int columns) {
        double[][] out = new double[flat.length / columns][columns];
        for (int i = 0; i < flat.length; i++) {
            out[i / columns][i % columns] = flat[i];
        }
        return out;
    }

    /** Similarities with distances on both sides of both cutoffs, one column and one row fully cut. */
    private static double[][] similarities(SplittableRandom random, int b, int n) {
        double[][] s = new double[b][n];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < n; j++) {
                double v;
                do {
                    v = -0.4 + 1.38 * random.nextDouble(); // D from about 0.2 to 1.67
                } while (Math.abs(Math.sqrt(2 - 2 * v) - UPPER) < 1e-3); // keep clear of the cutoff
                s[i][j] = v;
            }
        }
        for (int i = 0; i < b; i++) {
            s[i][n - 1] = -0.2 - 0.1 * random.nextDouble(); // queue entry far from every query: D > 1.5
        }
        for (int j = 0; j < n; j++) {
            s[b - 1][j] = -0.05 - 0.3 * random.nextDouble(); // query far from every entry
        }
        return s;
    }

    private static double[][] weights(double[][] s, int k, boolean fixed) {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            NDArray w = DanceLoss.weights(m.create(toFloat(s)), k, LOWER, UPPER, fixed);
            assertThat(w.getShape()).isEqualTo(new Shape(s.length, s[0].length));
            return rows(w.toFloatArray(), s[0].length);
        }
    }

    @Test
    void originalWeightingMatchesTheNaiveVersionAndColumnsSumToOne() {
        double[][] s = similarities(new SplittableRandom(1), 7, 12);
        double[][] actual = weights(s, 16, false);
        double[][] expected = naiveWeights(toDouble(toFloat(s)), 16, false);
        for (int i = 0; i < s.length; i++) {
            assertThat(actual[i]).as("row %d", i).containsExactly(expected[i], within(1e-5));
        }
        for (int j = 0; j < s[0].length; j++) {
            double sum = 0;
            for (double[] row : actual) {
                sum += row[j];
            }
            assertThat(sum).as("column %d", j).isCloseTo(1.0, within(1e-5));
        }
        // the fully cut column becomes uniform over the queries (all weights clamped to 1e-45)
        for (double[] row : actual) {
            assertThat(row[s[0].length - 1]).isCloseTo(1.0 / s.length, within(1e-6));
        }
        // cut entries of columns that keep a neighbour get (almost) nothing
        assertThat(actual[s.length - 1][0]).isLessThan(1e-20);
    }

    @Test
    void fixedWeightingMatchesTheNaiveVersionAndRowsSumToOne() {
        double[][] s = similarities(new SplittableRandom(2), 7, 12);
        double[][] actual = weights(s, 16, true);
        double[][] expected = naiveWeights(toDouble(toFloat(s)), 16, true);
        for (int i = 0; i < s.length; i++) {
            assertThat(actual[i]).as("row %d", i).containsExactly(expected[i], within(1e-5));
            double sum = 0;
            for (double v : actual[i]) {
                sum += v;
            }
            assertThat(sum).as("row %d", i).isCloseTo(1.0, within(1e-5));
        }
        // the fully cut row becomes uniform over the queue
        assertThat(actual[s.length - 1]).containsOnly(actual[s.length - 1][0]);
        assertThat(actual[s.length - 1][0]).isCloseTo(1.0 / s[0].length, within(1e-6));
    }

    @Test
    void bothWeightingsAtTheRealDimensionNormaliseAndAreHardNegativeMining() {
        double[][] s = similarities(new SplittableRandom(3), 16, 40);
        double[][] fixed = weights(s, 128, true);
        double[][] expectedFixed = naiveWeights(toDouble(toFloat(s)), 128, true);
        for (int i = 0; i < s.length; i++) {
            assertThat(fixed[i]).containsExactly(expectedFixed[i], within(1e-5));
            assertThat(Arrays.stream(fixed[i]).sum()).isCloseTo(1.0, within(1e-5));
        }
        double[][] original = weights(s, 128, false);
        for (int j = 0; j < s[0].length; j++) {
            double sum = 0;
            for (double[] row : original) {
                sum += row[j];
            }
            assertThat(sum).as("column %d", j).isCloseTo(1.0, within(1e-4));
        }
        // with k = 128 each row puts nearly all its weight on its nearest entries (DIVA_SPEC 2.4 (b))
        for (int i = 0; i < s.length - 1; i++) {
            double nearest = Double.POSITIVE_INFINITY;
            for (double v : s[i]) {
                nearest = Math.min(nearest, Math.max(LOWER, Math.sqrt(2 - 2 * v)));
            }
            double nearMass = 0;
            for (int j = 0; j < s[i].length; j++) {
                if (Math.max(LOWER, Math.sqrt(2 - 2 * s[i][j])) <= nearest + 0.1) {
                    nearMass += fixed[i][j];
                }
            }
            assertThat(nearMass).as("row %d", i).isGreaterThan(0.999);
        }
    }

    private static double[][] toDouble(float[][] x) {
        return MarginLossTest.toDouble(x);
    }

    private static double[][] unitRows(SplittableRandom random, int n, int d) {
        return toDouble(MarginLossTest.randomUnit(random, n, d));
    }

    /** Keys near their query (noisy copies), as the momentum encoder gives. */
    private static double[][] keysNear(double[][] q, SplittableRandom random) {
        double[][] keys = new double[q.length][q[0].length];
        for (int i = 0; i < q.length; i++) {
            double norm = 0;
            for (int c = 0; c < q[i].length; c++) {
                keys[i][c] = q[i][c] + 0.3 * (random.nextDouble() - 0.5);
                norm += keys[i][c] * keys[i][c];
            }
            for (int c = 0; c < q[i].length; c++) {
                keys[i][c] = (float) (keys[i][c] / Math.sqrt(norm));
            }
        }
        return keys;
    }

    private static double computeLoss(double[][] q, double[][] keys, double[][] queue, double t, boolean fixed) {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            NDArray queueArray = queue.length == 0 ? m.zeros(new Shape(0, q[0].length)) : m.create(toFloat(queue));
            NDArray loss = DanceLoss.compute(
                    m.create(toFloat(q)), m.create(toFloat(keys)), queueArray, t, LOWER, UPPER, fixed);
            assertThat(loss.getShape().size()).isEqualTo(1);
            return loss.getFloat();
        }
    }

    @Test
    void lossMatchesTheNaiveVersionForBothWeightingsAndTemperatures() {
        SplittableRandom random = new SplittableRandom(4);
        for (double t : new double[] {0.01, 0.1}) {
            for (boolean fixed : new boolean[] {false, true}) {
                double[][] q = unitRows(random, 8, 16);
                double[][] keys = keysNear(q, random);
                double[][] queue = unitRows(random, 20, 16);
                queue[3] = keysNear(new double[][] {q[2]}, random)[0]; // a hard negative, D < 0.5
                double expected = naiveLoss(q, keys, queue, t, fixed);
                assertThat(computeLoss(q, keys, queue, t, fixed))
                        .as("T = %s, fixed = %s", t, fixed)
                        .isCloseTo(expected, within(2e-5 * Math.max(1, Math.abs(expected))));
                // K + 1 logits: every negative adds to the denominator, even with weight ~0 (spec 2.4 (a))
                assertThat(expected).isGreaterThan(0);
            }
        }
    }

    @Test
    void theWeightedNegativesContributeToTheLoss() {
        // catches logits built without the queue, or with the weighting dropped: the values differ
        SplittableRandom random = new SplittableRandom(5);
        double[][] q = unitRows(random, 6, 16);
        double[][] keys = keysNear(q, random);
        double[][] queue = unitRows(random, 10, 16);
        double t = 0.1;
        double actual = computeLoss(q, keys, queue, t, true);
        double[][] s = new double[6][10];
        double[][] ones = new double[6][10];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 10; j++) {
                s[i][j] = dot(q[i], queue[j]);
                ones[i][j] = 1;
            }
        }
        assertThat(actual).isCloseTo(naiveLoss(q, keys, queue, t, true), within(1e-5));
        assertThat(Math.abs(actual - naiveLossWithWeights(q, keys, s, ones, t))).isGreaterThan(1e-3);
        assertThat(Math.abs(actual - naiveLoss(q, keys, new double[0][], t, true)))
                .isGreaterThan(1e-3);
    }

    @Test
    void emptyQueueLeavesOnlyThePositiveLogit() {
        SplittableRandom random = new SplittableRandom(6);
        double[][] q = unitRows(random, 5, 16);
        double[][] keys = keysNear(q, random);
        for (double t : new double[] {0.01, 0.1}) {
            for (boolean fixed : new boolean[] {false, true}) {
                assertThat(computeLoss(q, keys, new double[0][], t, fixed)).isEqualTo(0.0);
            }
        }
    }

    @Test
    void gradientTreatsTheWeightsAsConstants() {
        // DIVA_SPEC 2.4 step 2: the weighting is detached, so the gradient is that of the loss with
        // the weights frozen at their current values (finite differences of the naive version)
        SplittableRandom random = new SplittableRandom(7);
        double[][] q = unitRows(random, 4, 6);
        double[][] keys = keysNear(q, random);
        double[][] queue = unitRows(random, 5, 6);
        double t = 0.1;
        float[] gradient;
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
            NDArray queries = m.create(toFloat(q));
            queries.setRequiresGradient(true);
            NDArray loss = DanceLoss.compute(
                    queries, m.create(toFloat(keys)), m.create(toFloat(queue)), t, LOWER, UPPER, true);
            collector.backward(loss);
            gradient = queries.getGradient().toFloatArray();
        }
        double[][] s = new double[4][5];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 5; j++) {
                s[i][j] = dot(q[i], queue[j]);
            }
        }
        double[][] frozen = naiveWeights(s, 6, true);
        double h = 1e-6;
        boolean weightsMatter = false;
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 6; c++) {
                double keep = q[i][c];
                q[i][c] = keep + h;
                double up = naiveLossWithWeights(q, keys, recompute(q, queue), frozen, t);
                double upLive = naiveLoss(q, keys, queue, t, true);
                q[i][c] = keep - h;
                double down = naiveLossWithWeights(q, keys, recompute(q, queue), frozen, t);
                double downLive = naiveLoss(q, keys, queue, t, true);
                q[i][c] = keep;
                double expected = (up - down) / (2 * h);
                assertThat((double) gradient[i * 6 + c])
                        .as("dL/dq[%d][%d]", i, c)
                        .isCloseTo(expected, within(1e-4 * Math.max(1, Math.abs(expected))));
                weightsMatter |= Math.abs((upLive - downLive) / (2 * h) - expected) > 1e-2;
            }
        }
        assertThat(weightsMatter)
                .as("differentiating through the weights would give another gradient")
                .isTrue();
    }

    private static double[][] recompute(double[][] q, double[][] queue) {
        double[][] s = new double[q.length][queue.length];
        for (int i = 0; i < q.length; i++) {
            for (int j = 0; j < queue.length; j++) {
                s[i][j] = dot(q[i], queue[j]);
            }
        }
        return s;
    }

    /** Unit rows near the given ones (noise of the given size before re-normalisation). */
    private static double[] near(double[] v, double noise, SplittableRandom random) {
        double[] out = new double[v.length];
        double norm = 0;
        for (int c = 0; c < v.length; c++) {
            out[c] = v[c] + noise * DistanceWeightedGaussian.next(random);
            norm += out[c] * out[c];
        }
        for (int c = 0; c < v.length; c++) {
            out[c] = (float) (out[c] / Math.sqrt(norm));
        }
        return out;
    }

    /** Standard normal draws for the test data. */
    private static final class DistanceWeightedGaussian {
        static double next(SplittableRandom random) {
            return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
        }
    }

    @Test
    void atTheSampleRunSizeLogitsAre112By3361AndTheLossMatchesTheNaiveDoubleLoop() {
        // DIVA_SPEC 10.6: K = 30 x 112 = 3360 queue keys, B = 112, k = 128, T = 0.01
        int b = 112;
        int queueSize = 3360;
        int k = 128;
        double t = 0.01;
        SplittableRandom random = new SplittableRandom(8);
        double[][] q = unitRows(random, b, k);
        double[][] keys = new double[b][];
        for (int i = 0; i < b; i++) {
            keys[i] = near(q[i], 0.05, random);
        }
        double[][] queue = unitRows(random, queueSize, k);
        // some queue entries close to some queries (D below 0.5 and around 0.8): hard negatives, and a
        // global maximum far above the typical weights
        for (int j = 0; j < 40; j++) {
            queue[j * 80] = near(q[j], j % 2 == 0 ? 0.02 : 0.07, random);
        }
        double[][] s = recompute(q, queue);
        for (boolean fixed : new boolean[] {false, true}) {
            double[][] expectedWeights = naiveWeights(s, k, fixed);
            try (NDManager m = DjlRuntime.engine().newBaseManager()) {
                NDArray queries = m.create(toFloat(q));
                NDArray logits = DanceLoss.logits(
                        queries, m.create(toFloat(keys)), m.create(toFloat(queue)), t, LOWER, UPPER, fixed);
                assertThat(logits.getShape()).isEqualTo(new Shape(b, queueSize + 1));
                double[][] l = rows(logits.toFloatArray(), queueSize + 1);
                for (int i = 0; i < b; i++) {
                    // column 0 is the positive, the cross-entropy target
                    assertThat(l[i][0]).isCloseTo(dot(q[i], keys[i]) / t, within(1e-3));
                    for (int j = 0; j < queueSize; j += 97) {
                        assertThat(l[i][j + 1]).isCloseTo(s[i][j] * expectedWeights[i][j] / t, within(1e-3));
                    }
                }
                // the loss is the cross-entropy of these logits with target 0
                double fromLogits = 0;
                for (double[] row : l) {
                    double max = Arrays.stream(row).max().getAsDouble();
                    double sum = Arrays.stream(row).map(v -> Math.exp(v - max)).sum();
                    fromLogits += max + Math.log(sum) - row[0];
                }
                double loss = DanceLoss.compute(
                                queries, m.create(toFloat(keys)), m.create(toFloat(queue)), t, LOWER, UPPER, fixed)
                        .getFloat();
                assertThat(loss).isCloseTo(fromLogits / b, within(1e-4 * Math.abs(loss)));
                double naive = naiveLossWithWeights(q, keys, s, expectedWeights, t);
                assertThat(loss).as("fixed = %s", fixed).isCloseTo(naive, within(1e-4 * Math.abs(naive)));
            }
        }
    }

    @Test
    void atTheSampleRunSizeColumnsOrRowsSumToOneIncludingFullyCutOnes() {
        int b = 112;
        int queueSize = 3360;
        SplittableRandom random = new SplittableRandom(9);
        double[][] q = unitRows(random, b, 128);
        // queries share a direction e_0 (q . e_0 about 0.6); queue entries near -e_0 are then farther
        // than 1.4 from every query: fully cut columns
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < 128; c++) {
                q[i][c] = 0.8 * q[i][c] + (c == 0 ? 0.6 : 0);
            }
            q[i] = near(q[i], 0, random);
        }
        double[][] queue = unitRows(random, queueSize, 128);
        for (int j = 0; j < 30; j++) {
            queue[j * 100] = near(q[j], 0.02, random); // D < 0.5: the global maximum
        }
        double[] minusE0 = new double[128];
        minusE0[0] = -1;
        for (int j = 0; j < 20; j++) {
            queue[j * 100 + 50] = near(minusE0, 0.02, random);
        }
        double[][] s = recompute(q, queue);
        double[][] original = weights(s, 128, false);
        double[][] fixed = weights(s, 128, true);
        int columnsWithWeight = 0;
        int fullyCutColumns = 0;
        for (int j = 0; j < queueSize; j++) {
            boolean anyUncut = false;
            double sum = 0;
            for (int i = 0; i < b; i++) {
                anyUncut |= Math.sqrt(Math.max(0, 2 - 2 * s[i][j])) <= UPPER;
                sum += original[i][j];
            }
            // a column with any weight before the clamp sums to 1; a fully cut one is 1e-45 everywhere
            // before normalising, so it becomes uniform and sums to 1 as well
            assertThat(sum).as("column %d", j).isCloseTo(1.0, within(1e-4));
            if (anyUncut) {
                columnsWithWeight++;
            } else {
                fullyCutColumns++;
                for (int i = 0; i < b; i++) {
                    assertThat(original[i][j]).isCloseTo(1.0 / b, within(1e-6));
                }
            }
        }
        assertThat(columnsWithWeight).isGreaterThan(100);
        assertThat(fullyCutColumns).isGreaterThan(10);
        for (int i = 0; i < b; i++) {
            assertThat(Arrays.stream(fixed[i]).sum()).as("row %d", i).isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void weightsAreCutAbove1point4AndClampedBelow0point5() {
        // one query, queue entries at chosen distances; k = 128, fixed (row) weighting
        double[] distances = {0.2, 0.45, 0.5, 1.0, 1.39, 1.41, 1.8};
        double[][] s = new double[1][distances.length];
        for (int j = 0; j < distances.length; j++) {
            s[0][j] = 1 - distances[j] * distances[j] / 2;
        }
        double[] w = weights(s, 128, true)[0];
        // below the lower cutoff every distance counts as 0.5: the three nearest share the mass
        assertThat(w[0]).isCloseTo(1 / 3.0, within(1e-5));
        assertThat(w[1]).isCloseTo(w[0], within(1e-6));
        assertThat(w[2]).isCloseTo(w[0], within(1e-6));
        // inside the window the inverse density decides (here, a share of about exp(-73) and exp(-92))
        assertThat(w[3]).isPositive().isLessThan(1e-30f);
        assertThat(w[4]).isPositive().isLessThan(w[3]);
        // above 1.4 the weight is zeroed, then clamped to 1e-45 (the float32 subnormal 1.4e-45)
        assertThat(w[5]).isLessThanOrEqualTo(Float.MIN_VALUE);
        assertThat(w[6]).isLessThanOrEqualTo(Float.MIN_VALUE);
        assertThat(w[4]).isGreaterThan(100 * Float.MIN_VALUE);
        // without the cut, 1.8 would outweigh 1.0 (the density rises again towards antipodes)
        double logW10 = io.divastream.model.miner.DistanceWeightedMiner.logInverseSphereDensity(1.0, 128);
        double logW18 = io.divastream.model.miner.DistanceWeightedMiner.logInverseSphereDensity(1.8, 128);
        assertThat(logW18).isGreaterThan(logW10);
    }
}
