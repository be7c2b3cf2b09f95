package io.divastream.model.loss.baseline;

import static io.divastream.model.loss.baseline.BaselineTesting.assertGradient;
import static io.divastream.model.loss.baseline.BaselineTesting.assertRelativelyClose;
import static io.divastream.model.loss.baseline.BaselineTesting.dot;
import static io.divastream.model.loss.baseline.BaselineTesting.parameter;
import static io.divastream.model.loss.baseline.BaselineTesting.randomUnit;
import static io.divastream.model.loss.baseline.BaselineTesting.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.divastream.model.DjlRuntime;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ArcFaceLossTest {

    private static final double MARGIN = 0.5;

    /** ArcFace with angles from acos, one sample at a time, over the first {@code seen} classes. */
    static double naiveLoss(double[][] x, int[] labels, double[][] w, int seen, double scale) {
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            double[] logits = new double[seen];
            for (int c = 0; c < seen; c++) {
                double cos = dot(x[i], w[c]) / Math.sqrt(dot(w[c], w[c]));
                if (c == labels[i]) {
                    cos = cos > Math.cos(Math.PI - MARGIN)
                            ? Math.cos(Math.acos(Math.max(-1, Math.min(1, cos))) + MARGIN)
                            : cos - MARGIN * Math.sin(Math.PI - MARGIN);
                }
                logits[c] = scale * cos;
            }
            double max = Arrays.stream(logits).max().getAsDouble();
            double sum = 0;
            for (double l : logits) {
                sum += Math.exp(l - max);
            }
            total += max + Math.log(sum) - logits[labels[i]];
        }
        return total / x.length;
    }

    private static double[] unit(double[] v) {
        double n = Math.sqrt(dot(v, v));
        return Arrays.stream(v).map(c -> c / n).toArray();
    }

    @Test
    void matchesTheNaiveLossIncludingTheBranchBeyondPiMinusM() {
        int[] labels = {0, 0, 1, 1, 2, 2, 4, 4, 4};
        SplittableRandom random = new SplittableRandom(6);
        for (double scale : new double[] {64, 30}) {
            try (NDManager m = DjlRuntime.engine().newBaseManager();
                    ArcFaceLoss loss = new ArcFaceLoss(scale, MARGIN, m, 7, 4, 9)) {
                double[][] w = parameter(loss, 0);
                for (int set = 0; set < 4; set++) {
                    float[][] e = randomUnit(random, labels.length, 4);
                    // row 0 nearly opposite its class weight: cos(theta) < cos(pi - m), the linear branch
                    double[] away = unit(w[0]);
                    for (int c = 0; c < 4; c++) {
                        e[0][c] = (float) -away[c];
                    }
                    double[][] x = toDouble(e);
                    assertThat(dot(x[0], unit(w[0]))).isLessThan(Math.cos(Math.PI - MARGIN));
                    assertRelativelyClose(
                            "scale " + scale + " set " + set,
                            BaselineTesting.value(loss, e, labels, 0),
                            naiveLoss(x, labels, w, 5, scale));
                    assertThat(loss.seenClasses()).isEqualTo(5);
                }
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesForEmbeddingsAndWeights() {
        int[] labels = {0, 1, 1, 2, 3, 3};
        float[][] e = randomUnit(new SplittableRandom(17), labels.length, 4);
        double[][] x = toDouble(e);
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                ArcFaceLoss loss = new ArcFaceLoss(30, MARGIN, m, 6, 4, 2)) {
            double[][] w = parameter(loss, 0);
            BaselineTesting.Run r = BaselineTesting.run(loss, e, labels, 0);
            assertRelativelyClose("loss", r.loss(), naiveLoss(x, labels, w, 4, 30));
            assertGradient("dL/dx", x, r.embeddingGradient(), v -> naiveLoss(v, labels, w, 4, 30), 2e-4);
            double[][] gradW = r.parameterGradients().get(0);
            assertGradient(
                    "dL/dW", Arrays.copyOf(w, 4), Arrays.copyOf(gradW, 4), v -> naiveLoss(x, labels, v, 4, 30), 2e-4);
            assertThat(gradW[4]).as("unseen class").containsOnly(0.0);
            assertThat(gradW[5]).as("unseen class").containsOnly(0.0);
            assertThat(loss.parameterLearningRateMultiplier()).isEqualTo(1);
        }
    }

    @Test
    void noGradientReachesTheWeightsFromOutsideTheLossAndTheyStartSmallNormal() {
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                ArcFaceLoss loss = new ArcFaceLoss(64, MARGIN, m, 100, 32, 4)) {
            NDArray w = loss.parameters().get(0);
            float[] values = w.toFloatArray();
            double sq = 0;
            for (float v : values) {
                sq += (double) v * v;
            }
            assertThat(Math.sqrt(sq / values.length)).isCloseTo(ArcFaceLoss.INIT_STD, within(0.0005));
            try (NDManager step = m.newSubManager();
                    GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                NDArray e = step.create(randomUnit(new SplittableRandom(1), 3, 32));
                e.setRequiresGradient(true);
                loss.compute(e, new int[] {0, 1, 2}, new SplittableRandom(0));
                collector.backward(e.sum());
            }
            try (NDArray g = w.getGradient()) {
                assertThat(g.toFloatArray()).containsOnly(0f);
            }
        }
    }

    @Test
    void aTargetAtCosineOneHasAFiniteGradient() {
        // the embedding equals its class weight direction: sin(theta) = 0 is clamped, not differentiated to inf
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                ArcFaceLoss loss = new ArcFaceLoss(64, MARGIN, m, 3, 3, 8)) {
            double[] w0 = unit(parameter(loss, 0)[0]);
            float[][] e = {{(float) w0[0], (float) w0[1], (float) w0[2]}, {(float) w0[0], (float) w0[1], (float) w0[2]}
            };
            BaselineTesting.Run r = BaselineTesting.run(loss, e, new int[] {0, 2}, 0);
            assertThat(r.loss()).isFinite();
            for (double[] row : r.embeddingGradient()) {
                for (double g : row) {
                    assertThat(g).isFinite();
                }
            }
            for (double[] row : r.parameterGradients().get(0)) {
                for (double g : row) {
                    assertThat(g).isFinite();
                }
            }
        }
    }
}
