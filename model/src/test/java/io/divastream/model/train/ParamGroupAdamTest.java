package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.divastream.model.DjlRuntime;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParamGroupAdamTest {

    private static final Shape[] SHAPES = {new Shape(3, 2), new Shape(4), new Shape(2)};
    private static final double[] LR = {0.01, 0.01, 0.05};
    private static final double[] WD = {0.1, 0.1, 0.0};

    /** torch.optim.Adam for one tensor, in double precision. */
    private static final class NaiveAdam {
        final double[] w;
        final double[] m;
        final double[] v;
        final double lr;
        final double wd;
        int t;

        NaiveAdam(double[] w, double lr, double wd) {
            this.w = w.clone();
            this.m = new double[w.length];
            this.v = new double[w.length];
            this.lr = lr;
            this.wd = wd;
        }

        void step(double[] grad, double lrScale) {
            t++;
            double c1 = 1 - Math.pow(0.9, t);
            double c2 = 1 - Math.pow(0.999, t);
            for (int i = 0; i < w.length; i++) {
                double g = grad[i] + wd * w[i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double denominator = Math.sqrt(v[i]) / Math.sqrt(c2) + 1e-8;
                w[i] -= lr * lrScale / c1 * m[i] / denominator;
            }
        }
    }

    @BeforeEach
    void noRecordingOutsideCollectors() {
        DjlRuntime.disableGradientRecording(); // in-place updates of leaves need grad mode off, as in the trainer
    }

    private static List<NDArray> parameters(NDManager m, double[][] values) {
        List<NDArray> out = new ArrayList<>();
        for (int k = 0; k < SHAPES.length; k++) {
            NDArray p = m.create(toFloat(values[k]), SHAPES[k]);
            p.setRequiresGradient(true);
            out.add(p);
        }
        return out;
    }

    private static List<ParamGroupAdam.Group> groups(List<NDArray> p) {
        // two groups: (lr 0.01, wd 0.1) with the first two tensors, (lr 0.05, wd 0) with the third
        return List.of(
                new ParamGroupAdam.Group("network", List.of(p.get(0), p.get(1)), LR[0], WD[0]),
                new ParamGroupAdam.Group("beta", List.of(p.get(2)), LR[2], WD[2]));
    }

    /** Sets every parameter's gradient to c by back-propagating sum(c * w). */
    private static void setGradients(NDManager m, List<NDArray> p, double[][] c) {
        try (NDManager scope = m.newSubManager();
                GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
            NDArray loss = null;
            for (int k = 0; k < p.size(); k++) {
                NDArray term =
                        scope.create(toFloat(c[k]), SHAPES[k]).mul(p.get(k)).sum();
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }

    private static double[][] randomValues(SplittableRandom random, double scale) {
        double[][] v = new double[SHAPES.length][];
        for (int k = 0; k < SHAPES.length; k++) {
            v[k] = new double[(int) SHAPES[k].size()];
            for (int i = 0; i < v[k].length; i++) {
                v[k][i] = (float) (scale * (2 * random.nextDouble() - 1));
            }
        }
        return v;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static float[] gradient(NDArray p) {
        try (NDArray g = p.getGradient()) {
            return g.toFloatArray();
        }
    }

    private static double maxAbs(float[] v) {
        double max = 0;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        return max;
    }

    @Test
    void matchesTorchAdamWithCoupledWeightDecayPerGroup() {
        SplittableRandom random = new SplittableRandom(1);
        double[][] init = randomValues(random, 1.0);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            List<NDArray> p = parameters(m, init);
            List<NaiveAdam> naive = new ArrayList<>();
            for (int k = 0; k < SHAPES.length; k++) {
                naive.add(new NaiveAdam(init[k], LR[k], WD[k]));
            }
            try (ParamGroupAdam adam = new ParamGroupAdam(m, groups(p))) {
                for (int step = 1; step <= 6; step++) {
                    double[][] c = randomValues(random, 0.5 * step); // changing gradients, both signs
                    double scale = step == 6 ? 0.5 : 1.0; // the schedule hook on the last step
                    adam.setLearningRateScale(scale);
                    setGradients(m, p, c);
                    adam.step();
                    assertThat(adam.steps()).isEqualTo(step);
                    for (int k = 0; k < SHAPES.length; k++) {
                        naive.get(k).step(c[k], scale);
                        double[] expected = naive.get(k).w;
                        float[] actual = p.get(k).toFloatArray();
                        for (int i = 0; i < expected.length; i++) {
                            assertThat((double) actual[i])
                                    .as("step %d, tensor %d[%d]", step, k, i)
                                    .isCloseTo(expected[i], within(2e-6));
                        }
                        // PyTorch accumulates gradients: the optimizer must clear them
                        assertThat(maxAbs(gradient(p.get(k))))
                                .as("gradient after step %d", step)
                                .isEqualTo(0.0);
                    }
                }
            }
        }
    }

    @Test
    void resetMomentsRestartsOneElementAsIfItHadNeverBeenUpdated() {
        SplittableRandom random = new SplittableRandom(7);
        double[][] init = randomValues(random, 1.0);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            List<NDArray> p = parameters(m, init);
            NaiveAdam naive = new NaiveAdam(init[2], LR[2], WD[2]);
            try (ParamGroupAdam adam = new ParamGroupAdam(m, groups(p))) {
                for (int step = 1; step <= 4; step++) {
                    double[][] c = randomValues(random, 1.0);
                    if (step == 3) {
                        adam.resetMoments(p.get(2), 1);
                        naive.m[1] = 0;
                        naive.v[1] = 0;
                    }
                    setGradients(m, p, c);
                    adam.step();
                    naive.step(c[2], 1.0);
                }
                float[] actual = p.get(2).toFloatArray();
                for (int i = 0; i < actual.length; i++) {
                    assertThat((double) actual[i]).as("element %d", i).isCloseTo(naive.w[i], within(2e-6));
                }
                try (NDManager other = DjlRuntime.engine().newBaseManager()) {
                    NDArray stranger = other.zeros(SHAPES[2]);
                    assertThatThrownBy(() -> adam.resetMoments(stranger, 0))
                            .isInstanceOf(IllegalArgumentException.class);
                }
            }
        }
    }

    @Test
    void aFrozenGroupKeepsItsValuesAndMomentsAndLosesItsGradients() {
        SplittableRandom random = new SplittableRandom(8);
        double[][] init = randomValues(random, 1.0);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            List<NDArray> p = parameters(m, init);
            NaiveAdam naiveBeta = new NaiveAdam(init[2], LR[2], WD[2]);
            NaiveAdam naiveFirst = new NaiveAdam(init[0], LR[0], WD[0]);
            try (ParamGroupAdam adam = new ParamGroupAdam(m, groups(p))) {
                adam.setFrozen("network", true);
                double[][] c = randomValues(random, 1.0);
                setGradients(m, p, c);
                adam.step();
                naiveBeta.step(c[2], 1.0);
                assertThat(p.get(0).toFloatArray()).containsExactly(toFloat(init[0]));
                assertThat(maxAbs(gradient(p.get(0)))).isEqualTo(0.0);
                adam.setFrozen("network", false);
                double[][] c2 = randomValues(random, 1.0);
                setGradients(m, p, c2);
                adam.step();
                // the thawed group starts from zero moments, with the bias correction of step 2
                naiveFirst.t = 1;
                naiveFirst.step(c2[0], 1.0);
                float[] actual = p.get(0).toFloatArray();
                for (int i = 0; i < actual.length; i++) {
                    assertThat((double) actual[i]).isCloseTo(naiveFirst.w[i], within(2e-6));
                }
                assertThatThrownBy(() -> adam.setFrozen("nope", true)).hasMessageContaining("'nope'");
            }
        }
    }

    @Test
    void saveAndLoadRoundTripTheMomentsAndTheStepCount() throws IOException {
        SplittableRandom random = new SplittableRandom(2);
        double[][] init = randomValues(random, 1.0);
        List<double[][]> gradients = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            gradients.add(randomValues(random, 1.0));
        }
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            List<NDArray> p = parameters(m, init);
            try (ParamGroupAdam adam = new ParamGroupAdam(m, groups(p))) {
                for (int s = 0; s < 3; s++) {
                    setGradients(m, p, gradients.get(s));
                    adam.step();
                }
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    adam.save(out);
                }
                double[][] now = new double[SHAPES.length][];
                for (int k = 0; k < SHAPES.length; k++) {
                    float[] f = p.get(k).toFloatArray();
                    now[k] = new double[f.length];
                    for (int i = 0; i < f.length; i++) {
                        now[k][i] = f[i];
                    }
                }
                List<NDArray> restoredParams = parameters(m, now);
                List<NDArray> freshParams = parameters(m, now);
                try (ParamGroupAdam restored = new ParamGroupAdam(m, groups(restoredParams));
                        ParamGroupAdam fresh = new ParamGroupAdam(m, groups(freshParams))) {
                    restored.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
                    assertThat(restored.steps()).isEqualTo(3);
                    ByteArrayOutputStream again = new ByteArrayOutputStream();
                    try (DataOutputStream out = new DataOutputStream(again)) {
                        restored.save(out);
                    }
                    assertThat(again.toByteArray()).isEqualTo(bytes.toByteArray());
                    for (int s = 3; s < 5; s++) {
                        setGradients(m, p, gradients.get(s));
                        adam.step();
                        setGradients(m, restoredParams, gradients.get(s));
                        restored.step();
                        setGradients(m, freshParams, gradients.get(s));
                        fresh.step();
                    }
                    boolean freshDiffers = false;
                    for (int k = 0; k < SHAPES.length; k++) {
                        assertThat(restoredParams.get(k).toFloatArray())
                                .isEqualTo(p.get(k).toFloatArray());
                        freshDiffers |= !Arrays.equals(
                                freshParams.get(k).toFloatArray(), p.get(k).toFloatArray());
                    }
                    // without the moments (and bias-correction step) the trajectory differs
                    assertThat(freshDiffers).isTrue();
                    assertThat(restored.steps()).isEqualTo(5);
                }
            }
        }
    }

    @Test
    void loadRejectsTheStateOfAnotherParameterList() throws IOException {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            List<NDArray> p = parameters(m, randomValues(new SplittableRandom(3), 1.0));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ParamGroupAdam adam = new ParamGroupAdam(m, groups(p));
                    DataOutputStream out = new DataOutputStream(bytes)) {
                adam.save(out);
            }
            try (ParamGroupAdam other =
                    new ParamGroupAdam(m, List.of(new ParamGroupAdam.Group("one", List.of(p.get(0)), 0.1, 0)))) {
                assertThatThrownBy(() -> other.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                        .isInstanceOf(IOException.class);
            }
            // same count, other shapes
            List<NDArray> swapped = List.of(p.get(1), p.get(0), p.get(2));
            try (ParamGroupAdam other =
                    new ParamGroupAdam(m, List.of(new ParamGroupAdam.Group("swapped", swapped, 0.1, 0)))) {
                assertThatThrownBy(() -> other.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                        .isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void zeroGradientsZeroesNonFiniteGradientsInPlaceAndLaterBackwardPassesStayExact() {
        DjlRuntime.disableGradientRecording();
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            NDArray w = m.create(new float[] {1, 2, 3});
            w.setRequiresGradient(true);
            ParamGroupAdam adam = new ParamGroupAdam(m, List.of(new ParamGroupAdam.Group("w", List.of(w), 0.1, 0)));
            for (int round = 0; round < 20; round++) {
                try (NDManager step = m.newSubManager();
                        GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                    // d/dw of sum(w * w * c) / 0 is non-finite: the rejected-step path
                    NDArray c = step.create(new float[] {round % 2 == 0 ? Float.NaN : 1f, 1f, 1f});
                    collector.backward(w.mul(w).mul(c).sum());
                }
                adam.zeroGradients();
                System.gc(); // a gradient left aliasing a collected Java buffer would now be garbage
                try (NDManager scope = m.newSubManager()) {
                    NDArray g = w.getGradient();
                    g.attach(scope);
                    assertThat(g.toFloatArray()).containsExactly(0f, 0f, 0f);
                }
            }
            try (NDManager step = m.newSubManager();
                    GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                collector.backward(w.mul(w).sum());
            }
            try (NDManager scope = m.newSubManager()) {
                NDArray g = w.getGradient();
                g.attach(scope);
                assertThat(g.toFloatArray()).containsExactly(2f, 4f, 6f);
            }
            adam.close();
        }
    }
}
