package io.divastream.model.net.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BnInceptionBackboneTest {

    /**
     * The architecture of Cadene's {@code pretrainedmodels.bninception} (the Caffe BN-Inception):
     * per module its input width, then 1x1, 3x3 reduce, 3x3, double-3x3 reduce, double 3x3, pool
     * projection (0: the downsampling modules 3c and 4e, which have neither a 1x1 branch nor a
     * projection and pass the max-pooled input through).
     */
    private static final int[][] MODULES = {
        {192, 64, 64, 64, 64, 96, 32}, // 3a
        {256, 64, 64, 96, 64, 96, 64}, // 3b
        {320, 0, 128, 160, 64, 96, 0}, // 3c
        {576, 224, 64, 96, 96, 128, 128}, // 4a
        {576, 192, 96, 128, 96, 128, 128}, // 4b
        {576, 160, 128, 160, 128, 160, 128}, // 4c
        {608, 96, 128, 192, 160, 192, 128}, // 4d
        {608, 0, 128, 192, 192, 256, 0}, // 4e
        {1056, 352, 192, 320, 160, 224, 128}, // 5a
        {1024, 352, 192, 320, 192, 224, 128}, // 5b
    };

    /** Weights, bias and BatchNorm gamma and beta of a k x k convolution with bias. */
    private static long convBn(long in, long out, long k) {
        return k * k * in * out + out + 2 * out;
    }

    /** Counts of (trainable values, BatchNorm channels, convolutions) from the table above. */
    private static long[] counted() {
        long trainable = convBn(3, 64, 7) + convBn(64, 64, 1) + convBn(64, 192, 3);
        long bnChannels = 64 + 64 + 192;
        long convs = 3;
        int in = 192;
        for (int[] m : MODULES) {
            assertThat(m[0]).as("module input width").isEqualTo(in);
            int[] widths = {m[1], m[2], m[3], m[4], m[5], m[5], m[6]};
            int[] inputs = {m[0], m[0], m[2], m[0], m[4], m[5], m[0]};
            for (int i = 0; i < widths.length; i++) {
                if (widths[i] > 0) {
                    trainable += convBn(inputs[i], widths[i], i == 2 || i == 4 || i == 5 ? 3 : 1);
                    bnChannels += widths[i];
                    convs++;
                }
            }
            in = m[1] + m[3] + m[5] + (m[6] > 0 ? m[6] : m[0]);
        }
        assertThat(in).as("final width").isEqualTo(1024);
        return new long[] {trainable, bnChannels, convs};
    }

    @Test
    void parameterCountAndNamesFollowCadenesModel() {
        DjlRuntime.disableGradientRecording();
        long[] expected = counted();
        // Cadene's model has 11,295,240 parameters with its last_linear (1024 x 1000 + 1000)
        assertThat(expected[0] + 1024 * 1000 + 1000).isEqualTo(11_295_240L);
        assertThat(expected[2]).isEqualTo(69);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            BnInceptionBackbone net = new BnInceptionBackbone();
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 227, 227));
            long trainable = 0;
            long statistics = 0;
            for (Parameter p : net.getParameters().values()) {
                if (p.requiresGradient()) {
                    trainable += p.getArray().size();
                } else {
                    statistics += p.getArray().size();
                }
            }
            assertThat(trainable).isEqualTo(expected[0]).isEqualTo(10_270_240L);
            assertThat(statistics).isEqualTo(2 * expected[1]);

            Map<String, Parameter> names = net.cadeneParameters();
            assertThat(names).hasSize((int) expected[2] * 6);
            assertThat(names)
                    .containsKeys(
                            "conv1_7x7_s2.weight",
                            "conv1_7x7_s2.bias",
                            "conv1_7x7_s2_bn.running_mean",
                            "conv2_3x3_reduce_bn.running_var",
                            "inception_3a_1x1.weight",
                            "inception_3a_pool_proj_bn.weight",
                            "inception_3c_double_3x3_2.bias",
                            "inception_4e_3x3_bn.bias",
                            "inception_5b_pool_proj.weight");
            assertThat(names).doesNotContainKeys("inception_3c_1x1.weight", "inception_4e_pool_proj.weight");
            assertThat(names.values())
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(net.getParameters().values());
            assertThat(names.keySet().iterator().next()).isEqualTo("conv1_7x7_s2.weight");
            // the DJL name of the same parameter, as docs/model.md quotes it
            assertThat(net.getParameters().get("07inception_3a_04inception_3a_3x3_reduce_bn_gamma"))
                    .isSameAs(names.get("inception_3a_3x3_reduce_bn.weight"));
            assertThat(shape(names, "conv1_7x7_s2.weight")).isEqualTo(new Shape(64, 3, 7, 7));
            assertThat(shape(names, "inception_3c_3x3.weight")).isEqualTo(new Shape(160, 128, 3, 3));
            assertThat(shape(names, "inception_4e_double_3x3_2.weight")).isEqualTo(new Shape(256, 256, 3, 3));
            assertThat(shape(names, "inception_5a_1x1.weight")).isEqualTo(new Shape(352, 1056, 1, 1));
            assertThat(shape(names, "inception_5b_pool_proj_bn.running_mean")).isEqualTo(new Shape(128));
            assertThat(names.get("inception_5b_pool_proj_bn.running_mean").requiresGradient())
                    .isFalse();

            NDArray out = net.forward(
                            new ParameterStore(m, false), new NDList(m.randomNormal(new Shape(2, 3, 227, 227))), false)
                    .singletonOrThrow();
            assertThat(out.getShape()).isEqualTo(new Shape(2, 1024));
            assertThat(net.getOutputShapes(new Shape[] {new Shape(2, 3, 227, 227)})[0])
                    .isEqualTo(new Shape(2, 1024));
        }
    }

    private static Shape shape(Map<String, Parameter> names, String name) {
        return names.get(name).getArray().getShape();
    }

    @Test
    void pooledSidesFollowPyTorchsCeilMode() {
        // the 227 px crop: 114 after conv1, then 57, 28, 14 and 7 (DiVA pools a 7 x 7 map)
        assertThat(BnInceptionBackbone.ceilPoolSide(114, 3, 2, 0)).isEqualTo(57);
        assertThat(BnInceptionBackbone.ceilPoolSide(57, 3, 2, 0)).isEqualTo(28);
        assertThat(BnInceptionBackbone.ceilPoolSide(28, 3, 2, 0)).isEqualTo(14);
        assertThat(BnInceptionBackbone.ceilPoolSide(14, 3, 2, 0)).isEqualTo(7);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            for (int side = 3; side <= 20; side++) {
                long actual = Pool.maxPool2d(
                                m.zeros(new Shape(1, 1, side, side)),
                                new Shape(3, 3),
                                new Shape(2, 2),
                                new Shape(0, 0),
                                true)
                        .getShape()
                        .get(2);
                assertThat(BnInceptionBackbone.ceilPoolSide(side, 3, 2, 0))
                        .as("side " + side)
                        .isEqualTo(actual);
                long same = Pool.avgPool2d(
                                m.zeros(new Shape(1, 1, side, side)),
                                new Shape(3, 3),
                                new Shape(1, 1),
                                new Shape(1, 1),
                                true,
                                true)
                        .getShape()
                        .get(2);
                assertThat(BnInceptionBackbone.ceilPoolSide(side, 3, 1, 1))
                        .isEqualTo(same)
                        .isEqualTo(side);
            }
        }
    }

    @Test
    void batchNormUsesBatchStatisticsAndUpdatesItsRunningStatisticsInTraining() {
        DjlRuntime.disableGradientRecording();
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            BnInceptionBackbone net = new BnInceptionBackbone();
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            Map<String, Parameter> names = net.cadeneParameters();
            NDArray mean = names.get("conv1_7x7_s2_bn.running_mean").getArray();
            NDArray var = names.get("conv1_7x7_s2_bn.running_var").getArray();
            mean.addi(m.randomUniform(-1f, 1f, mean.getShape()));
            var.addi(m.randomUniform(0f, 1f, var.getShape()));
            float[] oldMean = mean.toFloatArray();
            float[] oldVar = var.toFloatArray();
            float[] oldLast = names.get("inception_5b_pool_proj_bn.running_mean")
                    .getArray()
                    .toFloatArray();
            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(4, 3, 64, 64));

            float[] inference =
                    net.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            assertThat(mean.toFloatArray()).containsExactly(oldMean);
            assertThat(net.forward(store, new NDList(x), false)
                            .singletonOrThrow()
                            .toFloatArray())
                    .containsExactly(inference);

            float[] training =
                    net.forward(store, new NDList(x), true).singletonOrThrow().toFloatArray();
            assertThat(training).isNotEqualTo(inference);

            // the first BatchNorm sees conv1's output; its statistics, computed here by loops
            NDArray w = names.get("conv1_7x7_s2.weight").getArray();
            NDArray b = names.get("conv1_7x7_s2.bias").getArray();
            NDArray conv =
                    Conv2d.conv2d(x, w, b, new Shape(2, 2), new Shape(3, 3)).singletonOrThrow();
            long[] s = conv.getShape().getShape();
            float[] v = conv.toFloatArray();
            int plane = (int) (s[2] * s[3]);
            long n = s[0] * plane;
            float[] newMean = mean.toFloatArray();
            float[] newVar = var.toFloatArray();
            for (int c = 0; c < s[1]; c++) {
                double sum = 0;
                for (int i = 0; i < s[0]; i++) {
                    for (int j = 0; j < plane; j++) {
                        sum += v[(int) ((i * s[1] + c) * plane + j)];
                    }
                }
                double mu = sum / n;
                double sq = 0;
                for (int i = 0; i < s[0]; i++) {
                    for (int j = 0; j < plane; j++) {
                        double d = v[(int) ((i * s[1] + c) * plane + j)] - mu;
                        sq += d * d;
                    }
                }
                double unbiased = sq / (n - 1);
                // Cadene's PyTorch momentum 0.9: new = 0.1 old + 0.9 batch
                assertThat((double) newMean[c])
                        .as("running mean " + c)
                        .isCloseTo(0.1 * oldMean[c] + 0.9 * mu, within(1e-4 * (1 + Math.abs(mu))));
                assertThat((double) newVar[c])
                        .as("running var " + c)
                        .isCloseTo(0.1 * oldVar[c] + 0.9 * unbiased, within(1e-4 * (1 + unbiased)));
            }
            assertThat(names.get("inception_5b_pool_proj_bn.running_mean")
                            .getArray()
                            .toFloatArray())
                    .isNotEqualTo(oldLast);
        }
    }

    @Test
    void cadeneNamedWeightsRoundTripThroughAWeightsFile(@TempDir Path dir) throws Exception {
        DjlRuntime.disableGradientRecording();
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            BnInceptionBackbone source = new BnInceptionBackbone();
            source.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            // non-default biases, BatchNorm statistics and affine values, so a missed tensor shows
            for (Parameter p : source.getParameters().values()) {
                if (p.getType() != Parameter.Type.WEIGHT) {
                    p.getArray().addi(m.randomUniform(0f, 0.5f, p.getArray().getShape()));
                }
            }
            Map<String, MiniTorchArchive.Tensor> stateDict = new LinkedHashMap<>();
            source.cadeneParameters().forEach((k, v) -> stateDict.put(k, MiniTorchArchive.Tensor.of(v.getArray())));
            stateDict.put("last_linear.weight", MiniTorchArchive.Tensor.of(m.zeros(new Shape(1000, 1024))));
            stateDict.put("last_linear.bias", MiniTorchArchive.Tensor.of(m.zeros(new Shape(1000))));
            stateDict.put("conv1_7x7_s2_bn.num_batches_tracked", MiniTorchArchive.Tensor.of(m.zeros(new Shape())));
            Path file = dir.resolve("bninception.pt");
            MiniTorchArchive.write(file, stateDict);

            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 64, 64));
            float[] expected = source.forward(store, new NDList(x), false)
                    .singletonOrThrow()
                    .toFloatArray();
            // the same tensors as torch.save(model.state_dict()) lays them out
            Path stateFile = dir.resolve("bninception-state.pth");
            MiniTorchArchive.writeStateDict(stateFile, stateDict);
            try (Backbone loaded = new BackboneSpec.BnInception(file.toString()).build(m);
                    Backbone fromState = new BackboneSpec.BnInception(stateFile.toString()).build(m);
                    Backbone fresh = BackboneSpec.BnInception.untrained().build(m)) {
                assertThat(fresh.block()
                                .forward(store, new NDList(x), false)
                                .singletonOrThrow()
                                .toFloatArray())
                        .isNotEqualTo(expected);
                assertThat(loaded.block()
                                .forward(store, new NDList(x), false)
                                .singletonOrThrow()
                                .toFloatArray())
                        .containsExactly(expected);
                assertThat(fromState
                                .block()
                                .forward(store, new NDList(x), false)
                                .singletonOrThrow()
                                .toFloatArray())
                        .containsExactly(expected);
            }

            BnInceptionBackbone target = new BnInceptionBackbone();
            target.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            source.cadeneParameters().forEach((k, v) -> tensors.put(k, v.getArray()));
            float[] before = target.forward(store, new NDList(x), false)
                    .singletonOrThrow()
                    .toFloatArray();
            Map<String, NDArray> missing = new LinkedHashMap<>(tensors);
            missing.remove("inception_4d_double_3x3_1_bn.running_var");
            assertThatThrownBy(() -> target.loadCadene(missing))
                    .hasMessageContaining(
                            "not Cadene BN-Inception weights: 1 missing [inception_4d_double_3x3_1_bn.running_var]");
            Map<String, NDArray> unknown = new LinkedHashMap<>(tensors);
            unknown.put("fc.weight", m.zeros(new Shape(2)));
            assertThatThrownBy(() -> target.loadCadene(unknown)).hasMessageContaining("1 unknown [fc.weight]");
            Map<String, NDArray> misshapen = new LinkedHashMap<>(tensors);
            misshapen.put("inception_3a_3x3.weight", m.zeros(new Shape(64, 64, 1, 1)));
            assertThatThrownBy(() -> target.loadCadene(misshapen))
                    .hasMessageContaining(
                            "inception_3a_3x3.weight has shape (64, 64, 1, 1), BN-Inception needs (64, 64, 3, 3)");
            // a rejected load copies nothing
            assertThat(target.forward(store, new NDList(x), false)
                            .singletonOrThrow()
                            .toFloatArray())
                    .containsExactly(before);
        }
    }

    @Test
    void specDescribesTheNetwork() {
        var spec = BackboneSpec.BnInception.untrained();
        assertThat(spec.id()).isEqualTo("bninception");
        assertThat(spec.featureDim()).isEqualTo(1024);
        assertThat(spec.input()).isEqualTo(InputSpec.caffeBnInception());
        assertThat(spec.inputShape(2)).isEqualTo(new Shape(2, 3, 227, 227));
        assertThatThrownBy(() -> new BackboneSpec.BnInception(" ")).hasMessageContaining("blank");
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            assertThatThrownBy(() -> new BackboneSpec.BnInception("no-such-dir/bninception.pt").build(m))
                    .hasMessageContaining("cannot read BN-Inception weights")
                    .hasMessageContaining("bninception.pt");
        }
    }
}
