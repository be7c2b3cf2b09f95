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
            NDArray queueArray = queue.length == 0
                    ? m.zeros(new Shape(0, q[0].length))
                    : m.create(toFloat(queue));
            NDArray loss = DanceLoss.compute(m.create(toFloat(q)), m.create(toFloat(keys)), queueArray, t,
                    LOWER, UPPER, fixed);
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
        assertThat(Math.abs(actual - naiveLoss(q, keys, new double[0][], t, true))).isGreaterThan(1e-3);
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
            NDArray loss = DanceLoss.compute(queries, m.create(toFloat(keys)), m.create(toFloat(queue)), t,
                    LOWER, UPPER, true);
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
                assertThat((double) gradient[i * 6 + c]).as("dL/dq[%d][%d]", i, c)
                        .isCloseTo(expected, within(1e-4 * Math.max(1, Math.abs(expected))));
                weightsMatter |= Math.abs((upLive - downLive) / (2 * h) - expected) > 1e-2;
            }
        }
        assertThat(weightsMatter).as("differentiating through the weights would give another gradient").isTrue();
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
}
