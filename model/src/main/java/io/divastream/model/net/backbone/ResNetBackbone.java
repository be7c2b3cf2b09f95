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
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * torchvision's ResNet-18 or ResNet-50 without the classifier (DIVA_SPEC 1.1): conv1 (7x7, stride 2,
 * no bias), bn1, ReLU, 3x3 max-pool with stride 2, layer1 to layer4, global average pooling. It maps
 * (B, 3, S, S) to (B, 512) for depth 18 and (B, 2048) for depth 50.
 *
 * <p>BatchNorm is either {@link FrozenBatchNorm} (DiVA's {@code resnet50_frozen_normalize}) or DJL's
 * {@link BatchNorm} trained normally. Every parameter is also known under its torchvision
 * {@code state_dict} name ({@code layer3.1.bn2.running_var}), see {@link #torchvisionParameters()}
 * and {@link #loadTorchvision(Map)}.
 */
public final class ResNetBackbone extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final int[] WIDTHS = {64, 128, 256, 512};

    private final int depth;
    private final Block conv1;
    private final Block bn1;
    private final Block maxPool = Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1));
    private final List<Block> units = new ArrayList<>();
    private final Map<String, Parameter> torchvision = new LinkedHashMap<>();

    /**
     * Creates an uninitialised ResNet.
     *
     * @param depth 18 or 50
     * @param frozenBatchNorm whether BatchNorm statistics are frozen
     */
    public ResNetBackbone(int depth, boolean frozenBatchNorm) {
        super(VERSION);
        int[] counts;
        boolean bottleneck;
        if (depth == 18) {
            counts = new int[] {2, 2, 2, 2};
            bottleneck = false;
        } else if (depth == 50) {
            counts = new int[] {3, 4, 6, 3};
            bottleneck = true;
        } else {
            throw new IllegalArgumentException("ResNet depth must be 18 or 50, got " + depth);
        }
        this.depth = depth;
        Supplier<Block> norm = frozenBatchNorm
                ? FrozenBatchNorm::new
                : () -> BatchNorm.builder().build();
        conv1 = addChildBlock("conv1", ResidualUnit.conv(7, 64, 2));
        bn1 = addChildBlock("bn1", norm.get());
        nameConv(conv1, "conv1.", torchvision);
        nameNorm(bn1, "bn1.", torchvision);
        int in = 64;
        for (int layer = 0; layer < 4; layer++) {
            for (int u = 0; u < counts[layer]; u++) {
                int stride = layer > 0 && u == 0 ? 2 : 1;
                String prefix = "layer" + (layer + 1) + "." + u + ".";
                ResidualUnit unit = new ResidualUnit(bottleneck, in, WIDTHS[layer], stride, norm, prefix, torchvision);
                units.add(addChildBlock(prefix.substring(0, prefix.length() - 1), unit));
                in = bottleneck ? 4 * WIDTHS[layer] : WIDTHS[layer];
            }
        }
    }

    static void nameConv(Block conv, String prefix, Map<String, Parameter> names) {
        names.put(prefix + "weight", conv.getParameters().get("weight"));
    }

    static void nameNorm(Block norm, String prefix, Map<String, Parameter> names) {
        var p = norm.getParameters();
        names.put(prefix + "weight", p.get("gamma"));
        names.put(prefix + "bias", p.get("beta"));
        names.put(prefix + "running_mean", p.get("runningMean"));
        names.put(prefix + "running_var", p.get("runningVar"));
    }

    /**
     * Returns the depth.
     *
     * @return 18 or 50
     */
    public int depth() {
        return depth;
    }

    /**
     * Returns the pooled feature width.
     *
     * @return 512 for ResNet-18, 2048 for ResNet-50
     */
    public int featureDim() {
        return depth == 18 ? 512 : 2048;
    }

    /**
     * Returns every parameter (BatchNorm statistics included) under its torchvision {@code state_dict}
     * name, in torchvision's order.
     *
     * @return torchvision name to parameter, unmodifiable
     */
    public Map<String, Parameter> torchvisionParameters() {
        return Collections.unmodifiableMap(torchvision);
    }

    /**
     * Copies torchvision-named tensors into this (initialised) network, in place. Every parameter and
     * statistic must be present with its exact shape; torchvision's classifier ({@code fc.*}) and
     * BatchNorm's {@code num_batches_tracked} counters are ignored; any other name is an error.
     * Nothing is copied unless everything checks out.
     *
     * @param tensors torchvision name to tensor
     * @throws IllegalArgumentException naming the missing, unknown or misshapen tensors
     */
    public void loadTorchvision(Map<String, NDArray> tensors) {
        NamedWeights.load(
                torchvision,
                tensors,
                name -> name.startsWith("fc.") || name.endsWith(".num_batches_tracked"),
                "torchvision ResNet-" + depth,
                "ResNet-" + depth);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = conv1.forward(parameterStore, inputs, training, params);
        x = bn1.forward(parameterStore, x, training, params);
        x = new NDList(Activation.relu(x.singletonOrThrow()));
        x = maxPool.forward(parameterStore, x, training, params);
        for (Block unit : units) {
            x = unit.forward(parameterStore, x, training, params);
        }
        return new NDList(Pool.globalAvgPool2d(x.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), featureDim())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        conv1.initialize(manager, dataType, shapes);
        shapes = conv1.getOutputShapes(shapes);
        bn1.initialize(manager, dataType, shapes);
        shapes = maxPool.getOutputShapes(shapes);
        for (Block unit : units) {
            unit.initialize(manager, dataType, shapes);
            shapes = unit.getOutputShapes(shapes);
        }
    }
}
