package io.divastream.model.net.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The backbone of {@link BackboneSpec.Features}: passes precomputed (B, featureDim) features
 * through unchanged and has no parameters. A wrong input shape fails with a clear message.
 * Package-private.
 */
final class FeatureIdentity extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int featureDim;

    FeatureIdentity(int featureDim) {
        super(VERSION);
        this.featureDim = featureDim;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray features = inputs.singletonOrThrow();
        Shape shape = features.getShape();
        if (shape.dimension() != 2 || shape.get(1) != featureDim) {
            throw new IllegalArgumentException(
                    "precomputed features must have shape (batch, " + featureDim + "), got " + shape);
        }
        return new NDList(features);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), featureDim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no parameters
    }
}
