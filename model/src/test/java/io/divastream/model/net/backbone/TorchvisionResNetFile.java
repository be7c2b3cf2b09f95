package io.divastream.model.net.backbone;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.divastream.model.DjlRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test fixture: a file laid out as {@code torch.save(resnet.state_dict())} of torchvision's ResNet, with seeded random
 * weights and non-trivial BatchNorm statistics, for tests of the built-in ResNet where no ImageNet weights are
 * available (none are on the build machines).
 */
public final class TorchvisionResNetFile {

    private TorchvisionResNetFile() {}

    /**
     * Writes a state dict of a ResNet.
     *
     * @param file the file to write
     * @param depth 18, 34, 50, ...
     * @param seed the weights' seed
     * @return the file
     * @throws IOException if it cannot be written
     */
    public static Path write(Path file, int depth, int seed) throws IOException {
        DjlRuntime.disableGradientRecording();
        Engine.getInstance().setRandomSeed(seed);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            ResNetBackbone net = new ResNetBackbone(depth, true);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            Map<String, MiniTorchArchive.Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : net.torchvisionParameters().entrySet()) {
                var array = e.getValue().getArray();
                if (e.getValue().getType() != Parameter.Type.WEIGHT) {
                    array = array.add(m.randomUniform(0f, 0.5f, array.getShape()));
                }
                tensors.put(e.getKey(), MiniTorchArchive.Tensor.of(array));
            }
            MiniTorchArchive.writeStateDict(file, tensors);
        }
        return file;
    }
}
