package io.divastream.model.loss.baseline;

import static io.divastream.model.loss.baseline.BaselineTesting.assertGradient;
import static io.divastream.model.loss.baseline.BaselineTesting.assertRelativelyClose;
import static io.divastream.model.loss.baseline.BaselineTesting.distance;
import static io.divastream.model.loss.baseline.BaselineTesting.randomUnit;
import static io.divastream.model.loss.baseline.BaselineTesting.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ContrastiveLossTest {

    /** Both hinge means over all unordered pairs, each over its non-zero hinges, in doubles. */
    static double naiveLoss(double[][] x, int[] labels, double mPos, double mNeg) {
        double pull = 0;
        double push = 0;
        int activePull = 0;
        int activePush = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                double d = distance(x[i], x[j]);
                if (labels[i] == labels[j]) {
                    double h = Math.max(0, d - mPos);
                    pull += h;
                    activePull += h > 0 ? 1 : 0;
                } else {
                    double h = Math.max(0, mNeg - d);
                    push += h;
                    activePush += h > 0 ? 1 : 0;
                }
            }
        }
        return (activePull > 0 ? pull / activePull : pull) + (activePush > 0 ? push / activePush : push);
    }

    @Test
    void matchesTheNaiveLossOnRandomUnitEmbeddings() {
        int[] labels = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 4, 4};
        SplittableRandom random = new SplittableRandom(8);
        for (double[] margins : new double[][] {{0, 0.5}, {0.3, 1.2}}) {
            for (int set = 0; set < 4; set++) {
                float[][] e = randomUnit(random, labels.length, 3);
                double expected = naiveLoss(toDouble(e), labels, margins[0], margins[1]);
                try (BaselineLoss loss = new ContrastiveLoss(margins[0], margins[1], 3, 5)) {
                    assertRelativelyClose("set " + set, BaselineTesting.value(loss, e, labels, 0), expected);
                }
            }
        }
    }

    @Test
    void defaultsAverageOverActiveNegativesOnly() {
        // two negatives pairs: one at distance 0.3 (active under m_neg = 0.5), one at 2 (inactive)
        float[][] e = {{1, 0}, {0.955f, 0.29664793f}, {-1, 0}};
        int[] labels = {0, 1, 2};
        try (BaselineLoss loss =
                BaselineLosses.create(BaselineSpec.defaults(BaselineKind.CONTRASTIVE), null, 3, 2, 0)) {
            double d01 = Math.sqrt(0.045 * 0.045 + 0.29664793 * 0.29664793 + 1e-8);
            double d12 = distance(new double[] {0.955, 0.29664793}, new double[] {-1, 0});
            assertThat(d12).isGreaterThan(0.5);
            // no positive pair; push term = mean over the single active pair, not over all three
            assertThat(BaselineTesting.value(loss, e, labels, 0)).isCloseTo(0.5 - d01, within(1e-5));
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        int[] labels = {0, 0, 0, 1, 1, 2, 2, 3};
        SplittableRandom random = new SplittableRandom(21);
        float[][] e = randomUnit(random, labels.length, 3);
        double[][] x = toDouble(e);
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                assertThat(Math.abs(distance(x[i], x[j]) - 0.5))
                        .as("away from the kink")
                        .isGreaterThan(1e-4);
            }
        }
        try (BaselineLoss loss = new ContrastiveLoss(0, 0.5, 3, 4)) {
            BaselineTesting.Run r = BaselineTesting.run(loss, e, labels, 0);
            assertThat(r.loss()).isCloseTo(naiveLoss(x, labels, 0, 0.5), within(1e-5));
            assertGradient("dL/dx", x, r.embeddingGradient(), v -> naiveLoss(v, labels, 0, 0.5), 1e-4);
        }
    }

    @Test
    void batchesWithoutPairsOfOneKindAndRepeatedImages() {
        try (BaselineLoss loss = new ContrastiveLoss(0, 0.5, 2, 4)) {
            float[][] e = {{1, 0}, {0, 1}, {0.6f, 0.8f}};
            // only positive pairs, only negative pairs, a single row
            assertRelativelyClose(
                    "one class",
                    BaselineTesting.value(loss, e, new int[] {1, 1, 1}, 0),
                    naiveLoss(toDouble(e), new int[] {1, 1, 1}, 0, 0.5));
            assertThat(BaselineTesting.value(loss, e, new int[] {0, 1, 2}, 0)).isZero();
            BaselineTesting.Run single = BaselineTesting.run(loss, new float[][] {{1, 0}}, new int[] {0}, 0);
            assertThat(single.loss()).isZero();
            // a repeated image: distance sqrt(1e-8) pulled, with a finite (zero-direction) gradient
            BaselineTesting.Run twin = BaselineTesting.run(loss, new float[][] {{1, 0}, {1, 0}}, new int[] {3, 3}, 0);
            assertThat(twin.loss()).isCloseTo(1e-4, within(1e-6));
            for (double[] row : twin.embeddingGradient()) {
                assertThat(row).containsOnly(0.0);
            }
        }
    }
}
