package io.divastream.model.loss.baseline;

import static io.divastream.model.loss.baseline.BaselineTesting.assertGradient;
import static io.divastream.model.loss.baseline.BaselineTesting.assertRelativelyClose;
import static io.divastream.model.loss.baseline.BaselineTesting.dot;
import static io.divastream.model.loss.baseline.BaselineTesting.randomUnit;
import static io.divastream.model.loss.baseline.BaselineTesting.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MultiSimilarityLossTest {

    private static final double ALPHA = 2;
    private static final double BETA = 50;
    private static final double LAMBDA = 0.5;
    private static final double EPSILON = 0.1;

    /** The kept pairs of Wang et al.'s mining, in doubles: [anchor][j] = +1 positive, -1 negative, 0 dropped. */
    static int[][] naiveMining(double[][] x, int[] labels) {
        int n = x.length;
        int[][] kept = new int[n][n];
        for (int i = 0; i < n; i++) {
            double minPos = Double.POSITIVE_INFINITY;
            double maxNeg = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j != i && labels[j] == labels[i]) {
                    minPos = Math.min(minPos, dot(x[i], x[j]));
                }
                if (labels[j] != labels[i]) {
                    maxNeg = Math.max(maxNeg, dot(x[i], x[j]));
                }
            }
            boolean anyPos = false;
            boolean anyNeg = false;
            for (int j = 0; j < n; j++) {
                double s = dot(x[i], x[j]);
                if (j != i && labels[j] == labels[i] && s - EPSILON < maxNeg) {
                    kept[i][j] = 1;
                    anyPos = true;
                } else if (labels[j] != labels[i] && s + EPSILON > minPos) {
                    kept[i][j] = -1;
                    anyNeg = true;
                }
            }
            if (!anyPos || !anyNeg) {
                kept[i] = new int[n];
            }
        }
        return kept;
    }

    /** The loss for given kept pairs, one anchor at a time. */
    static double naiveLoss(double[][] x, int[][] kept) {
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            double pos = 0;
            double neg = 0;
            boolean any = false;
            for (int j = 0; j < x.length; j++) {
                double s = dot(x[i], x[j]);
                if (kept[i][j] == 1) {
                    pos += Math.exp(-ALPHA * (s - LAMBDA));
                    any = true;
                } else if (kept[i][j] == -1) {
                    neg += Math.exp(BETA * (s - LAMBDA));
                }
            }
            if (any) {
                total += Math.log(1 + pos) / ALPHA + Math.log(1 + neg) / BETA;
            }
        }
        return total / x.length;
    }

    private static MultiSimilarityLoss loss(int d) {
        return new MultiSimilarityLoss(ALPHA, BETA, LAMBDA, EPSILON, d, 8);
    }

    @Test
    void miningKeepsTheInformativePairsOnly() {
        int[] labels = {0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 4, 4};
        SplittableRandom random = new SplittableRandom(4);
        int dropped = 0;
        int keptPos = 0;
        for (int set = 0; set < 10; set++) {
            float[][] e = randomUnit(random, labels.length, 4);
            double[][] x = toDouble(e);
            float[] s = new float[labels.length * labels.length];
            for (int i = 0; i < labels.length; i++) {
                for (int j = 0; j < labels.length; j++) {
                    s[i * labels.length + j] = (float) dot(x[i], x[j]);
                }
            }
            float[][] masks = MultiSimilarityLoss.mine(s, labels, EPSILON);
            int[][] expected = naiveMining(x, labels);
            for (int i = 0; i < labels.length; i++) {
                for (int j = 0; j < labels.length; j++) {
                    assertThat(masks[0][i * labels.length + j]).isEqualTo(expected[i][j] == 1 ? 1f : 0f);
                    assertThat(masks[1][i * labels.length + j]).isEqualTo(expected[i][j] == -1 ? 1f : 0f);
                    dropped += i != j && expected[i][j] == 0 ? 1 : 0;
                    keptPos += expected[i][j] == 1 ? 1 : 0;
                }
            }
            // the singleton class 3 has no positive: its row 8 is empty
            for (int j = 0; j < labels.length; j++) {
                assertThat(expected[8][j]).isZero();
            }
        }
        assertThat(dropped).as("mining drops pairs").isGreaterThan(200);
        assertThat(keptPos).as("and keeps some positives").isGreaterThan(50);
    }

    @Test
    void matchesTheNaiveLossOnRandomUnitEmbeddings() {
        int[] labels = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 4, 4};
        SplittableRandom random = new SplittableRandom(14);
        for (int set = 0; set < 6; set++) {
            float[][] e = randomUnit(random, labels.length, 5);
            double[][] x = toDouble(e);
            try (BaselineLoss loss = loss(5)) {
                assertRelativelyClose(
                        "set " + set, BaselineTesting.value(loss, e, labels, 0), naiveLoss(x, naiveMining(x, labels)));
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesWithTheMinedPairsHeldFixed() {
        int[] labels = {0, 0, 0, 1, 1, 1, 2, 2};
        float[][] e = randomUnit(new SplittableRandom(31), labels.length, 3);
        double[][] x = toDouble(e);
        int[][] kept = naiveMining(x, labels);
        try (BaselineLoss loss = loss(3)) {
            BaselineTesting.Run r = BaselineTesting.run(loss, e, labels, 0);
            assertRelativelyClose("loss", r.loss(), naiveLoss(x, kept));
            assertGradient("dL/dx", x, r.embeddingGradient(), v -> naiveLoss(v, kept), 1e-4);
        }
    }

    @Test
    void batchesWithoutMinedPairsGiveZeroWithAGraph() {
        // well separated classes: no negative is within epsilon of the hardest positive, nothing is kept
        float[][] e = {{1, 0, 0}, {0.995f, 0.0998749f, 0}, {0, 0, 1}, {0, 0.0998749f, 0.995f}};
        int[] labels = {0, 0, 1, 1};
        try (BaselineLoss loss = loss(3)) {
            BaselineTesting.Run r = BaselineTesting.run(loss, e, labels, 0);
            assertThat(r.loss()).isZero();
            for (double[] row : r.embeddingGradient()) {
                assertThat(row).containsOnly(0.0);
            }
            assertThat(BaselineTesting.value(loss, e, new int[] {0, 1, 2, 3}, 0))
                    .as("singletons")
                    .isZero();
        }
    }

    @Test
    void aRepeatedImageIsAPositiveAtSimilarityOne() {
        // rows 0 and 1 are the same image (similarity 1); row 2 is the negative
        int[] labels = {0, 0, 1};
        try (BaselineLoss loss = loss(2)) {
            // negative at 0.8: 0.8 + eps > 1 fails and 1 - eps < 0.8 fails, so nothing is kept
            assertThat(BaselineTesting.value(loss, new float[][] {{1, 0}, {1, 0}, {0.8f, 0.6f}}, labels, 0))
                    .isZero();
            // negative at 0.995: both pairs kept for anchors 0 and 1; row 2 has no positive; B = 3
            float[][] harder = {{1, 0}, {1, 0}, {0.995f, 0.0998749f}};
            double pos = Math.exp(-ALPHA * (1 - LAMBDA));
            double neg = Math.exp(BETA * (0.995 - LAMBDA));
            double expected = 2 * (Math.log(1 + pos) / ALPHA + Math.log(1 + neg) / BETA) / 3;
            assertThat(BaselineTesting.value(loss, harder, labels, 0)).isCloseTo(expected, within(1e-5));
        }
    }
}
