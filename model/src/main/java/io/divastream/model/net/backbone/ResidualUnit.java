package io.divastream.model.net.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One residual unit of torchvision's ResNet: a basic block (two 3x3 convolutions) or a bottleneck
 * (1x1, 3x3, 1x1 with four times the width out; the stride sits on the 3x3 convolution, "ResNet
 * v1.5"), each convolution without bias and followed by BatchNorm, with a projection shortcut (1x1
 * convolution + BatchNorm) where the stride or the width changes. Package-private.
 */
final class ResidualUnit extends AbstractBlock {

    private static final byte VERSION = 1;

    private final List<Block> convs = new ArrayList<>();
    private final List<Block> norms = new ArrayList<>();
    private final Block shortcutConv;
    private final Block shortcutNorm;

    /**
     * Creates a unit and records its parameters under torchvision names.
     *
     * @param bottleneck bottleneck (ResNet-50) or basic (ResNet-18) unit
     * @param inChannels input width
     * @param width the unit's inner width ("planes")
     * @param stride 1 or 2
     * @param norm makes the BatchNorm layers
     * @param prefix torchvision name prefix, e.g. {@code layer2.0.}
     * @param names receives torchvision name to parameter
     */
    ResidualUnit(
            boolean bottleneck,
            int inChannels,
            int width,
            int stride,
            Supplier<Block> norm,
            String prefix,
            Map<String, Parameter> names) {
        super(VERSION);
        int out = bottleneck ? 4 * width : width;
        if (bottleneck) {
            addConv(1, width, 1, norm, prefix, 1, names);
            addConv(3, width, stride, norm, prefix, 2, names);
            addConv(1, out, 1, norm, prefix, 3, names);
        } else {
            addConv(3, width, stride, norm, prefix, 1, names);
            addConv(3, width, 1, norm, prefix, 2, names);
        }
        if (stride != 1 || inChannels != out) {
            shortcutConv = addChildBlock("downsample.0", conv(1, out, stride));
            shortcutNorm = addChildBlock("downsample.1", norm.get());
            ResNetBackbone.nameConv(shortcutConv, prefix + "downsample.0.", names);
            ResNetBackbone.nameNorm(shortcutNorm, prefix + "downsample.1.", names);
        } else {
            shortcutConv = null;
            shortcutNorm = null;
        }
    }

    static Block conv(int kernel, int filters, int stride) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .setFilters(filters)
                .optBias(false)
                .build();
    }

    private void addConv(
            int kernel,
            int filters,
            int stride,
            Supplier<Block> norm,
            String prefix,
            int index,
            Map<String, Parameter> names) {
        Block c = addChildBlock("conv" + index, conv(kernel, filters, stride));
        Block n = addChildBlock("bn" + index, norm.get());
        ResNetBackbone.nameConv(c, prefix + "conv" + index + ".", names);
        ResNetBackbone.nameNorm(n, prefix + "bn" + index + ".", names);
        convs.add(c);
        norms.add(n);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (int i = 0; i < convs.size(); i++) {
            x = convs.get(i).forward(parameterStore, x, training, params);
            x = norms.get(i).forward(parameterStore, x, training, params);
            if (i < convs.size() - 1) {
                x = new NDList(Activation.relu(x.singletonOrThrow()));
            }
        }
        NDArray shortcut = inputs.singletonOrThrow();
        if (shortcutConv != null) {
            NDList s = shortcutConv.forward(parameterStore, inputs, training, params);
            shortcut = shortcutNorm.forward(parameterStore, s, training, params).singletonOrThrow();
        }
        return new NDList(Activation.relu(x.singletonOrThrow().add(shortcut)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block c : convs) {
            shapes = c.getOutputShapes(shapes);
        }
        return shapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (int i = 0; i < convs.size(); i++) {
            convs.get(i).initialize(manager, dataType, shapes);
            shapes = convs.get(i).getOutputShapes(shapes);
            norms.get(i).initialize(manager, dataType, shapes);
        }
        if (shortcutConv != null) {
            shortcutConv.initialize(manager, dataType, inputShapes);
            shortcutNorm.initialize(manager, dataType, shortcutConv.getOutputShapes(inputShapes));
        }
    }
}
