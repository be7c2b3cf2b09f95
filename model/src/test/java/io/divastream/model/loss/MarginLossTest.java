package io.divastream.model.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.divastream.model.DjlRuntime;
import io.divastream.model.miner.SharedLabelShuffleMiner;
import io.divastream.model.miner.Triplets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MarginLossTest {

    private static final double MARGIN = 0.2;

    /** DIVA_SPEC 2.1 in double precision, one triplet at a time. */
    static double naiveLoss(double[][] x, Triplets t, double[] beta, int[] anchorClasses, double margin) {
        double sum = 0;
        int active = 0;
        for (int i = 0; i < t.size(); i++) {
            double dap = distance(x[t.anchors()[i]], x[t.positives()[i]]);
            double dan = distance(x[t.anchors()[i]], x[t.negatives()[i]]);
            double b = beta[anchorClasses[i]];
            double hp = Math.max(0, dap - b + margin);
            double hn = Math.max(0, b - dan + margin);
            sum += hp + hn;
            if (hp > 0 || hn > 0) {
                active++;
            }
        }
        return active > 0 ? sum / active : sum;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            s += (a[c] - b[c]) * (a[c] - b[c]);
        }
        return Math.sqrt(s + 1e-8);
    }

    /** Smallest |hinge argument| over all triplets: finite differences need it away from the kinks. */
    private static double kinkClearance(double[][] x, Triplets t, double[] beta, int[] anchorClasses) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < t.size(); i++) {
            double b = beta[anchorClasses[i]];
            min = Math.min(min, Math.abs(distance(x[t.anchors()[i]], x[t.positives()[i]]) - b + MARGIN));
            min = Math.min(min, Math.abs(b - distance(x[t.anchors()[i]], x[t.negatives()[i]]) + MARGIN));
        }
        return min;
    }

    private static int activeTriplets(double[][] x, Triplets t, double[] beta, int[] anchorClasses) {
        int active = 0;
        for (int i = 0; i < t.size(); i++) {
            double b = beta[anchorClasses[i]];
            double hp = distance(x[t.anchors()[i]], x[t.positives()[i]]) - b + MARGIN;
            double hn = b - distance(x[t.anchors()[i]], x[t.negatives()[i]]) + MARGIN;
            active += hp > 0 || hn > 0 ? 1 : 0;
        }
        return active;
    }

    static double[][] toDouble(float[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new double[x[i].length];
            for (int c = 0; c < x[i].length; c++) {
                out[i][c] = x[i][c];
            }
        }
        return out;
    }

    static float[][] randomUnit(SplittableRandom random, int n, int d) {
        float[][] e = new float[n][d];
        for (int i = 0; i < n; i++) {
            double[] v = new double[d];
            double norm = 0;
            for (int c = 0; c < d; c++) {
                double u = 1 - random.nextDouble();
                v[c] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
                norm += v[c] * v[c];
            }
            for (int c = 0; c < d; c++) {
                e[i][c] = (float) (v[c] / Math.sqrt(norm));
            }
        }
        return e;
    }

    /** Random triplets with a and p of one class (p may equal a) and n of another. */
    private static Triplets randomTriplets(SplittableRandom random, int[] labels, int count) {
        int[] a = new int[count];
        int[] p = new int[count];
        int[] n = new int[count];
        for (int t = 0; t < count; t++) {
            a[t] = random.nextInt(labels.length);
            do {
                p[t] = random.nextInt(labels.length);
            } while (labels[p[t]] != labels[a[t]]);
            do {
                n[t] = random.nextInt(labels.length);
            } while (labels[n[t]] == labels[a[t]]);
        }
        return new Triplets(a, p, n);
    }

    private static int[] anchorClasses(Triplets t, int[] labels) {
        int[] c = new int[t.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = labels[t.anchors()[i]];
        }
        return c;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static double computeLoss(float[][] x, Triplets t, double[] beta, int[] anchorClasses) {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            return MarginLoss.compute(m.create(x), t, m.create(toFloat(beta)), anchorClasses, MARGIN)
                    .getFloat();
        }
    }

    @Test
    void matchesTheNaiveLossOnRandomUnitEmbeddings() {
        int[] labels = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3};
        SplittableRandom random = new SplittableRandom(42);
        int partlyActiveSets = 0;
        for (int set = 0; set < 8; set++) {
            float[][] x = randomUnit(random, labels.length, 8);
            double[] beta = new double[4];
            for (int c = 0; c < beta.length; c++) {
                beta[c] = 0.9 + 0.5 * random.nextDouble();
            }
            Triplets t = randomTriplets(random, labels, 5 + set * 3);
            int[] classes = anchorClasses(t, labels);
            double expected = naiveLoss(toDouble(x), t, beta, classes, MARGIN);
            assertThat(computeLoss(x, t, beta, classes)).as("set %d", set).isCloseTo(expected, within(1e-5));
            int active = activeTriplets(toDouble(x), t, beta, classes);
            partlyActiveSets += active > 0 && active < t.size() ? 1 : 0;
        }
        // the normaliser is exercised only if some triplets are inactive
        assertThat(partlyActiveSets).isGreaterThanOrEqualTo(3);
    }

    @Test
    void normaliserCountsTripletsWithAnyActiveHingeNotHingeTerms() {
        float[][] x = {{1, 0}, {0, 1}, {0.8f, 0.6f}, {-1, 0}, {0.995f, 0.0998749f}};
        double[] beta = {1.0};
        int[] classes = {0, 0, 0};
        // t0: d_ap = sqrt(2) and d_an = sqrt(0.4), both hinges active; t1: d_ap = 0.1, d_an = 2, none
        // t2: d_ap = 0.1 (inactive) and d_an = sqrt(0.4) (active)
        Triplets t = new Triplets(new int[] {0, 0, 0}, new int[] {1, 4, 4}, new int[] {2, 3, 2});
        double dap0 = Math.sqrt(2 + 1e-8);
        double dan = Math.sqrt(0.04 + 0.36 + 1e-8);
        double sum = (dap0 - 1 + 0.2) + (1 - dan + 0.2) + (1 - dan + 0.2);
        // OR semantics: 2 active triplets (hinge-term counting would give 3, the mean over triplets 3)
        assertThat(computeLoss(x, t, beta, classes)).isCloseTo(sum / 2, within(1e-5));
        assertThat(naiveLoss(toDouble(x), t, beta, classes, MARGIN)).isCloseTo(sum / 2, within(1e-6));
    }

    @Test
    void betaIsIndexedByTheGivenAnchorClass() {
        float[][] x = {{1, 0}, {0, 1}, {-1, 0}};
        Triplets t = new Triplets(new int[] {0}, new int[] {1}, new int[] {2});
        // d_ap = sqrt(2), d_an = 2: with beta 1.0 only the positive hinge is active; with 2.0 only the negative
        assertThat(computeLoss(x, t, new double[] {1.0, 2.0}, new int[] {0}))
                .isCloseTo(Math.sqrt(2) - 0.8, within(1e-5));
        assertThat(computeLoss(x, t, new double[] {1.0, 2.0}, new int[] {1})).isCloseTo(2.2 - 2, within(1e-5));
    }

    @Test
    void noActiveHingeGivesThePlainSumZero() {
        // tight, well separated classes: d_ap < beta - 0.2 and d_an > beta + 0.2 everywhere
        int[] labels = {0, 0, 1, 1, 2, 2};
        float[][] x = new float[6][6];
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 6; i++) {
            x[i][labels[i]] = 1;
            x[i][3 + random.nextInt(3)] = 0.03f;
        }
        double[] beta = {0.7, 0.7, 0.7};
        Triplets t = randomTriplets(random, labels, 10);
        int[] classes = anchorClasses(t, labels);
        assertThat(activeTriplets(toDouble(x), t, beta, classes)).isZero();
        assertThat(naiveLoss(toDouble(x), t, beta, classes, MARGIN)).isZero();
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
            NDArray e = m.create(x);
            e.setRequiresGradient(true);
            NDArray loss = MarginLoss.compute(e, t, m.create(toFloat(beta)), classes, MARGIN);
            assertThat(loss.getFloat()).isZero();
            collector.backward(loss);
            assertThat(e.getGradient().toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void noTripletsGiveAZeroLossThatIsStillDifferentiable() {
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
            NDArray e = m.create(new float[][] {{1, 0}, {0, 1}});
            e.setRequiresGradient(true);
            NDArray loss = MarginLoss.compute(
                    e,
                    new Triplets(new int[0], new int[0], new int[0]),
                    m.create(new float[] {1.2f}),
                    new int[0],
                    MARGIN);
            assertThat(loss.getShape().size()).isEqualTo(1);
            assertThat(loss.getFloat()).isZero();
            collector.backward(loss);
            assertThat(e.getGradient().toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesOfTheNaiveLoss() {
        int[] labels = {0, 0, 1, 1, 2, 2};
        // a mix of triplets, including a degenerate one (a = p) and one with a = n excluded by labels
        Triplets t = new Triplets(new int[] {0, 1, 2, 3, 4, 5, 0, 3}, new int[] {1, 0, 3, 2, 5, 4, 0, 2}, new int[] {
            2, 4, 0, 5, 1, 3, 5, 4
        });
        int[] classes = anchorClasses(t, labels);
        SplittableRandom random = new SplittableRandom(2024);
        int checked = 0;
        for (int attempt = 0; attempt < 20 && checked < 3; attempt++) {
            float[][] x = randomUnit(random, 6, 4);
            double[] beta = {
                0.9 + 0.4 * random.nextDouble(), 0.9 + 0.4 * random.nextDouble(), 0.9 + 0.4 * random.nextDouble()
            };
            double[][] xd = toDouble(x);
            int active = activeTriplets(xd, t, beta, classes);
            if (kinkClearance(xd, t, beta, classes) < 1e-3 || active == 0 || active == t.size()) {
                continue; // finite differences across a kink, or a trivial normaliser: draw again
            }
            float[] gradX;
            float[] gradBeta;
            try (NDManager m = DjlRuntime.engine().newBaseManager();
                    GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                NDArray e = m.create(x);
                e.setRequiresGradient(true);
                NDArray b = m.create(toFloat(beta));
                b.setRequiresGradient(true);
                collector.backward(MarginLoss.compute(e, t, b, classes, MARGIN));
                gradX = e.getGradient().toFloatArray();
                gradBeta = b.getGradient().toFloatArray();
            }
            double h = 1e-6;
            for (int i = 0; i < 6; i++) {
                for (int c = 0; c < 4; c++) {
                    double keep = xd[i][c];
                    xd[i][c] = keep + h;
                    double up = naiveLoss(xd, t, beta, classes, MARGIN);
                    xd[i][c] = keep - h;
                    double down = naiveLoss(xd, t, beta, classes, MARGIN);
                    xd[i][c] = keep;
                    assertThat((double) gradX[i * 4 + c])
                            .as("dL/dx[%d][%d]", i, c)
                            .isCloseTo((up - down) / (2 * h), within(2e-5));
                }
            }
            for (int c = 0; c < 3; c++) {
                double keep = beta[c];
                beta[c] = keep + h;
                double up = naiveLoss(xd, t, beta, classes, MARGIN);
                beta[c] = keep - h;
                double down = naiveLoss(xd, t, beta, classes, MARGIN);
                beta[c] = keep;
                assertThat((double) gradBeta[c]).as("dL/dbeta[%d]", c).isCloseTo((up - down) / (2 * h), within(2e-5));
            }
            checked++;
        }
        assertThat(checked).isEqualTo(3);
    }

    @Test
    void identicalAnchorAndPositiveGiveNoGradientToTheEmbeddings() {
        // d(a, a) = sqrt(0 + 1e-8) = 1e-4; without the 1e-8 the sqrt' at 0 would give NaN (or inf)
        float[][] x = {{0.6f, 0.8f, 0}, {0, 0, 1}};
        double[] beta = {0.1};
        Triplets t = new Triplets(new int[] {0}, new int[] {0}, new int[] {1});
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
            NDArray e = m.create(x);
            e.setRequiresGradient(true);
            NDArray b = m.create(toFloat(beta));
            b.setRequiresGradient(true);
            NDArray loss = MarginLoss.compute(e, t, b, new int[] {0}, MARGIN);
            // positive hinge 1e-4 - 0.1 + 0.2 active; negative hinge 0.1 - sqrt(2) + 0.2 inactive
            assertThat((double) loss.getFloat()).isCloseTo(1e-4 + 0.1, within(1e-6));
            collector.backward(loss);
            assertThat(e.getGradient().toFloatArray()).containsOnly(0f);
            assertThat(b.getGradient().toFloatArray()).containsExactly(-1f);
        }
    }

    @Test
    void sharedTaskIndexesBetaByTheTrueAnchorClassNotThePseudoLabel() {
        // DIVA_SPEC 2.2 / 10.4: the miner works on shuffled labels, the loss on the true ones
        int[] labels = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4};
        double[] beta = {0.6, 0.9, 1.2, 1.5, 1.8}; // very different per class: a wrong index shows
        SplittableRandom random = new SplittableRandom(77);
        int differing = 0;
        for (int round = 0; round < 10; round++) {
            float[][] x = randomUnit(random, labels.length, 8);
            long seed = random.nextLong();
            Triplets t = new SharedLabelShuffleMiner(0.5).mine(x, labels, new SplittableRandom(seed));
            int[] pseudo = SharedLabelShuffleMiner.shuffle(labels, new SplittableRandom(seed)); // replay
            int[] trueClasses = t.anchorClasses(labels);
            for (int i = 0; i < t.size(); i++) {
                assertThat(trueClasses[i]).isEqualTo(labels[t.anchors()[i]]);
                assertThat(pseudo[t.positives()[i]]).isEqualTo(pseudo[t.anchors()[i]]);
            }
            double expected = naiveLoss(toDouble(x), t, beta, trueClasses, MARGIN);
            assertThat(computeLoss(x, t, beta, trueClasses))
                    .as("round %d", round)
                    .isCloseTo(expected, within(1e-5));
            double withPseudo = naiveLoss(toDouble(x), t, beta, t.anchorClasses(pseudo), MARGIN);
            differing += Math.abs(withPseudo - expected) > 1e-3 ? 1 : 0;
        }
        assertThat(differing).as("pseudo-label indexing would change the loss").isGreaterThanOrEqualTo(8);
    }

    @Test
    void normaliserDiffersFromTheHingeTermCountAndFromTheTripletCount() {
        // four triplets: one with both hinges active, one with only the negative hinge, two inactive.
        // OR count = 2, hinge-term count = 3, triplet count = 4: three different normalisers
        float[][] x = {{1, 0}, {0.6f, 0.8f}, {0.8f, 0.6f}, {-1, 0}, {0.995f, 0.0998749f}};
        double[] beta = {1.0};
        Triplets t = new Triplets(new int[] {0, 0, 0, 4}, new int[] {1, 4, 4, 0}, new int[] {2, 2, 3, 3});
        int[] classes = {0, 0, 0, 0};
        double dap0 = Math.sqrt(0.16 + 0.64 + 1e-8); // 0.894: positive hinge 0.094 active
        double dan = Math.sqrt(0.04 + 0.36 + 1e-8); // 0.632: negative hinge 0.568 active
        double sum = (dap0 - 1 + 0.2) + 2 * (1 - dan + 0.2); // last two: d_ap = 0.1, d_an >= 1.99, inactive
        double loss = computeLoss(x, t, beta, classes);
        assertThat(naiveLoss(toDouble(x), t, beta, classes, MARGIN)).isCloseTo(sum / 2, within(1e-6));
        assertThat(loss).isCloseTo(sum / 2, within(1e-5));
        assertThat(loss).isNotCloseTo(sum / 3, within(1e-2)).isNotCloseTo(sum / 4, within(1e-2));
    }
}
