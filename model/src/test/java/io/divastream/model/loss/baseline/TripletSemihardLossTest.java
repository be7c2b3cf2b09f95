package io.divastream.model.loss.baseline;

import static io.divastream.model.loss.baseline.BaselineTesting.assertGradient;
import static io.divastream.model.loss.baseline.BaselineTesting.assertRelativelyClose;
import static io.divastream.model.loss.baseline.BaselineTesting.distance;
import static io.divastream.model.loss.baseline.BaselineTesting.plainDistance;
import static io.divastream.model.loss.baseline.BaselineTesting.randomUnit;
import static io.divastream.model.loss.baseline.BaselineTesting.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.divastream.model.DjlRuntime;
import io.divastream.model.miner.Triplets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TripletSemihardLossTest {

    private static final double MARGIN = 0.2;

    /** Mean hinge over given triplets, in double precision. */
    static double naiveLoss(double[][] x, Triplets t, double margin) {
        if (t.size() == 0) {
            return 0;
        }
        double sum = 0;
        for (int i = 0; i < t.size(); i++) {
            double dap = distance(x[t.anchors()[i]], x[t.positives()[i]]);
            double dan = distance(x[t.anchors()[i]], x[t.negatives()[i]]);
            sum += Math.max(0, dap - dan + margin);
        }
        return sum / t.size();
    }

    @Test
    void minedNegativesAreSemiHardWhenPossibleAndOtherwiseTheLeastHardNegative() {
        int[] labels = {0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 4, 4};
        SplittableRandom random = new SplittableRandom(5);
        int semiHard = 0;
        int fallback = 0;
        int skipped = 0;
        for (int set = 0; set < 30; set++) {
            float[][] e = randomUnit(random, labels.length, 3);
            double[][] x = toDouble(e);
            Triplets t = TripletSemihardLoss.mine(e, labels, MARGIN, new SplittableRandom(set));
            int k = 0;
            for (int a = 0; a < labels.length; a++) {
                for (int p = 0; p < labels.length; p++) {
                    if (p == a || labels[p] != labels[a]) {
                        continue;
                    }
                    double dap = plainDistance(x[a], x[p]);
                    boolean anySemiHard = false;
                    int leastHard = -1;
                    for (int n = 0; n < labels.length; n++) {
                        double dan = plainDistance(x[a], x[n]);
                        if (labels[n] != labels[a]) {
                            anySemiHard |= dap < dan && dan < dap + MARGIN;
                            if (dan <= dap && (leastHard < 0 || dan > plainDistance(x[a], x[leastHard]))) {
                                leastHard = n;
                            }
                        }
                    }
                    if (!anySemiHard && leastHard < 0) {
                        skipped++; // every negative is beyond d_ap + margin: no triplet for (a, p)
                        continue;
                    }
                    assertThat(t.anchors()[k]).isEqualTo(a);
                    assertThat(t.positives()[k]).isEqualTo(p);
                    int n = t.negatives()[k];
                    assertThat(labels[n]).isNotEqualTo(labels[a]);
                    double dan = plainDistance(x[a], x[n]);
                    if (anySemiHard) {
                        assertThat(dan)
                                .as("semi-hard negative")
                                .isGreaterThan(dap)
                                .isLessThan(dap + MARGIN);
                        semiHard++;
                    } else {
                        assertThat(n)
                                .as("fallback: the least hard of the hard negatives")
                                .isEqualTo(leastHard);
                        fallback++;
                    }
                    k++;
                }
            }
            assertThat(t.size())
                    .as("one triplet per pair with a semi-hard or hard negative")
                    .isEqualTo(k);
        }
        // all three branches are exercised
        assertThat(semiHard).isGreaterThan(100);
        assertThat(fallback).isGreaterThan(20);
        assertThat(skipped).isGreaterThan(20);
    }

    @Test
    void semiHardNegativesAreDrawnUniformly() {
        // anchor (1, 0) with positive at d_ap = 0.5 and four negatives at 0.55..0.65: all semi-hard
        int[] labels = {0, 0, 1, 2, 3, 3};
        float[][] e = new float[6][];
        double[] angles = {
            0, 2 * Math.asin(0.25), -2 * Math.asin(0.275), 2 * Math.asin(0.3), -2 * Math.asin(0.325), Math.PI
        };
        for (int i = 0; i < 6; i++) {
            e[i] = new float[] {(float) Math.cos(angles[i]), (float) Math.sin(angles[i])};
        }
        int[] counts = new int[6];
        SplittableRandom random = new SplittableRandom(77);
        int draws = 8000;
        for (int r = 0; r < draws; r++) {
            Triplets t = TripletSemihardLoss.mine(e, labels, MARGIN, random);
            assertThat(t.anchors()[0]).isZero();
            assertThat(t.positives()[0]).isOne();
            counts[t.negatives()[0]]++;
        }
        assertThat(counts[5]).as("too far: not semi-hard").isZero();
        double chi2 = 0;
        for (int n = 2; n <= 4; n++) {
            double expected = draws / 3.0;
            chi2 += (counts[n] - expected) * (counts[n] - expected) / expected;
        }
        // 2 degrees of freedom: P(chi2 > 23) < 1e-5
        assertThat(chi2).isLessThan(23);
    }

    @Test
    void lossMatchesTheNaiveMeanHingeOverTheMinedTriplets() {
        int[] labels = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 5, 5, 5};
        SplittableRandom random = new SplittableRandom(11);
        for (int set = 0; set < 6; set++) {
            float[][] e = randomUnit(random, labels.length, 6);
            try (BaselineLoss loss = new TripletSemihardLoss(MARGIN, 6, 8)) {
                double actual = BaselineTesting.value(loss, e, labels, set);
                Triplets t = TripletSemihardLoss.mine(e, labels, MARGIN, new SplittableRandom(set));
                assertThat(t.size()).isPositive();
                assertRelativelyClose("set " + set, actual, naiveLoss(toDouble(e), t, MARGIN));
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesForFixedTriplets() {
        int[] labels = {0, 0, 0, 1, 1, 1, 2, 2};
        SplittableRandom random = new SplittableRandom(3);
        float[][] e = randomUnit(random, labels.length, 4);
        Triplets t = TripletSemihardLoss.mine(e, labels, MARGIN, new SplittableRandom(1));
        double[][] x = toDouble(e);
        for (int i = 0; i < t.size(); i++) {
            double arg = distance(x[t.anchors()[i]], x[t.positives()[i]])
                    - distance(x[t.anchors()[i]], x[t.negatives()[i]])
                    + MARGIN;
            assertThat(Math.abs(arg)).as("away from the hinge's kink").isGreaterThan(1e-4);
        }
        float[] grad;
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
            NDArray arr = m.create(e);
            arr.setRequiresGradient(true);
            collector.backward(TripletSemihardLoss.loss(arr, t, MARGIN));
            grad = arr.getGradient().toFloatArray();
        }
        assertGradient("dL/dx", x, BaselineTesting.rows(grad, labels.length), v -> naiveLoss(v, t, MARGIN), 1e-4);
    }

    @Test
    void noTripletGivesZeroWithAGraph() {
        // one class only, and (second batch) singletons only: no anchor-positive-negative at all
        try (BaselineLoss loss = new TripletSemihardLoss(MARGIN, 3, 4)) {
            float[][] e = randomUnit(new SplittableRandom(1), 4, 3);
            for (int[] labels : new int[][] {{2, 2, 2, 2}, {0, 1, 2, 3}}) {
                BaselineTesting.Run r = BaselineTesting.run(loss, e, labels, 0);
                assertThat(r.loss()).isZero();
                for (double[] row : r.embeddingGradient()) {
                    assertThat(row).containsOnly(0.0);
                }
            }
        }
    }

    @Test
    void repeatedImagesGiveFiniteGradients() {
        float[][] e = {{1, 0, 0}, {1, 0, 0}, {0.9f, 0.43588989f, 0}, {0, 1, 0}};
        int[] labels = {0, 0, 1, 2};
        try (BaselineLoss loss = new TripletSemihardLoss(MARGIN, 3, 4)) {
            BaselineTesting.Run r = BaselineTesting.run(loss, e, labels, 0);
            // d_ap = 1e-4 (the epsilon); the negative at distance ~0.45 is not semi-hard, none is hard: no triplet
            // except through the other ordering, which has the same geometry
            assertThat(r.loss()).isZero();
            float[][] close = {{1, 0, 0}, {1, 0, 0}, {0.99f, 0.14106736f, 0}, {0, 1, 0}};
            BaselineTesting.Run r2 = BaselineTesting.run(loss, close, labels, 0);
            // the negative at ~0.1414 is semi-hard for both orderings
            assertThat(r2.loss()).isCloseTo(1e-4 - Math.sqrt(0.0001 + 0.019899999 + 1e-8) + MARGIN, within(1e-5));
            for (double[] row : r2.embeddingGradient()) {
                for (double g : row) {
                    assertThat(g).isFinite();
                }
            }
        }
    }
}
