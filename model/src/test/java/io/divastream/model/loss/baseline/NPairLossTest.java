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

class NPairLossTest {

    private static final double L2 = 0.002;

    /** Sohn's N-pair-mc loss for given pairs, one anchor at a time, in doubles. */
    static double naiveLoss(double[][] x, int[][] pairs, double l2) {
        int n = pairs[0].length;
        if (n < 2) {
            return 0;
        }
        double ce = 0;
        double norms = 0;
        for (int i = 0; i < n; i++) {
            double[] a = x[pairs[0][i]];
            double sum = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    sum += Math.exp(dot(a, x[pairs[1][j]]) - dot(a, x[pairs[1][i]]));
                }
            }
            ce += Math.log(1 + sum);
            norms += dot(a, a) + dot(x[pairs[1][i]], x[pairs[1][i]]);
        }
        return ce / n + l2 * norms / (2 * n);
    }

    @Test
    void pairsTakeOneAnchorAndOneOtherRowOfEveryClassWithTwoRowsUniformly() {
        int[] labels = {4, 4, 4, 7, 2, 2, 9, 9, 9, 9};
        int[][] counts = new int[labels.length][labels.length];
        SplittableRandom random = new SplittableRandom(3);
        int draws = 12_000;
        for (int r = 0; r < draws; r++) {
            int[][] pairs = NPairLoss.pairs(labels, random);
            assertThat(pairs[0]).hasSize(3); // classes 4, 2, 9; the singleton 7 takes no part
            int[] expectedClasses = {4, 2, 9};
            for (int i = 0; i < 3; i++) {
                assertThat(labels[pairs[0][i]]).isEqualTo(expectedClasses[i]);
                assertThat(labels[pairs[1][i]]).isEqualTo(expectedClasses[i]);
                assertThat(pairs[1][i]).isNotEqualTo(pairs[0][i]);
                counts[pairs[0][i]][pairs[1][i]]++;
            }
        }
        // every ordered pair of distinct same-class rows equally likely: chi-square per class
        double chi2 = 0;
        int cells = 0;
        for (int a = 0; a < labels.length; a++) {
            for (int p = 0; p < labels.length; p++) {
                if (a == p || labels[a] != labels[p] || labels[a] == 7) {
                    assertThat(counts[a][p]).isZero();
                    continue;
                }
                int size = labels[a] == 4 ? 3 : labels[a] == 2 ? 2 : 4;
                double expected = draws / (double) (size * (size - 1));
                chi2 += (counts[a][p] - expected) * (counts[a][p] - expected) / expected;
                cells++;
            }
        }
        assertThat(cells).isEqualTo(6 + 2 + 12);
        // 17 degrees of freedom: P(chi2 > 50) < 1e-4
        assertThat(chi2).isLessThan(50);
    }

    @Test
    void matchesTheNaiveLossIncludingTheRegulariserOnUnnormalisedRows() {
        int[] labels = {0, 0, 0, 1, 1, 2, 2, 2, 3, 5, 5};
        SplittableRandom random = new SplittableRandom(10);
        try (BaselineLoss loss = new NPairLoss(L2, 5, 6)) {
            for (int set = 0; set < 6; set++) {
                float[][] e = randomUnit(random, labels.length, 5);
                if (set % 2 == 1) { // the maths holds off the sphere too, where the regulariser is not constant
                    for (float[] row : e) {
                        for (int c = 0; c < row.length; c++) {
                            row[c] *= 1.5f;
                        }
                    }
                }
                int[][] pairs = NPairLoss.pairs(labels, new SplittableRandom(set));
                assertRelativelyClose(
                        "set " + set, BaselineTesting.value(loss, e, labels, set), naiveLoss(toDouble(e), pairs, L2));
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        int[] labels = {0, 0, 1, 1, 1, 2, 2, 3};
        float[][] e = randomUnit(new SplittableRandom(19), labels.length, 4);
        for (float[] row : e) {
            row[0] *= 1.3f;
        }
        double[][] x = toDouble(e);
        int[][] pairs = NPairLoss.pairs(labels, new SplittableRandom(5));
        try (BaselineLoss loss = new NPairLoss(0.05, 4, 4)) {
            BaselineTesting.Run r = BaselineTesting.run(loss, e, labels, 5);
            assertRelativelyClose("loss", r.loss(), naiveLoss(x, pairs, 0.05));
            assertGradient("dL/dx", x, r.embeddingGradient(), v -> naiveLoss(v, pairs, 0.05), 1e-4);
        }
    }

    @Test
    void fewerThanTwoPairsGiveZeroWithAGraph() {
        try (BaselineLoss loss = new NPairLoss(L2, 3, 8)) {
            float[][] e = randomUnit(new SplittableRandom(2), 4, 3);
            for (int[] labels : new int[][] {{1, 1, 1, 1}, {0, 1, 2, 3}, {0, 0, 1, 2}}) {
                BaselineTesting.Run r = BaselineTesting.run(loss, e, labels, 0);
                assertThat(r.loss()).isZero();
                for (double[] row : r.embeddingGradient()) {
                    assertThat(row).containsOnly(0.0);
                }
            }
            // a repeated image as the pair of its class is fine
            float[][] twin = {{1, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0.6f, 0.8f}};
            double expected =
                    naiveLoss(toDouble(twin), NPairLoss.pairs(new int[] {0, 0, 1, 1}, new SplittableRandom(1)), L2);
            assertThat(BaselineTesting.value(loss, twin, new int[] {0, 0, 1, 1}, 1))
                    .isCloseTo(expected, within(1e-6));
        }
    }
}
