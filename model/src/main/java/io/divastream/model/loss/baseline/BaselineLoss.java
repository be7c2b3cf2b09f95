package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A baseline metric-learning loss on one embedding, the counterpart of DiVA's four-task objective.
 * Instances come from {@link BaselineLosses#create}. A loss with learnable parameters (proxies or
 * class weights) owns the manager that holds them and releases it in {@link #close()}.
 */
public interface BaselineLoss extends AutoCloseable {

    /**
     * Computes the batch loss.
     *
     * @param embeddings the embeddings (B, d), L2-normalised, inside the gradient graph; B &gt; 0
     * @param classes the training class index of each row, in 0..classCapacity-1
     * @param random the source of any random mining or pair choice
     * @return a scalar loss owned by the embeddings' manager, differentiable w.r.t. the embeddings
     *     and {@link #parameters()}
     * @throws IllegalArgumentException if the shapes or class indices are invalid
     */
    NDArray compute(NDArray embeddings, int[] classes, RandomGenerator random);

    /**
     * Returns the learnable arrays, each with {@code setRequiresGradient(true)}; empty for the
     * pair-based losses. The caller updates them in place, saves and restores them.
     *
     * @return the parameters, in a fixed order; none by default
     */
    default List<NDArray> parameters() {
        return List.of();
    }

    /**
     * Returns the factor by which the parameters' learning rate exceeds the network's.
     *
     * @return e.g. 100 for Proxy-Anchor's proxies, 1 by default
     */
    default double parameterLearningRateMultiplier() {
        return 1;
    }

    /**
     * Tells a loss with one parameter row per class that classes 0..classCount-1 exist, e.g. after
     * restoring a checkpoint. Such losses use only the rows of classes seen so far (in this call or
     * in the batches given to {@link #compute}); without this call, rows of classes that are absent
     * from the batches since the restart take no part until their class reappears. No-op for the
     * pair-based losses.
     *
     * @param classCount the number of training classes known
     */
    default void observeClasses(int classCount) {}

    /** Releases the parameters' arrays, if any (nothing by default). */
    @Override
    default void close() {}
}
