package io.divastream.model.net;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

/**
 * The regressor of one decorrelation pair (DIVA_SPEC section 3): Linear(d, hidden), ReLU,
 * Linear(hidden, d). It learns to predict the target head's embedding from the source head's.
 */
public final class DecorrelationRegressor {

    private DecorrelationRegressor() {}

    /**
     * Builds and initialises a regressor.
     *
     * @param embeddingDim the head dimension d
     * @param hidden the hidden width
     * @param manager the manager that owns the parameters
     * @return the initialised block mapping (B, d) to (B, d)
     */
    public static Block create(int embeddingDim, int hidden, NDManager manager) {
        SequentialBlock mlp = new SequentialBlock()
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(embeddingDim).build());
        mlp.initialize(manager, DataType.FLOAT32, new Shape(1, embeddingDim));
        return mlp;
    }
}
