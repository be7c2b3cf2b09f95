package io.divastream.model.net.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import io.divastream.model.net.backbone.InceptionModule.Pooling;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A one-channel module whose convolutions are set by hand, so each output channel is known: the
 * branches must come in Cadene's concatenation order (1x1, 3x3, double 3x3, pool) and the pool
 * branch must pool as Cadene's model does (average counting the padding, max in 5b, max with stride
 * 2 and no projection in the downsampling modules).
 */
class InceptionModuleTest {

    private static final int SIDE = 6;
    private static final double BN_SCALE = 1 / Math.sqrt(1 + BnInceptionBackbone.EPSILON);

    /**
     * Sets every convolution to a constant (zero weights, the given bias) except the pool
     * projection, which passes its input (weight 1, bias 0); BatchNorm to the identity (inference).
     */
    private static InceptionModule module(Pooling pooling, NDManager m, Map<String, Parameter> names) {
        boolean down = pooling == Pooling.MAX_STRIDE_2;
        InceptionModule.Spec spec =
                new InceptionModule.Spec("inception_t", 1, down ? 0 : 1, 1, 1, 1, 1, pooling, down ? 0 : 1);
        InceptionModule module = new InceptionModule(spec, names);
        module.initialize(m, DataType.FLOAT32, new Shape(1, 1, SIDE, SIDE));
        for (Map.Entry<String, Parameter> e : names.entrySet()) {
            NDArray a = e.getValue().getArray();
            String k = e.getKey();
            float value;
            if (k.endsWith("_bn.weight") || k.endsWith("_bn.running_var")) {
                value = 1f;
            } else if (k.contains("_bn.")) {
                value = 0f;
            } else if (k.endsWith(".weight")) {
                value = k.equals("inception_t_pool_proj.weight") ? 1f : 0f;
            } else {
                value = switch (k) {
                    case "inception_t_1x1.bias" -> 1f;
                    case "inception_t_3x3.bias" -> 2f;
                    case "inception_t_double_3x3_2.bias" -> 3f;
                    default -> 0f;
                };
            }
            float[] values = new float[(int) a.size()];
            java.util.Arrays.fill(values, value);
            a.set(values);
        }
        return module;
    }

    private static double at(double[][] x, int i, int j) {
        return i < 0 || j < 0 || i >= SIDE || j >= SIDE ? Double.NaN : x[i][j];
    }

    /** 3x3 pooling of x by loops; NaN marks the padding. */
    private static double pool(double[][] x, int i, int j, boolean max, boolean countPad) {
        double best = Double.NEGATIVE_INFINITY;
        double sum = 0;
        int count = 0;
        for (int di = -1; di <= 1; di++) {
            for (int dj = -1; dj <= 1; dj++) {
                double v = at(x, i + di, j + dj);
                if (!Double.isNaN(v)) {
                    best = Math.max(best, v);
                    sum += v;
                    count++;
                } else if (countPad) {
                    count++;
                }
            }
        }
        return max ? best : sum / count;
    }

    @Test
    void branchesConcatenateInCadenesOrderAndPoolAsCadenesModel() {
        DjlRuntime.disableGradientRecording();
        SplittableRandom random = new SplittableRandom(11);
        double[][] x = new double[SIDE][SIDE];
        float[] flat = new float[SIDE * SIDE];
        for (int i = 0; i < SIDE; i++) {
            for (int j = 0; j < SIDE; j++) {
                x[i][j] = (float) (random.nextDouble() * 4 - 1);
                flat[i * SIDE + j] = (float) x[i][j];
            }
        }
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            ParameterStore store = new ParameterStore(m, false);
            NDArray input = m.create(flat, new Shape(1, 1, SIDE, SIDE));
            for (Pooling pooling : Pooling.values()) {
                Map<String, Parameter> names = new LinkedHashMap<>();
                InceptionModule module = module(pooling, m, names);
                NDArray out = module.forward(store, new NDList(input), false).singletonOrThrow();
                boolean down = pooling == Pooling.MAX_STRIDE_2;
                int side = down ? 3 : SIDE;
                assertThat(out.getShape())
                        .as(pooling.name())
                        .isEqualTo(new Shape(1, down ? 3 : 4, side, side))
                        .isEqualTo(module.getOutputShapes(new Shape[] {input.getShape()})[0]);
                float[] v = out.toFloatArray();
                double[] constants = down ? new double[] {2, 3} : new double[] {1, 2, 3};
                for (int c = 0; c < constants.length; c++) {
                    for (int p = 0; p < side * side; p++) {
                        assertThat((double) v[c * side * side + p])
                                .as(pooling + " channel " + c)
                                .isCloseTo(constants[c] * BN_SCALE, within(1e-5));
                    }
                }
                int c = constants.length;
                for (int i = 0; i < side; i++) {
                    for (int j = 0; j < side; j++) {
                        double expected = switch (pooling) {
                            case AVERAGE -> Math.max(0, pool(x, i, j, false, true)) * BN_SCALE;
                            case MAX -> Math.max(0, pool(x, i, j, true, false)) * BN_SCALE;
                            // windows at 0, 2 and 4 of a 6-wide map (the last one partial, ceil mode), no projection or
                            // ReLU
                            case MAX_STRIDE_2 -> pool(x, 2 * i + 1, 2 * j + 1, true, false);
                        };
                        assertThat((double) v[(c * side + i) * side + j])
                                .as(pooling + " pool at " + i + "," + j)
                                .isCloseTo(expected, within(1e-5));
                    }
                }
                assertThat(names).hasSize(down ? 30 : 42);
            }
        }
    }

    @Test
    void aModuleWithoutA1x1BranchMustDownsample() {
        assertThatThrownBy(() -> new InceptionModule.Spec("inception_x", 8, 0, 1, 1, 1, 1, Pooling.AVERAGE, 4))
                .hasMessageContaining("inception_x");
        assertThat(new InceptionModule.Spec("inception_3c", 320, 0, 128, 160, 64, 96, Pooling.MAX_STRIDE_2, 0).out())
                .isEqualTo(576);
    }
}
