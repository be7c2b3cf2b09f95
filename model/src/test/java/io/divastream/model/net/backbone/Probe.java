package io.divastream.model.net.backbone;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Test stand-in for the DiVA network: a backbone as a child block plus one linear head. */
public final class Probe extends AbstractBlock {

    final Block backbone;
    final Block head;

    Probe(Backbone backbone, int units) {
        super((byte) 1);
        this.backbone = addChildBlock("backbone", backbone.block());
        this.head = addChildBlock("head", Linear.builder().setUnits(units).build());
    }

    public static Probe create(Backbone backbone, NDManager manager, Shape input) {
        Probe probe = new Probe(backbone, 4);
        probe.initialize(manager, DataType.FLOAT32, input);
        return probe;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList features = backbone.forward(parameterStore, inputs, training, params);
        return head.forward(parameterStore, features, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), 4)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, backbone.getOutputShapes(inputShapes));
    }
}
