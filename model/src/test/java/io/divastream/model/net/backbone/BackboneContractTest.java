package io.divastream.model.net.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.divastream.model.DjlRuntime;
import io.divastream.model.net.ParameterIo;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backbone kind works as a child block the way the DiVA network uses it: forward shape, a
 * backward pass that reaches every trainable backbone parameter, and a key encoder (a second
 * instance) that reproduces the first bit for bit after a ParameterIo round trip.
 */
class BackboneContractTest {

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("glyph", new BackboneSpec.GlyphCnn(List.of(8, 16), 28), 28),
                Arguments.of("resnet18", new BackboneSpec.ResNet(18, false, "none"), 64),
                Arguments.of("resnet18-frozen", BackboneSpec.ResNet.untrained(18), 64),
                Arguments.of("resnet50-frozen", BackboneSpec.ResNet.untrained(50), 64),
                Arguments.of("bninception", BackboneSpec.BnInception.untrained(), 64),
                Arguments.of("mobilenetv2", null, 96));
    }

    private static BackboneSpec resolve(BackboneSpec spec) {
        return spec != null
                ? spec
                : BackboneSpec.TorchScript.mobileNetV2Imagenet(
                        SharedFiles.mobileNetV2().getParent());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void forwardBackwardAndKeyEncoderCopy(String name, BackboneSpec given, int size) throws Exception {
        BackboneSpec spec = resolve(given);
        DjlRuntime.disableGradientRecording();
        Engine.getInstance().setRandomSeed(7);
        Shape shape = new Shape(2, spec.input().channels(), size, size);
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                Backbone queryBackbone = spec.build(m);
                Backbone keyBackbone = spec.build(m)) {
            Probe query = Probe.create(queryBackbone, m, shape);
            Probe key = Probe.create(keyBackbone, m, shape);
            ParameterStore store = new ParameterStore(m, false);
            NDArray x = m.randomNormal(shape);

            NDArray features =
                    query.backbone.forward(store, new NDList(x), false).singletonOrThrow();
            assertThat(features.getShape()).isEqualTo(new Shape(2, spec.featureDim()));
            assertThat(query.backbone.getOutputShapes(new Shape[] {shape})[0])
                    .isEqualTo(new Shape(2, spec.featureDim()));
            assertThat(query.forward(store, new NDList(x), false)
                            .singletonOrThrow()
                            .getShape())
                    .isEqualTo(new Shape(2, 4));

            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = query.forward(store, new NDList(x), true).singletonOrThrow();
                collector.backward(y.square().sum());
            }
            List<String> withoutGradient = new ArrayList<>();
            int trainable = 0;
            for (Pair<String, Parameter> p : query.backbone.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    trainable++;
                    if (p.getValue().getArray().getGradient().abs().sum().getFloat() == 0f) {
                        withoutGradient.add(p.getKey());
                    }
                }
            }
            assertThat(trainable).isPositive();
            assertThat(withoutGradient)
                    .as("trainable backbone parameters with a zero gradient")
                    .isEmpty();

            // an SGD step makes the query differ from a freshly built key encoder
            for (Parameter p : query.getParameters().values()) {
                if (p.requiresGradient()) {
                    NDArray w = p.getArray();
                    w.subi(w.getGradient().mul(1e-2f));
                }
            }
            float[] queryOut = query.forward(store, new NDList(x), false)
                    .singletonOrThrow()
                    .toFloatArray();
            float[] keyBefore =
                    key.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            assertThat(keyBefore).isNotEqualTo(queryOut);

            ParameterIo.load(key, ParameterIo.toBytes(query));
            float[] keyAfter =
                    key.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            assertThat(keyAfter).containsExactly(queryOut);
        }
    }
}
