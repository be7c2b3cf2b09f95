package io.divastream.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.divastream.model.DivaHead;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.net.backbone.Backbone;
import java.util.ArrayList;
import java.util.List;

/**
 * The DiVA network: one backbone and one linear embedding head per enabled task, each head's output
 * L2-normalised separately (DIVA_SPEC section 1.2). At test time the heads are concatenated.
 */
public final class DivaNetwork extends AbstractBlock implements AutoCloseable {

    private static final byte VERSION = 1;

    private final NetworkSpec spec;
    private final Backbone backboneHandle;
    private final Block backbone;
    private final List<Block> heads = new ArrayList<>();

    /**
     * Creates a network whose backbone is built (and, for pretrained backbones, loaded) on a
     * manager; the heads are initialised by {@link #initialize}.
     *
     * @param spec the network's shape
     * @param manager the manager that owns the backbone's parameters
     */
    public DivaNetwork(NetworkSpec spec, NDManager manager) {
        super(VERSION);
        this.spec = spec;
        this.backboneHandle = spec.backbone().build(manager);
        this.backbone = addChildBlock("backbone", backboneHandle.block());
        for (DivaHead head : spec.heads()) {
            heads.add(addChildBlock(
                    "head_" + head.id(),
                    Linear.builder().setUnits(spec.embeddingDim()).build()));
        }
    }

    /**
     * Creates and initialises a network on a manager.
     *
     * @param spec the network's shape
     * @param manager the manager that owns the parameters
     * @return the initialised network
     */
    public static DivaNetwork create(NetworkSpec spec, NDManager manager) {
        synchronized (io.divastream.model.DjlRuntime.INITIALISATION_LOCK) {
            DivaNetwork network = new DivaNetwork(spec, manager);
            try {
                network.initialize(manager, DataType.FLOAT32, inputShape(spec, 1));
            } catch (RuntimeException e) {
                network.close();
                throw e;
            }
            return network;
        }
    }

    /**
     * Returns the input shape for a batch.
     *
     * @param spec the network's shape
     * @param batchSize the batch size
     * @return (batchSize, C, S, S) as the backbone expects
     */
    public static Shape inputShape(NetworkSpec spec, int batchSize) {
        return spec.backbone().inputShape(batchSize);
    }

    public NetworkSpec spec() {
        return spec;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray features =
                backbone.forward(parameterStore, inputs, training, params).singletonOrThrow();
        NDList embeddings = new NDList(heads.size());
        for (Block head : heads) {
            NDArray projected = head.forward(parameterStore, new NDList(features), training, params)
                    .singletonOrThrow();
            embeddings.add(projected.normalize(2, 1, 1e-12));
        }
        return embeddings;
    }

    /**
     * Releases what the backbone holds outside the owning manager (a loaded TorchScript model).
     */
    @Override
    public void close() {
        backboneHandle.close();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[heads.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new Shape(inputShapes[0].get(0), spec.embeddingDim());
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        Shape featureShape = backbone.getOutputShapes(inputShapes)[0];
        for (Block head : heads) {
            head.initialize(manager, dataType, featureShape);
        }
    }
}
