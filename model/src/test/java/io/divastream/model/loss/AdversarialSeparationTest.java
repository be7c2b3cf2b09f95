package io.divastream.model.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import io.divastream.model.net.DecorrelationRegressor;
import io.divastream.model.tensor.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class AdversarialSeparationTest {

    private static final int B = 5;
    private static final int D = 6;
    private static final int HIDDEN = 8;
    private static final float RHO = 3f;

    private static float[][] gaussian(SplittableRandom random, int n, int d) {
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                x[i][c] = (float) (Math.sqrt(-2 * Math.log(1 - random.nextDouble()))
                        * Math.cos(2 * Math.PI * random.nextDouble()));
            }
        }
        return x;
    }

    @Test
    void gradientReversalIsTheIdentityForwardAndNegatesTheGradient() {
        SplittableRandom random = new SplittableRandom(1);
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
            NDArray x = m.create(gaussian(random, 3, 4));
            x.setRequiresGradient(true);
            NDArray c = m.create(gaussian(random, 3, 4));
            NDArray reversed = AdversarialSeparation.reverseGradient(x);
            assertThat(reversed.toFloatArray()).containsExactly(x.toFloatArray());
            collector.backward(reversed.mul(c).sum());
            assertThat(x.getGradient().toFloatArray()).containsExactly(c.neg().toFloatArray());
        }
    }

    @Test
    void prepareIsTheL2NormalisationOfTheInput() {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            float[][] x = gaussian(new SplittableRandom(2), B, D);
            float[] prepared = AdversarialSeparation.prepare(m.create(x)).toFloatArray();
            for (int i = 0; i < B; i++) {
                double norm = 0;
                for (float v : x[i]) {
                    norm += (double) v * v;
                }
                for (int c = 0; c < D; c++) {
                    assertThat((double) prepared[i * D + c]).isCloseTo(x[i][c] / Math.sqrt(norm), within(1e-6));
                }
            }
        }
    }

    @Test
    void correlationEqualsANaiveComputation() {
        SplittableRandom random = new SplittableRandom(3);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            Block regressor = DecorrelationRegressor.create(D, HIDDEN, m);
            NDArray source = m.create(gaussian(random, B, D)).normalize(2, 1, 1e-12);
            NDArray target = m.create(gaussian(random, B, D)).normalize(2, 1, 1e-12);
            double c = AdversarialSeparation.correlation(source, target, regressor, new ParameterStore(m, false), true)
                    .getFloat();
            assertThat(c).isCloseTo(naiveCorrelation(source, target, regressor), within(1e-7));
            assertThat(c).isPositive();
        }
    }

    /** mean over batch and dimensions of (t * normalize(W2 relu(W1 s + b1) + b2))^2, in double. */
    private static double naiveCorrelation(NDArray sourceArray, NDArray targetArray, Block regressor) {
        List<float[]> p = new ArrayList<>();
        for (Parameter parameter : regressor.getParameters().values()) {
            p.add(parameter.getArray().toFloatArray());
        }
        assertThat(p).hasSize(4);
        float[] w1 = p.get(0);
        float[] b1 = p.get(1);
        float[] w2 = p.get(2);
        float[] b2 = p.get(3);
        assertThat(w1).hasSize(HIDDEN * D);
        assertThat(w2).hasSize(D * HIDDEN);
        float[] s = sourceArray.toFloatArray();
        float[] t = targetArray.toFloatArray();
        double total = 0;
        for (int i = 0; i < B; i++) {
            double[] h = new double[HIDDEN];
            for (int u = 0; u < HIDDEN; u++) {
                double a = b1[u];
                for (int c = 0; c < D; c++) {
                    a += (double) w1[u * D + c] * s[i * D + c];
                }
                h[u] = Math.max(0, a);
            }
            double[] out = new double[D];
            double norm = 0;
            for (int c = 0; c < D; c++) {
                double a = b2[c];
                for (int u = 0; u < HIDDEN; u++) {
                    a += w2[c * HIDDEN + u] * h[u];
                }
                out[c] = a;
                norm += a * a;
            }
            for (int c = 0; c < D; c++) {
                double v = t[i * D + c] * out[c] / Math.sqrt(norm);
                total += v * v;
            }
        }
        return total / (B * D);
    }

    private record Gradients(float[] source, float[] target, List<float[]> regressor, double separation) {}

    /** L_sep = -rho c(f(source), f(target)) and its gradients, with f either prepare or plain normalisation. */
    private static Gradients separationGradients(
            NDManager m, float[][] s, float[][] t, Block regressor, UnaryOperator<NDArray> f) {
        try (NDManager scope = m.newSubManager();
                GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
            NDArray source = scope.create(s);
            source.setRequiresGradient(true);
            NDArray target = scope.create(t);
            target.setRequiresGradient(true);
            NDArray separation = AdversarialSeparation.correlation(
                            f.apply(source), f.apply(target), regressor, new ParameterStore(scope, false), true)
                    .mul(-RHO);
            collector.backward(separation);
            List<float[]> regressorGradients = new ArrayList<>();
            for (Parameter p : regressor.getParameters().values()) {
                NDArray g = p.getArray().getGradient();
                regressorGradients.add(g.toFloatArray());
                g.muli(0f); // PyTorch accumulates: clear for the next pass
                g.close();
            }
            return new Gradients(
                    source.getGradient().toFloatArray(),
                    target.getGradient().toFloatArray(),
                    regressorGradients,
                    separation.getFloat());
        }
    }

    @Test
    void embeddingsReceiveExactlyTheNegatedGradientAndTheRegressorTheNormalOne() {
        SplittableRandom random = new SplittableRandom(4);
        float[][] s = gaussian(random, B, D);
        float[][] t = gaussian(random, B, D);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            Block regressor = DecorrelationRegressor.create(D, HIDDEN, m);
            Gradients reversed = separationGradients(m, s, t, regressor, AdversarialSeparation::prepare);
            Gradients plain = separationGradients(m, s, t, regressor, x -> x.normalize(2, 1, 1e-12));
            assertThat(reversed.separation()).isEqualTo(plain.separation()).isNegative();
            assertThat(reversed.source()).containsExactly(negate(plain.source()));
            assertThat(reversed.target()).containsExactly(negate(plain.target()));
            assertThat(plain.source()).as("non-trivial gradient").isNotEqualTo(new float[B * D]);
            for (int k = 0; k < reversed.regressor().size(); k++) {
                assertThat(reversed.regressor().get(k))
                        .containsExactly(plain.regressor().get(k));
            }
        }
    }

    @Test
    void descendingTheSeparationRaisesTheCorrelationForTheRegressorAndLowersItForTheEmbeddings() {
        // DIVA_SPEC 3 and 10.7: the regressor learns to predict the target (c up), while the reversed
        // gradient makes the heads harder to predict from each other (c down)
        DjlRuntime.disableGradientRecording(); // in-place parameter updates outside the collector
        SplittableRandom random = new SplittableRandom(5);
        float[][] s = gaussian(random, B, D);
        float[][] t = gaussian(random, B, D);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            Block regressor = DecorrelationRegressor.create(D, HIDDEN, m);
            ParameterStore store = new ParameterStore(m, false);
            double before = correlation(m, s, t, regressor, store);
            Gradients g = separationGradients(m, s, t, regressor, AdversarialSeparation::prepare);

            float[][] s2 = descend(s, g.source());
            float[][] t2 = descend(t, g.target());
            assertThat(correlation(m, s2, t2, regressor, store)).isLessThan(before);

            double norm = 0;
            for (float[] gr : g.regressor()) {
                for (float v : gr) {
                    norm += (double) v * v;
                }
            }
            List<Parameter> parameters = regressor.getParameters().values();
            for (int k = 0; k < parameters.size(); k++) {
                NDArray array = parameters.get(k).getArray();
                try (NDManager scope = m.newSubManager()) {
                    NDArray step =
                            scope.create(g.regressor().get(k), array.getShape()).mul((float) (1e-2 / Math.sqrt(norm)));
                    array.subi(step);
                }
            }
            assertThat(correlation(m, s, t, regressor, store)).isGreaterThan(before);
        }
    }

    private static double correlation(NDManager m, float[][] s, float[][] t, Block regressor, ParameterStore store) {
        try (NDManager scope = m.newSubManager()) {
            return AdversarialSeparation.correlation(
                            AdversarialSeparation.prepare(scope.create(s)),
                            AdversarialSeparation.prepare(scope.create(t)),
                            regressor,
                            store,
                            false)
                    .getFloat();
        }
    }

    private static float[][] descend(float[][] x, float[] gradient) {
        double norm = 0;
        for (float v : gradient) {
            norm += (double) v * v;
        }
        float[][] out = new float[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < x[i].length; c++) {
                out[i][c] = (float) (x[i][c] - 1e-2 * gradient[i * x[i].length + c] / Math.sqrt(norm));
            }
        }
        return out;
    }

    private static float[] negate(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = -v[i];
        }
        return out;
    }

    private record PairGradients(double separation, List<float[]> heads, List<List<float[]>> regressors) {}

    /**
     * L_sep over the DiVA pairs and its gradients: through {@link AdversarialSeparation#separation} when
     * {@code reversed}, or as -sum rho c(normalize(source), normalize(target)) without the GRL otherwise.
     */
    private static PairGradients pairGradients(
            NDManager m, float[][][] heads, List<SeparationPair> pairs, List<Block> regressors, boolean reversed) {
        try (NDManager scope = m.newSubManager();
                GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
            NDList arrays = new NDList();
            for (float[][] h : heads) {
                NDArray a = scope.create(h);
                a.setRequiresGradient(true);
                arrays.add(a);
            }
            ParameterStore store = new ParameterStore(scope, false);
            NDArray separation;
            if (reversed) {
                separation = AdversarialSeparation.separation(arrays, pairs, regressors, store, true);
            } else {
                separation = null;
                for (int i = 0; i < pairs.size(); i++) {
                    SeparationPair pair = pairs.get(i);
                    NDArray term = Scalars.mul(
                            AdversarialSeparation.correlation(
                                    arrays.get(pair.source()).normalize(2, 1, 1e-12),
                                    arrays.get(pair.target()).normalize(2, 1, 1e-12),
                                    regressors.get(i),
                                    store,
                                    true),
                            -pair.rho());
                    separation = separation == null ? term : separation.add(term);
                }
            }
            collector.backward(separation);
            List<float[]> headGradients = new ArrayList<>();
            for (NDArray a : arrays) {
                headGradients.add(a.getGradient().toFloatArray());
            }
            List<List<float[]>> regressorGradients = new ArrayList<>();
            for (Block regressor : regressors) {
                List<float[]> gradients = new ArrayList<>();
                for (Parameter p : regressor.getParameters().values()) {
                    NDArray g = p.getArray().getGradient();
                    gradients.add(g.toFloatArray());
                    g.muli(0f);
                    g.close();
                }
                regressorGradients.add(gradients);
            }
            return new PairGradients(separation.getFloat(), headGradients, regressorGradients);
        }
    }

    private static float[][][] fourHeads(SplittableRandom random) {
        float[][][] heads = new float[4][][];
        for (int h = 0; h < 4; h++) {
            heads[h] = gaussian(random, B, D);
        }
        return heads;
    }

    private static List<Block> regressors(NDManager m, int count) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            blocks.add(DecorrelationRegressor.create(D, HIDDEN, m));
        }
        return blocks;
    }

    @Test
    void divaPairsAreTheThreeAuxiliaryHeadsAgainstTheDiscriminativeOne() {
        List<SeparationPair> pairs = SeparationPair.diva(1, 2, 3);
        assertThat(pairs)
                .containsExactly(new SeparationPair(1, 0, 1), new SeparationPair(2, 0, 2), new SeparationPair(3, 0, 3));
        assertThatThrownBy(() -> new SeparationPair(1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SeparationPair(1, 0, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 -> 0");
        assertThatThrownBy(() -> new SeparationPair(1, 0, -2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void separationAppliesRhoPerPair() {
        SplittableRandom random = new SplittableRandom(6);
        float[][][] heads = fourHeads(random);
        double[] rho = {2, 5, 0.5};
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            List<Block> regressors = regressors(m, 3);
            List<SeparationPair> pairs = SeparationPair.diva(rho[0], rho[1], rho[2]);
            PairGradients weighted = pairGradients(m, heads, pairs, regressors, true);
            PairGradients unit = pairGradients(m, heads, SeparationPair.diva(1, 1, 1), regressors, true);
            // the value: -sum rho_i c_i, with c_i of each pair computed on its own
            double expected = 0;
            for (int i = 0; i < 3; i++) {
                try (NDManager scope = m.newSubManager()) {
                    double c = AdversarialSeparation.correlation(
                                    AdversarialSeparation.prepare(scope.create(heads[i + 1])),
                                    AdversarialSeparation.prepare(scope.create(heads[0])),
                                    regressors.get(i),
                                    new ParameterStore(scope, false),
                                    true)
                            .getFloat();
                    assertThat(c).isPositive();
                    expected -= rho[i] * c;
                }
            }
            assertThat(weighted.separation()).isCloseTo(expected, within(1e-6 * Math.abs(expected)));
            // each regressor's gradient scales with its own rho, and so does its source head's
            for (int i = 0; i < 3; i++) {
                for (int p = 0; p < weighted.regressors().get(i).size(); p++) {
                    float[] w = weighted.regressors().get(i).get(p);
                    float[] u = unit.regressors().get(i).get(p);
                    for (int c = 0; c < w.length; c++) {
                        assertThat((double) w[c])
                                .isCloseTo(rho[i] * u[c], within(1e-5 * (1 + Math.abs(rho[i] * u[c]))));
                    }
                }
                float[] w = weighted.heads().get(i + 1);
                float[] u = unit.heads().get(i + 1);
                for (int c = 0; c < w.length; c++) {
                    assertThat((double) w[c]).isCloseTo(rho[i] * u[c], within(1e-5 * (1 + Math.abs(rho[i] * u[c]))));
                }
            }
        }
    }

    @Test
    void acrossAllPairsEmbeddingGradientsAreReversedAndRegressorGradientsAreNot() {
        // DIVA_SPEC 10.7: for the same loss, compare with the gradient of the loss without the GRL
        SplittableRandom random = new SplittableRandom(7);
        float[][][] heads = fourHeads(random);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            List<Block> regressors = regressors(m, 3);
            List<SeparationPair> pairs = SeparationPair.diva(3, 1, 2);
            PairGradients reversed = pairGradients(m, heads, pairs, regressors, true);
            PairGradients plain = pairGradients(m, heads, pairs, regressors, false);
            assertThat(reversed.separation())
                    .isCloseTo(plain.separation(), within(1e-7))
                    .isNegative();
            for (int h = 0; h < 4; h++) {
                float[] r = reversed.heads().get(h);
                float[] p = plain.heads().get(h);
                assertThat(p).as("head %d has a gradient", h).isNotEqualTo(new float[B * D]);
                for (int c = 0; c < r.length; c++) {
                    assertThat(r[c]).as("head %d", h).isCloseTo(-p[c], within(1e-7f));
                }
            }
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < reversed.regressors().get(i).size(); k++) {
                    assertThat(reversed.regressors().get(i).get(k))
                            .containsExactly(plain.regressors().get(i).get(k), within(1e-7f));
                }
            }
        }
    }

    @Test
    void separationRejectsMismatchedPairsAndRegressors() {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            NDList two = new NDList(
                    m.create(gaussian(new SplittableRandom(8), B, D)),
                    m.create(gaussian(new SplittableRandom(9), B, D)));
            ParameterStore store = new ParameterStore(m, false);
            assertThatThrownBy(() -> AdversarialSeparation.separation(
                            two, SeparationPair.diva(1, 1, 1), regressors(m, 2), store, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("3 decorrelation pairs");
            assertThatThrownBy(() -> AdversarialSeparation.separation(
                            two, SeparationPair.diva(1, 1, 1), regressors(m, 3), store, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("beyond the 2");
        }
    }
}
