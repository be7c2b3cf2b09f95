package io.divastream.model.net.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrozenBatchNormTest {

    private static final int N = 4;
    private static final int C = 3;
    private static final int H = 5;
    private static final int W = 6;

    private static float[] random(Random random, int n, double offset, double spread) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (offset + spread * random.nextDouble());
        }
        return v;
    }

    @Test
    void trainingModeUsesAndKeepsTheRunningStatisticsWhileGammaAndBetaLearn() {
        DjlRuntime.disableGradientRecording();
        Random random = new Random(3);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            FrozenBatchNorm bn = new FrozenBatchNorm();
            bn.initialize(m, DataType.FLOAT32, new Shape(N, C, H, W));
            var p = bn.getParameters();
            float[] mean = random(random, C, -1, 2);
            float[] var = random(random, C, 0.5, 2);
            float[] gamma = random(random, C, 0.5, 1);
            float[] beta = random(random, C, -0.5, 1);
            p.get("runningMean").getArray().set(mean);
            p.get("runningVar").getArray().set(var);
            p.get("gamma").getArray().set(gamma);
            p.get("beta").getArray().set(beta);
            assertThat(p.get("runningMean").requiresGradient()).isFalse();
            assertThat(p.get("runningVar").requiresGradient()).isFalse();
            assertThat(p.get("gamma").requiresGradient()).isTrue();
            assertThat(p.get("beta").requiresGradient()).isTrue();

            float[] xs = random(random, N * C * H * W, -3, 6);
            float[] upstream = random(random, N * C * H * W, -1, 2);
            NDArray x = m.create(xs, new Shape(N, C, H, W));
            NDArray u = m.create(upstream, new Shape(N, C, H, W));
            ParameterStore store = new ParameterStore(m, false);

            float[] eval =
                    bn.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            float[] train1;
            float[] train2;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = bn.forward(store, new NDList(x), true).singletonOrThrow();
                train1 = y.toFloatArray();
                train2 = bn.forward(store, new NDList(x), true)
                        .singletonOrThrow()
                        .toFloatArray();
                collector.backward(y.mul(u).sum());
            }
            assertThat(train1).containsExactly(eval);
            assertThat(train2).containsExactly(eval);
            assertThat(p.get("runningMean").getArray().toFloatArray()).containsExactly(mean);
            assertThat(p.get("runningVar").getArray().toFloatArray()).containsExactly(var);

            double[] dGamma = new double[C];
            double[] dBeta = new double[C];
            for (int n = 0; n < N; n++) {
                for (int c = 0; c < C; c++) {
                    for (int i = 0; i < H * W; i++) {
                        int at = (n * C + c) * H * W + i;
                        double xhat = (xs[at] - mean[c]) / Math.sqrt(var[c] + 1e-5);
                        assertThat((double) eval[at]).isCloseTo(xhat * gamma[c] + beta[c], within(1e-5));
                        dGamma[c] += upstream[at] * xhat;
                        dBeta[c] += upstream[at];
                    }
                }
            }
            float[] gGamma = p.get("gamma").getArray().getGradient().toFloatArray();
            float[] gBeta = p.get("beta").getArray().getGradient().toFloatArray();
            for (int c = 0; c < C; c++) {
                assertThat((double) gGamma[c]).isCloseTo(dGamma[c], within(1e-3));
                assertThat((double) gBeta[c]).isCloseTo(dBeta[c], within(1e-3));
                assertThat(dGamma[c]).isNotZero();
            }
        }
    }

    @Test
    void aResNetWithFrozenBatchNormIsTheSameNetworkInTrainingAndEvaluationMode() {
        DjlRuntime.disableGradientRecording();
        Engine.getInstance().setRandomSeed(11);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            for (boolean frozen : new boolean[] {true, false}) {
                ResNetBackbone net = new ResNetBackbone(18, frozen);
                net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 64, 64));
                // non-trivial statistics, as after ImageNet training
                for (Parameter p : net.getParameters().values()) {
                    if (p.getType() == Parameter.Type.RUNNING_MEAN) {
                        p.getArray()
                                .set(random(
                                        new Random(p.getId().hashCode()),
                                        (int) p.getArray().size(),
                                        -0.1,
                                        0.2));
                    }
                }
                List<float[]> before = statistics(net);
                ParameterStore store = new ParameterStore(m, false);
                NDArray x = m.randomNormal(new Shape(2, 3, 64, 64));
                float[] eval = net.forward(store, new NDList(x), false)
                        .singletonOrThrow()
                        .toFloatArray();
                float[] train = net.forward(store, new NDList(x), true)
                        .singletonOrThrow()
                        .toFloatArray();
                net.forward(store, new NDList(x), true);
                if (frozen) {
                    assertThat(train).containsExactly(eval);
                    assertThat(statistics(net)).usingRecursiveComparison().isEqualTo(before);
                    assertThat(net.getChildren().values().stream().noneMatch(b -> b instanceof BatchNorm))
                            .isTrue();
                } else {
                    // the contrast: DJL's BatchNorm uses batch statistics and updates its running ones
                    assertThat(train).isNotEqualTo(eval);
                    assertThat(statistics(net)).usingRecursiveComparison().isNotEqualTo(before);
                }
            }
        }
    }

    private static List<float[]> statistics(Block net) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : net.getParameters().values()) {
            if (!p.requiresGradient()) {
                out.add(p.getArray().toFloatArray());
            }
        }
        return out;
    }
}
