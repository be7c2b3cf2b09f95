package io.divastream.model.net.backbone;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.divastream.model.DjlRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A TorchScript module as a trainable DJL block: the module is loaded with {@code trainParam=true}
 * (its parameters require gradients and are plain tensors, not inference tensors) and wrapped so that
 * it reports its output shape without running, and so that a wrong output shape fails with a clear
 * message. Its parameters appear under the module's own names ({@code features.3.conv.1.weight}).
 * Package-private; built through {@link BackboneSpec.TorchScript}.
 */
final class TorchScriptBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block module;
    private final int featureDim;
    private final String file;

    private TorchScriptBlock(Block module, int featureDim, String file) {
        super(VERSION);
        this.module = addChildBlock("module", module);
        this.featureDim = featureDim;
        this.file = file;
    }

    /**
     * Loads a module file under its real name (DJL accepts a file path as the model path).
     *
     * @return the model that owns the module's arrays, and the wrapping block
     */
    static Map.Entry<Model, TorchScriptBlock> load(Path path, int featureDim) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("TorchScript file not found: " + path.toAbsolutePath());
        }
        DjlRuntime.engine();
        Model model = Model.newInstance("torchscript-backbone", Device.cpu(), "PyTorch");
        try {
            model.load(path, path.getFileName().toString(), Map.of("trainParam", "true"));
            return Map.entry(
                    model,
                    new TorchScriptBlock(
                            model.getBlock(), featureDim, path.getFileName().toString()));
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalArgumentException(
                    "cannot load TorchScript backbone " + path.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList out = module.forward(parameterStore, inputs, training, params);
        NDArray features = out.get(0);
        Shape shape = features.getShape();
        if (shape.dimension() == 4 && shape.get(2) == 1 && shape.get(3) == 1) {
            features = features.reshape(shape.get(0), shape.get(1));
        }
        if (features.getShape().dimension() != 2 || features.getShape().get(1) != featureDim) {
            throw new IllegalStateException(
                    "TorchScript backbone " + file + " returned " + shape + ", expected (batch, " + featureDim + ")");
        }
        return new NDList(features);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), featureDim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        module.initialize(manager, dataType, inputShapes);
    }
}
