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
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.divastream.model.net.backbone.InceptionModule.Pooling;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BN-Inception (Inception-v2 with BatchNorm, Ioffe and Szegedy 2015) without the classifier, as Cadene's {@code
 * pretrainedmodels.bninception} lays out the Caffe model that DiVA's {@code bninception_normalize} uses (DIVA_SPEC
 * 1.3): conv1 7x7/2 (64), 3x3/2 max pooling, conv2 1x1 (64) and 3x3 (192), 3x3/2 max pooling, inception modules 3a,
 * 3b, 3c (downsampling), 4a to 4e (4e downsampling), 5a, 5b, then global average pooling: (B, 3, S, S) to (B,
 * 1024). Design notes: docs/design-notes.md#bninceptionbackbone.
 */
public final class BnInceptionBackbone extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Output width. */
    public static final int FEATURE_DIM = 1024;

    /** PyTorch's BatchNorm epsilon, Cadene's setting. */
    static final float EPSILON = 1e-5f;

    /** DJL momentum (weight of the old running value) equal to Cadene's PyTorch momentum 0.9. */
    static final float DJL_MOMENTUM = 0.1f;

    /** The inception modules, in order (Cadene's {@code pretrainedmodels.bninception}). */
    static final List<InceptionModule.Spec> MODULES = List.of(
            new InceptionModule.Spec("inception_3a", 192, 64, 64, 64, 64, 96, Pooling.AVERAGE, 32),
            new InceptionModule.Spec("inception_3b", 256, 64, 64, 96, 64, 96, Pooling.AVERAGE, 64),
            new InceptionModule.Spec("inception_3c", 320, 0, 128, 160, 64, 96, Pooling.MAX_STRIDE_2, 0),
            new InceptionModule.Spec("inception_4a", 576, 224, 64, 96, 96, 128, Pooling.AVERAGE, 128),
            new InceptionModule.Spec("inception_4b", 576, 192, 96, 128, 96, 128, Pooling.AVERAGE, 128),
            new InceptionModule.Spec("inception_4c", 576, 160, 128, 160, 128, 160, Pooling.AVERAGE, 128),
            new InceptionModule.Spec("inception_4d", 608, 96, 128, 192, 160, 192, Pooling.AVERAGE, 128),
            new InceptionModule.Spec("inception_4e", 608, 0, 128, 192, 192, 256, Pooling.MAX_STRIDE_2, 0),
            new InceptionModule.Spec("inception_5a", 1056, 352, 192, 320, 160, 224, Pooling.AVERAGE, 128),
            new InceptionModule.Spec("inception_5b", 1024, 352, 192, 320, 192, 224, Pooling.MAX, 128));

    private final ConvBn conv1;
    private final ConvBn conv2Reduce;
    private final ConvBn conv2;
    private final List<InceptionModule> modules = new ArrayList<>();
    private final Map<String, Parameter> cadene = new LinkedHashMap<>();

    /** Creates an uninitialised network. */
    public BnInceptionBackbone() {
        super(VERSION);
        conv1 = stem("conv1_7x7_s2", 7, 64, 2);
        conv2Reduce = stem("conv2_3x3_reduce", 1, 64, 1);
        conv2 = stem("conv2_3x3", 3, 192, 1);
        for (InceptionModule.Spec spec : MODULES) {
            modules.add(addChildBlock(spec.name(), new InceptionModule(spec, cadene)));
        }
    }

    private ConvBn stem(String layer, int kernel, int filters, int stride) {
        ConvBn convBn = ConvBn.create(layer, kernel, filters, stride, cadene);
        addChildBlock(layer, convBn.conv());
        addChildBlock(layer + "_bn", convBn.norm());
        return convBn;
    }

    /**
     * One convolution (with bias, padding kernel / 2) and its BatchNorm with Cadene's settings, both
     * children of the block that creates them, followed by ReLU in {@link #forward}. Package-private.
     *
     * @param conv the convolution, Cadene's {@code <layer>}
     * @param norm the BatchNorm, Cadene's {@code <layer>_bn}
     */
    record ConvBn(Block conv, Block norm) {

        /**
         * Creates the pair and records its parameters under Cadene's {@code <layer>.*} and
         * {@code <layer>_bn.*} names; the caller adds both as children named {@code <layer>} and
         * {@code <layer>_bn}.
         */
        static ConvBn create(String layer, int kernel, int filters, int stride, Map<String, Parameter> names) {
            Block conv = Conv2d.builder()
                    .setKernelShape(new Shape(kernel, kernel))
                    .optStride(new Shape(stride, stride))
                    .optPadding(new Shape(kernel / 2, kernel / 2))
                    .setFilters(filters)
                    .optBias(true)
                    .build();
            Block norm = BatchNorm.builder()
                    .optEpsilon(EPSILON)
                    .optMomentum(DJL_MOMENTUM)
                    .build();
            var c = conv.getParameters();
            names.put(layer + ".weight", c.get("weight"));
            names.put(layer + ".bias", c.get("bias"));
            var n = norm.getParameters();
            names.put(layer + "_bn.weight", n.get("gamma"));
            names.put(layer + "_bn.bias", n.get("beta"));
            names.put(layer + "_bn.running_mean", n.get("runningMean"));
            names.put(layer + "_bn.running_var", n.get("runningVar"));
            return new ConvBn(conv, norm);
        }

        NDList forward(ParameterStore store, NDList x, boolean training, PairList<String, Object> params) {
            NDList y = conv.forward(store, x, training, params);
            y = norm.forward(store, y, training, params);
            return new NDList(Activation.relu(y.singletonOrThrow()));
        }

        Shape[] initialize(NDManager manager, DataType dataType, Shape[] shapes) {
            conv.initialize(manager, dataType, shapes);
            Shape[] out = conv.getOutputShapes(shapes);
            norm.initialize(manager, dataType, out);
            return out;
        }
    }

    /**
     * The side of a pooled map in PyTorch's ceil mode: ceil((n + 2p - k) / s) + 1, less one if the
     * last window would start in the right padding.
     */
    static long ceilPoolSide(long n, int kernel, int stride, int padding) {
        long out = Math.floorDiv(n + 2L * padding - kernel + stride - 1, stride) + 1;
        if ((out - 1) * stride >= n + padding) {
            out--;
        }
        return out;
    }

    private static NDArray maxPool3x3s2(NDArray x) {
        return Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(0, 0), true);
    }

    /**
     * Returns every parameter (BatchNorm statistics included) under its Cadene {@code state_dict}
     * name, in Cadene's order.
     *
     * @return state_dict name to parameter, unmodifiable
     */
    public Map<String, Parameter> cadeneParameters() {
        return Collections.unmodifiableMap(cadene);
    }

    /**
     * Copies Cadene-named tensors into this (initialised) network, in place. Every parameter and
     * statistic must be present with its exact shape; the classifier ({@code last_linear.*}) and
     * BatchNorm's {@code num_batches_tracked} counters are ignored; any other name is an error.
     * Nothing is copied unless everything checks out.
     *
     * @param tensors state_dict name to tensor
     * @throws IllegalArgumentException naming the missing, unknown or misshapen tensors
     */
    public void loadCadene(Map<String, NDArray> tensors) {
        NamedWeights.load(
                cadene,
                tensors,
                name -> name.startsWith("last_linear.") || name.endsWith(".num_batches_tracked"),
                "Cadene BN-Inception",
                "BN-Inception");
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = conv1.forward(parameterStore, inputs, training, params);
        x = new NDList(maxPool3x3s2(x.singletonOrThrow()));
        x = conv2Reduce.forward(parameterStore, x, training, params);
        x = conv2.forward(parameterStore, x, training, params);
        x = new NDList(maxPool3x3s2(x.singletonOrThrow()));
        for (InceptionModule module : modules) {
            x = module.forward(parameterStore, x, training, params);
        }
        return new NDList(Pool.globalAvgPool2d(x.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), FEATURE_DIM)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = conv1.initialize(manager, dataType, inputShapes);
        shapes = pooled(shapes);
        shapes = conv2Reduce.initialize(manager, dataType, shapes);
        shapes = conv2.initialize(manager, dataType, shapes);
        shapes = pooled(shapes);
        for (InceptionModule module : modules) {
            module.initialize(manager, dataType, shapes);
            shapes = module.getOutputShapes(shapes);
        }
    }

    private static Shape[] pooled(Shape[] shapes) {
        Shape s = shapes[0];
        return new Shape[] {
            new Shape(s.get(0), s.get(1), ceilPoolSide(s.get(2), 3, 2, 0), ceilPoolSide(s.get(3), 3, 2, 0))
        };
    }
}
