package io.divastream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy of a network's non-trainable parameters (BatchNorm's running statistics), taken before a
 * training step: the training-mode forward updates them in place, so a rejected step restores them.
 */
final class StatisticsBackup implements AutoCloseable {

    private final NDManager manager;
    private final List<NDArray[]> saved = new ArrayList<>();

    StatisticsBackup(Block network, NDManager parent) {
        this.manager = parent.newSubManager();
        for (Parameter p : network.getParameters().values()) {
            if (!p.requiresGradient()) {
                NDArray copy = p.getArray().duplicate();
                copy.attach(manager);
                saved.add(new NDArray[] {p.getArray(), copy});
            }
        }
    }

    /** Puts the saved values back. */
    void restore() {
        for (NDArray[] pair : saved) {
            pair[1].copyTo(pair[0]);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
