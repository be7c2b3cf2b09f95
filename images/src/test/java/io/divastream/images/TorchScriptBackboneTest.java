package io.divastream.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.divastream.datasets.CubSample;
import io.divastream.model.DjlRuntime;
import io.divastream.model.net.backbone.Backbone;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.InputSpec;
import io.divastream.model.net.backbone.Probe;
import io.divastream.model.net.backbone.SharedFiles;
import io.divastream.model.net.backbone.TorchScriptArchive;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared ImageNet MobileNetV2 as a trainable backbone, loaded offline. */
class TorchScriptBackboneTest {

    private static float cosine(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return (float) (ab / Math.sqrt(aa * bb));
    }

    @Test
    void archiveReaderFindsTheParametersDjlLoadsAndTheBatchNormBuffers() throws Exception {
        Path file = SharedFiles.mobileNetV2();
        DjlRuntime.disableGradientRecording();
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                Backbone backbone = BackboneSpec.TorchScript.mobileNetV2Imagenet(file.getParent())
                        .build(m)) {
            long start = System.nanoTime();
            Map<String, NDArray> tensors = TorchScriptArchive.read(file, m);
            System.out.printf(
                    "TorchScriptArchive.read: %d tensors in %.2f s%n",
                    tensors.size(), (System.nanoTime() - start) / 1e9);
            var params = backbone.block().getParameters();
            assertThat(params.size()).isEqualTo(156);
            for (Pair<String, Parameter> p : params) {
                String name = p.getKey().substring(p.getKey().indexOf('_') + 1); // drop the "01module_" prefix
                assertThat(tensors).as(name).containsKey(name);
                NDArray t = tensors.get(name);
                assertThat(t.getShape())
                        .as(name)
                        .isEqualTo(p.getValue().getArray().getShape());
                assertThat(Arrays.equals(
                                t.toFloatArray(), p.getValue().getArray().toFloatArray()))
                        .as(name)
                        .isTrue();
            }
            long runningMeans = tensors.keySet().stream()
                    .filter(k -> k.endsWith(".running_mean"))
                    .count();
            assertThat(runningMeans).isEqualTo(52);
            String var = tensors.keySet().stream()
                    .filter(k -> k.endsWith(".running_var"))
                    .findFirst()
                    .orElseThrow();
            float[] v = tensors.get(var).toFloatArray();
            for (float x : v) {
                assertThat(x).isPositive();
            }
        }
    }

    @Test
    void featuresOfRealPhotosAreDeterministicFiniteAndViewStable() throws Exception {
        Path file = SharedFiles.mobileNetV2();
        DjlRuntime.disableGradientRecording();
        List<byte[]> jpegs = CubSample.firstJpegs(80); // class 001 has 60 images, so 80 spans two classes
        var spec = BackboneSpec.TorchScript.mobileNetV2Imagenet(file.getParent());
        PhotoTransforms transforms = new PhotoTransforms(spec.input());
        RgbImage first = PhotoDecoder.decode(jpegs.get(0));
        RgbImage other = PhotoDecoder.decode(jpegs.get(79));
        float[] a = transforms.evalView(first);
        float[] b = transforms.evalView(other);
        float[] aFlipped = flip(a, 3, 224);
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                Backbone backbone = spec.build(m)) {
            NDArray x = m.create(concat(a, aFlipped, b), new Shape(3, 3, 224, 224));
            ParameterStore store = new ParameterStore(m, false);
            NDArray f1 = backbone.block().forward(store, new NDList(x), false).singletonOrThrow();
            NDArray f2 = backbone.block().forward(store, new NDList(x), false).singletonOrThrow();
            assertThat(f1.getShape()).isEqualTo(new Shape(3, 1280));
            assertThat(f1.toFloatArray()).containsExactly(f2.toFloatArray());
            float[][] f = new float[3][];
            for (int i = 0; i < 3; i++) {
                f[i] = f1.get(i).toFloatArray();
                for (float v : f[i]) {
                    assertThat(Float.isFinite(v)).isTrue();
                }
            }
            // pretrained features: the mirror image of a bird is closer than a bird of another class
            assertThat(cosine(f[0], f[1])).isGreaterThan(cosine(f[0], f[2]));
            assertThat(cosine(f[0], f[1])).isGreaterThan(0.8f);
        }
    }

    @Test
    void gradientStepsLowerTheLossOnAFixedBatchAndTheKeyEncoderCanBeOverwritten() throws Exception {
        Path file = SharedFiles.mobileNetV2();
        DjlRuntime.disableGradientRecording();
        Engine.getInstance().setRandomSeed(2);
        var spec = BackboneSpec.TorchScript.mobileNetV2Imagenet(file.getParent());
        Shape shape = new Shape(4, 3, 96, 96);
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                Backbone query = spec.build(m);
                Backbone key = spec.build(m)) {
            Probe probe = Probe.create(query, m, shape);
            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.randomNormal(shape);
            NDArray target = m.randomNormal(new Shape(4, 4));
            Parameter someConv = query.block().getParameters().get(0).getValue();
            float[] convBefore = someConv.getArray().toFloatArray();
            float[] losses = new float[4];
            for (int step = 0; step < losses.length; step++) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray y = probe.forward(store, new NDList(x), true).singletonOrThrow();
                    NDArray loss = y.sub(target).square().mean();
                    losses[step] = loss.getFloat();
                    collector.backward(loss);
                }
                for (Parameter p : probe.getParameters().values()) {
                    p.getArray().subi(p.getArray().getGradient().mul(1e-3f));
                }
            }
            assertThat(losses[3]).isLessThan(losses[0]);
            assertThat(someConv.getArray().toFloatArray()).isNotEqualTo(convBefore);

            // the key encoder: a second instance takes the query's trained parameters in place
            var queryParams = query.block().getParameters();
            var keyParams = key.block().getParameters();
            for (int i = 0; i < queryParams.size(); i++) {
                queryParams
                        .get(i)
                        .getValue()
                        .getArray()
                        .copyTo(keyParams.get(i).getValue().getArray());
            }
            float[] q = query.block()
                    .forward(store, new NDList(x), false)
                    .singletonOrThrow()
                    .toFloatArray();
            float[] k = key.block()
                    .forward(store, new NDList(x), false)
                    .singletonOrThrow()
                    .toFloatArray();
            assertThat(k).containsExactly(q);
        }
    }

    @Test
    void aMissingFileIsNamed() {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            var spec = new BackboneSpec.TorchScript("no-such-dir/model.pt", 8, InputSpec.imagenet());
            assertThatThrownBy(() -> spec.build(m))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("TorchScript file not found")
                    .hasMessageContaining("model.pt");
        }
    }

    private static float[] flip(float[] chw, int channels, int size) {
        float[] out = new float[chw.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    out[(c * size + y) * size + x] = chw[(c * size + y) * size + size - 1 - x];
                }
            }
        }
        return out;
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
