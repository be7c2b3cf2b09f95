package io.divastream.model.net.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchScriptArchiveTest {

    @TempDir
    Path dir;

    @Test
    void stridesAndOffsetsSelectTheRightElements() throws Exception {
        // storage 0..11; a (3, 2) view at offset 1 with strides (1, 4) is the transpose of a slice
        float[] storage = new float[12];
        for (int i = 0; i < 12; i++) {
            storage[i] = i;
        }
        Map<String, MiniTorchArchive.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a.b.weight", new MiniTorchArchive.Tensor(storage, 1, new long[] {3, 2}, new long[] {1, 4}));
        tensors.put(
                "a.running_mean", new MiniTorchArchive.Tensor(new float[] {5f, 6f}, 0, new long[] {2}, new long[] {1}));
        Path file = dir.resolve("tiny.pt");
        MiniTorchArchive.write(file, tensors);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            Map<String, NDArray> read = TorchScriptArchive.read(file, m);
            assertThat(read.keySet()).containsExactly("a.b.weight", "a.running_mean");
            assertThat(read.get("a.b.weight").getShape()).isEqualTo(new Shape(3, 2));
            // element (i, j) = storage[1 + i + 4 j]
            assertThat(read.get("a.b.weight").toFloatArray()).containsExactly(1, 5, 2, 6, 3, 7);
            assertThat(read.get("a.running_mean").toFloatArray()).containsExactly(5f, 6f);
        }
    }

    @Test
    void aResNetLoadsTorchvisionWeightsFromAnArchiveFile() throws Exception {
        DjlRuntime.disableGradientRecording();
        Engine.getInstance().setRandomSeed(4);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            Backbone source = BackboneSpec.ResNet.untrained(18).build(m);
            ResNetBackbone net = (ResNetBackbone) source.block();
            Map<String, MiniTorchArchive.Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : net.torchvisionParameters().entrySet()) {
                NDArray a = e.getValue().getArray();
                if (e.getValue().getType() == Parameter.Type.RUNNING_MEAN
                        || e.getValue().getType() == Parameter.Type.RUNNING_VAR) {
                    a.addi(m.randomUniform(0f, 0.5f, a.getShape()));
                }
                long[] shape = a.getShape().getShape();
                long[] stride = new long[shape.length];
                long s = 1;
                for (int d = shape.length - 1; d >= 0; d--) {
                    stride[d] = s;
                    s *= shape[d];
                }
                tensors.put(e.getKey(), new MiniTorchArchive.Tensor(a.toFloatArray(), 0, shape, stride));
            }
            tensors.put(
                    "fc.weight",
                    new MiniTorchArchive.Tensor(new float[1000 * 512], 0, new long[] {1000, 512}, new long[] {512, 1}));
            tensors.put("fc.bias", new MiniTorchArchive.Tensor(new float[1000], 0, new long[] {1000}, new long[] {1}));
            Path file = dir.resolve("resnet18.pt");
            MiniTorchArchive.write(file, tensors);

            Backbone loaded = new BackboneSpec.ResNet(18, true, file.toString()).build(m);
            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 64, 64));
            float[] expected = source.block()
                    .forward(store, new NDList(x), false)
                    .singletonOrThrow()
                    .toFloatArray();
            assertThat(loaded.block()
                            .forward(store, new NDList(x), false)
                            .singletonOrThrow()
                            .toFloatArray())
                    .containsExactly(expected);

            // a ResNet-18 file is no ResNet-50
            assertThatThrownBy(() -> new BackboneSpec.ResNet(50, true, file.toString()).build(m))
                    .hasMessageContaining("resnet18.pt")
                    .hasMessageContaining("not torchvision ResNet-50 weights");
        }
    }

    @Test
    void aStateDictSavedWithTorchSaveIsReadByItsDottedNames() throws Exception {
        Map<String, MiniTorchArchive.Tensor> tensors = new LinkedHashMap<>();
        tensors.put(
                "conv1_7x7_s2.weight",
                new MiniTorchArchive.Tensor(new float[] {1, 2, 3, 4}, 0, new long[] {2, 2}, new long[] {2, 1}));
        tensors.put(
                "conv1_7x7_s2_bn.running_var",
                new MiniTorchArchive.Tensor(new float[] {7, 8}, 0, new long[] {2}, new long[] {1}));
        Path file = dir.resolve("state.pth");
        MiniTorchArchive.writeStateDict(file, tensors);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            Map<String, NDArray> read = TorchScriptArchive.read(file, m);
            // the OrderedDict's _metadata attribute, built after its entries, neither hides them nor adds any
            assertThat(read.keySet()).containsExactly("conv1_7x7_s2.weight", "conv1_7x7_s2_bn.running_var");
            assertThat(read.get("conv1_7x7_s2.weight").toFloatArray()).containsExactly(1, 2, 3, 4);
            assertThat(read.get("conv1_7x7_s2_bn.running_var").toFloatArray()).containsExactly(7, 8);
        }
    }

    @Test
    void nonArchivesAreRejectedWithTheFileName() throws Exception {
        Path junk = dir.resolve("junk.pt");
        Files.writeString(junk, "not a zip");
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            assertThatThrownBy(() -> TorchScriptArchive.read(junk, m)).hasMessageContaining("junk.pt");
        }
    }
}
