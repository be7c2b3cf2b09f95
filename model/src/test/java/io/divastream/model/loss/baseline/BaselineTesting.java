package io.divastream.model.loss.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.divastream.model.DjlRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/** Shared fixtures of the baseline-loss tests: random data, plain-Java maths, gradient runs. */
final class BaselineTesting {

    private BaselineTesting() {}

    /** The loss value and the gradients of one compute + backward. */
    record Run(double loss, double[][] embeddingGradient, List<double[][]> parameterGradients) {}

    /**
     * Computes the loss on {@code x} in a gradient collector and returns value and gradients. The
     * parameters' gradients are read and then zeroed (PyTorch accumulates them across backward calls).
     */
    static Run run(BaselineLoss loss, float[][] x, int[] classes, long seed) {
        float[] gradX;
        double value;
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            try (GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
                NDArray e = m.create(x);
                e.setRequiresGradient(true);
                NDArray l = loss.compute(e, classes, new SplittableRandom(seed));
                assertThat(l.getShape().dimension()).as("scalar loss").isZero();
                assertThat(l.getManager())
                        .as("the loss belongs to the embeddings' manager")
                        .isSameAs(m);
                value = l.getFloat();
                collector.backward(l);
                gradX = e.getGradient().toFloatArray();
            }
        }
        List<double[][]> gradients = new ArrayList<>();
        for (NDArray p : loss.parameters()) {
            try (NDArray g = p.getGradient()) {
                gradients.add(rows(g.toFloatArray(), (int) p.getShape().get(0)));
                g.subi(g);
            }
        }
        return new Run(value, rows(gradX, x.length), gradients);
    }

    /** Computes the loss without gradients. */
    static double value(BaselineLoss loss, float[][] x, int[] classes, long seed) {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            return loss.compute(m.create(x), classes, new SplittableRandom(seed))
                    .getFloat();
        }
    }

    /** The current values of a loss's k-th parameter. */
    static double[][] parameter(BaselineLoss loss, int k) {
        NDArray p = loss.parameters().get(k);
        try (NDArray copy = p.stopGradient()) {
            return rows(copy.toFloatArray(), (int) p.getShape().get(0));
        }
    }

    /** Row-wise L2 normalisation, differentiable, on the array's manager. */
    static NDArray normalize(NDArray x) {
        return x.div(x.square().sum(new int[] {1}, true).sqrt());
    }

    static double[][] rows(float[] flat, int n) {
        int d = flat.length / n;
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                out[i][c] = flat[i * d + c];
            }
        }
        return out;
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

    static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** n uniformly random unit vectors of dimension d. */
    static float[][] randomUnit(SplittableRandom random, int n, int d) {
        float[][] e = new float[n][d];
        for (int i = 0; i < n; i++) {
            double[] v = new double[d];
            double norm = 0;
            for (int c = 0; c < d; c++) {
                v[c] = gaussian(random);
                norm += v[c] * v[c];
            }
            for (int c = 0; c < d; c++) {
                e[i][c] = (float) (v[c] / Math.sqrt(norm));
            }
        }
        return e;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            s += a[c] * b[c];
        }
        return s;
    }

    /** {@code sqrt(|a - b|^2 + 1e-8)}, the losses' distance. */
    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int c = 0; c < a.length; c++) {
            s += (a[c] - b[c]) * (a[c] - b[c]);
        }
        return Math.sqrt(s + 1e-8);
    }

    /** Plain Euclidean distance, as the miners see it. */
    static double plainDistance(double[] a, double[] b) {
        return Math.sqrt(Math.max(0, distance(a, b) * distance(a, b) - 1e-8));
    }

    /**
     * Asserts that {@code gradient} matches central differences of {@code f} at {@code x}, to
     * {@code tolerance} times the largest gradient entry (at least 1).
     */
    static void assertGradient(
            String what, double[][] x, double[][] gradient, ToDoubleFunction<double[][]> f, double tolerance) {
        double scale = 1;
        for (double[] row : gradient) {
            for (double g : row) {
                scale = Math.max(scale, Math.abs(g));
            }
        }
        double h = 1e-6;
        double largestNumeric = 0;
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < x[i].length; c++) {
                double keep = x[i][c];
                x[i][c] = keep + h;
                double up = f.applyAsDouble(x);
                x[i][c] = keep - h;
                double down = f.applyAsDouble(x);
                x[i][c] = keep;
                double numeric = (up - down) / (2 * h);
                largestNumeric = Math.max(largestNumeric, Math.abs(numeric));
                assertThat(gradient[i][c]).as("%s[%d][%d]", what, i, c).isCloseTo(numeric, within(tolerance * scale));
            }
        }
        assertThat(largestNumeric).as("%s is not trivially zero", what).isGreaterThan(1e-3);
    }

    static void assertRelativelyClose(String what, double actual, double expected) {
        assertThat(actual).as(what).isCloseTo(expected, within(1e-5 * Math.max(1, Math.abs(expected))));
    }
}
