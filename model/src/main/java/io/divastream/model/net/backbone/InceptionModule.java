package io.divastream.model.net.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.divastream.model.net.backbone.BnInceptionBackbone.ConvBn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One inception module of BN-Inception (Ioffe and Szegedy 2015, table 1), in the layout of the
 * Caffe model that Cadene's {@code pretrainedmodels.bninception} ports: four branches concatenated
 * along the channels, each convolution followed by BatchNorm and ReLU.
 *
 * <ul>
 *   <li>{@code 1x1}: a 1x1 convolution (absent in the two downsampling modules);
 *   <li>{@code 3x3_reduce}, {@code 3x3}: a 1x1 then a 3x3 convolution;
 *   <li>{@code double_3x3_reduce}, {@code double_3x3_1}, {@code double_3x3_2}: a 1x1 then two 3x3
 *       convolutions (the factorised 5x5);
 *   <li>{@code pool}: 3x3 pooling, then a 1x1 projection {@code pool_proj}; in the downsampling
 *       modules (3c, 4e) a 3x3 max pooling with stride 2 and no projection.
 * </ul>
 *
 * In a downsampling module the last convolution of each 3x3 branch has stride 2. Pooling uses
 * PyTorch's ceil mode; average pooling counts the zero padding. Package-private; built by
 * {@link BnInceptionBackbone}.
 */
final class InceptionModule extends AbstractBlock {

    private static final byte VERSION = 1;

    /** The pool branch of a module. */
    enum Pooling {
        /** 3x3 average pooling, stride 1, padding 1 (counted), then a 1x1 projection. */
        AVERAGE,
        /** 3x3 max pooling, stride 1, padding 1, then a 1x1 projection (module 5b). */
        MAX,
        /** 3x3 max pooling, stride 2, no padding, no projection: the module halves the map (3c, 4e). */
        MAX_STRIDE_2
    }

    /**
     * The widths of one module; a zero {@code oneByOne} means no 1x1 branch.
     *
     * @param name the module's name in the Caffe / Cadene layout, e.g. {@code inception_3a}
     * @param in input channels
     * @param oneByOne output channels of the 1x1 branch (0 in the downsampling modules)
     * @param reduce3x3 the 1x1 reduction before the 3x3 convolution
     * @param out3x3 output channels of the 3x3 branch
     * @param reduceDouble the 1x1 reduction before the two 3x3 convolutions
     * @param outDouble output channels of each of the two 3x3 convolutions
     * @param pooling the pool branch
     * @param poolProjection output channels of the pool projection (0 for {@link Pooling#MAX_STRIDE_2})
     */
    record Spec(
            String name,
            int in,
            int oneByOne,
            int reduce3x3,
            int out3x3,
            int reduceDouble,
            int outDouble,
            Pooling pooling,
            int poolProjection) {

        Spec {
            boolean downsampling = pooling == Pooling.MAX_STRIDE_2;
            if (downsampling != (oneByOne == 0) || downsampling != (poolProjection == 0)) {
                throw new IllegalArgumentException(
                        name + ": a module has no 1x1 branch and no pool projection" + " exactly when it downsamples");
            }
        }

        /**
         * Returns the module's output channels.
         *
         * @return the sum of the four branches' widths
         */
        int out() {
            return oneByOne + out3x3 + outDouble + (pooling == Pooling.MAX_STRIDE_2 ? in : poolProjection);
        }
    }

    /** One branch: an optional pooling, then convolution + BatchNorm + ReLU stages. */
    private record Branch(boolean pooled, List<ConvBn> stages) {}

    private final Spec spec;
    private final List<Branch> branches = new ArrayList<>();

    /**
     * Creates an uninitialised module and records its parameters under Cadene's names.
     *
     * @param spec the widths
     * @param names receives state_dict name to parameter
     */
    InceptionModule(Spec spec, Map<String, Parameter> names) {
        super(VERSION);
        this.spec = spec;
        boolean down = spec.pooling() == Pooling.MAX_STRIDE_2;
        int stride = down ? 2 : 1;
        if (!down) {
            branches.add(new Branch(false, List.of(stage("1x1", 1, spec.oneByOne(), 1, names))));
        }
        branches.add(new Branch(
                false,
                List.of(
                        stage("3x3_reduce", 1, spec.reduce3x3(), 1, names),
                        stage("3x3", 3, spec.out3x3(), stride, names))));
        branches.add(new Branch(
                false,
                List.of(
                        stage("double_3x3_reduce", 1, spec.reduceDouble(), 1, names),
                        stage("double_3x3_1", 3, spec.outDouble(), 1, names),
                        stage("double_3x3_2", 3, spec.outDouble(), stride, names))));
        branches.add(
                new Branch(true, down ? List.of() : List.of(stage("pool_proj", 1, spec.poolProjection(), 1, names))));
    }

    private ConvBn stage(String suffix, int kernel, int filters, int stride, Map<String, Parameter> names) {
        String layer = spec.name() + "_" + suffix;
        ConvBn convBn = ConvBn.create(layer, kernel, filters, stride, names);
        addChildBlock(layer, convBn.conv());
        addChildBlock(layer + "_bn", convBn.norm());
        return convBn;
    }

    /**
     * Returns the widths.
     *
     * @return the spec
     */
    Spec spec() {
        return spec;
    }

    private NDArray pool(NDArray x) {
        return switch (spec.pooling()) {
            // count_include_pad as in Cadene's model (DJL 0.36's PyTorch engine counts the padding
            // whatever the flag says; InceptionModuleTest pins the behaviour)
            case AVERAGE -> Pool.avgPool2d(x, new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), true, true);
            case MAX -> Pool.maxPool2d(x, new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), true);
            case MAX_STRIDE_2 -> Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(0, 0), true);
        };
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList outputs = new NDList(branches.size());
        for (Branch branch : branches) {
            NDList x = branch.pooled() ? new NDList(pool(inputs.singletonOrThrow())) : inputs;
            for (ConvBn stage : branch.stages()) {
                x = stage.forward(parameterStore, x, training, params);
            }
            outputs.add(x.singletonOrThrow());
        }
        return new NDList(NDArrays.concat(outputs, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long side = spec.pooling() == Pooling.MAX_STRIDE_2
                ? BnInceptionBackbone.ceilPoolSide(in.get(2), 3, 2, 0)
                : in.get(2);
        long width = spec.pooling() == Pooling.MAX_STRIDE_2
                ? BnInceptionBackbone.ceilPoolSide(in.get(3), 3, 2, 0)
                : in.get(3);
        return new Shape[] {new Shape(in.get(0), spec.out(), side, width)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        if (inputShapes[0].get(1) != spec.in()) {
            throw new IllegalArgumentException(
                    spec.name() + " expects " + spec.in() + " input channels, got " + inputShapes[0]);
        }
        for (Branch branch : branches) {
            Shape[] shapes = inputShapes;
            for (ConvBn stage : branch.stages()) {
                shapes = stage.initialize(manager, dataType, shapes);
            }
        }
    }
}
