package io.divastream.model.net.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResNetBackboneTest {

    /**
     * Trainable parameters of torchvision's ResNet without fc, counted from the architecture: conv1
     * 3*64*7*7 and bn1; per unit its convolutions (no bias), two affine values per BatchNorm channel,
     * and the projection shortcut of the first unit of each stage (and of layer1 for the bottleneck).
     */
    private static long expectedTrainable(boolean bottleneck, int[] units) {
        long total = 3L * 64 * 49 + 2 * 64;
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            int w = widths[stage];
            int out = bottleneck ? 4 * w : w;
            for (int u = 0; u < units[stage]; u++) {
                if (bottleneck) {
                    total += (long) in * w + 2 * w; // 1x1
                    total += 9L * w * w + 2 * w; // 3x3
                    total += (long) w * out + 2 * out; // 1x1 expand
                } else {
                    total += 9L * in * w + 2 * w;
                    total += 9L * w * w + 2 * w;
                }
                if (in != out || (u == 0 && stage > 0)) {
                    total += (long) in * out + 2 * out;
                }
                in = out;
            }
        }
        return total;
    }

    private static long trainable(ResNetBackbone net) {
        long n = 0;
        for (Parameter p : net.getParameters().values()) {
            if (p.requiresGradient()) {
                n += p.getArray().size();
            }
        }
        return n;
    }

    @Test
    void parameterCountsEqualTorchvisionsWithoutTheClassifier() {
        DjlRuntime.disableGradientRecording();
        // torchvision: resnet18 11,689,512 and resnet50 25,557,032 parameters, fc 513,000 and 2,049,000
        assertThat(expectedTrainable(false, new int[] {2, 2, 2, 2}))
                .isEqualTo(11_689_512L - 513_000L)
                .isEqualTo(11_176_512L);
        assertThat(expectedTrainable(true, new int[] {3, 4, 6, 3}))
                .isEqualTo(25_557_032L - 2_049_000L)
                .isEqualTo(23_508_032L);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            ResNetBackbone r18 = new ResNetBackbone(18, true);
            r18.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            assertThat(trainable(r18)).isEqualTo(11_176_512L);
            // torchvision state_dict without fc and num_batches_tracked: 20 convolutions, 20 BatchNorms x 4
            assertThat(r18.torchvisionParameters())
                    .hasSize(100)
                    .containsKeys("layer2.0.downsample.1.running_var", "layer4.1.bn2.weight");
            ResNetBackbone r50 = new ResNetBackbone(50, true);
            r50.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            assertThat(trainable(r50)).isEqualTo(23_508_032L);
            assertThat(r50.torchvisionParameters())
                    .hasSize(53 + 53 * 4)
                    .containsKeys("layer1.0.downsample.0.weight", "layer3.5.conv3.weight");
            assertThat(r50.torchvisionParameters()
                            .get("layer3.5.conv3.weight")
                            .getArray()
                            .getShape())
                    .isEqualTo(new Shape(1024, 256, 1, 1));
            assertThat(r50.torchvisionParameters()
                            .get("conv1.weight")
                            .getArray()
                            .getShape())
                    .isEqualTo(new Shape(64, 3, 7, 7));
            // every parameter has exactly one torchvision name
            assertThat(r50.torchvisionParameters().values())
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(r50.getParameters().values());
            NDArray out = r50.forward(
                            new ParameterStore(m, false), new NDList(m.randomNormal(new Shape(1, 3, 224, 224))), false)
                    .singletonOrThrow();
            assertThat(out.getShape()).isEqualTo(new Shape(1, 2048));
        }
    }

    @Test
    void torchvisionNamedWeightsRoundTripIntoASecondNetwork() {
        DjlRuntime.disableGradientRecording();
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            ResNetBackbone source = new ResNetBackbone(50, true);
            source.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            // non-default BatchNorm statistics and affine values, so a missed tensor shows
            for (Parameter p : source.getParameters().values()) {
                if (p.getType() != Parameter.Type.WEIGHT) {
                    p.getArray().addi(m.randomUniform(0f, 0.5f, p.getArray().getShape()));
                }
            }
            Map<String, NDArray> stateDict = new LinkedHashMap<>();
            source.torchvisionParameters()
                    .forEach((k, v) -> stateDict.put(k, v.getArray().duplicate()));
            stateDict.put("fc.weight", m.zeros(new Shape(1000, 2048)));
            stateDict.put("fc.bias", m.zeros(new Shape(1000)));
            stateDict.put("bn1.num_batches_tracked", m.create(0L));

            ResNetBackbone target = new ResNetBackbone(50, true);
            target.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 64, 64));
            float[] expected = source.forward(store, new NDList(x), false)
                    .singletonOrThrow()
                    .toFloatArray();
            assertThat(target.forward(store, new NDList(x), false)
                            .singletonOrThrow()
                            .toFloatArray())
                    .isNotEqualTo(expected);
            target.loadTorchvision(stateDict);
            assertThat(target.forward(store, new NDList(x), false)
                            .singletonOrThrow()
                            .toFloatArray())
                    .containsExactly(expected);

            Map<String, NDArray> missing = new LinkedHashMap<>(stateDict);
            missing.remove("layer2.3.bn1.running_mean");
            assertThatThrownBy(() -> target.loadTorchvision(missing))
                    .hasMessageContaining("1 missing [layer2.3.bn1.running_mean]");
            Map<String, NDArray> unknown = new LinkedHashMap<>(stateDict);
            unknown.put("classifier.1.weight", m.zeros(new Shape(2)));
            assertThatThrownBy(() -> target.loadTorchvision(unknown))
                    .hasMessageContaining("1 unknown [classifier.1.weight]");
            Map<String, NDArray> misshapen = new LinkedHashMap<>(stateDict);
            misshapen.put("layer1.0.conv2.weight", m.zeros(new Shape(64, 64, 1, 1)));
            assertThatThrownBy(() -> target.loadTorchvision(misshapen))
                    .hasMessageContaining(
                            "layer1.0.conv2.weight has shape (64, 64, 1, 1), ResNet-50 needs (64, 64, 3, 3)");
            // a rejected load copies nothing
            assertThat(target.forward(store, new NDList(x), false)
                            .singletonOrThrow()
                            .toFloatArray())
                    .containsExactly(expected);
        }
    }

    @Test
    void specsDescribeTheirNetworks() {
        var r50 = BackboneSpec.ResNet.untrained(50);
        assertThat(r50.id()).isEqualTo("resnet50-frozenbn");
        assertThat(r50.featureDim()).isEqualTo(2048);
        assertThat(r50.input()).isEqualTo(InputSpec.imagenet());
        assertThat(new BackboneSpec.ResNet(18, false, "none").id()).isEqualTo("resnet18");
        assertThat(new BackboneSpec.GlyphCnn(java.util.List.of(32, 64), 28).id())
                .isEqualTo("glyphcnn-32-64");
        assertThatThrownBy(() -> new BackboneSpec.ResNet(34, true, "none")).hasMessageContaining("18 or 50, got 34");
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            assertThatThrownBy(() -> new BackboneSpec.ResNet(18, true, "no-such-dir/resnet18.pt").build(m))
                    .hasMessageContaining("cannot read ResNet weights")
                    .hasMessageContaining("resnet18.pt");
        }
    }
}
