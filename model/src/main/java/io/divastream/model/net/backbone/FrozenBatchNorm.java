package io.divastream.model.net.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * BatchNorm with frozen statistics (DIVA_SPEC 1.1, quirk 8.1, checklist 10.8): it always normalises
 * with its running mean and variance, in training mode too, and never updates them; the affine
 * gamma and beta stay trainable. This is PyTorch's {@code BatchNorm2d} kept in eval mode.
 *
 * <p>The parameters carry DJL's BatchNorm names ({@code gamma}, {@code beta}, {@code runningMean},
 * {@code runningVar}) and types, with the statistics marked as not requiring gradients, so code that
 * treats non-trainable parameters as statistics (the EMA copy, the statistics backup) sees them the
 * same way. Epsilon is torchvision's 1e-5.
 */
public final class FrozenBatchNorm extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float EPSILON = 1e-5f;

    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private long channels;

    /** Creates an uninitialised layer; the channel count is taken from the input shape (axis 1). */
    public FrozenBatchNorm() {
        super(VERSION);
        gamma = addParameter(Parameter.builder()
                .setName("gamma")
                .setType(Parameter.Type.GAMMA)
                .build());
        beta = addParameter(
                Parameter.builder().setName("beta").setType(Parameter.Type.BETA).build());
        runningMean = addParameter(Parameter.builder()
                .setName("runningMean")
                .setType(Parameter.Type.RUNNING_MEAN)
                .optRequiresGrad(false)
                .build());
        runningVar = addParameter(Parameter.builder()
                .setName("runningVar")
                .setType(Parameter.Type.RUNNING_VAR)
                .optRequiresGrad(false)
                .build());
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        super.beforeInitialize(inputShapes);
        channels = inputShapes[0].get(1);
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        for (Parameter p : new Parameter[] {gamma, beta, runningMean, runningVar}) {
            p.setShape(new Shape(channels));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        var device = x.getDevice();
        // training=false whatever the caller says: running statistics in, nothing written back
        return BatchNorm.batchNorm(
                x,
                parameterStore.getValue(runningMean, device, false),
                parameterStore.getValue(runningVar, device, false),
                parameterStore.getValue(gamma, device, training),
                parameterStore.getValue(beta, device, training),
                1,
                0.9f,
                EPSILON,
                false);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
