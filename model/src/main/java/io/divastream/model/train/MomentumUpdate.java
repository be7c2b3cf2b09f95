package io.divastream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * The EMA update of the key encoder (DIVA_SPEC section 2.4): theta_key = m * theta_key + (1 - m) *
 * theta_query, in place, outside any gradient collector, for every trainable parameter.
 *
 * <p>DJL keeps BatchNorm's running statistics as parameters that require no gradient. The original
 * code averages parameters only, so the key encoder keeps its initial statistics for ever (pitfall
 * 8.2; {@link io.divastream.model.config.KeyBatchNormStatistics#INITIAL}); averaging them too is the
 * {@link io.divastream.model.config.KeyBatchNormStatistics#EMA} alternative.
 */
final class MomentumUpdate {

    private MomentumUpdate() {}

    /**
     * Moves the key encoder towards the query network.
     *
     * @param key the key encoder, updated in place
     * @param query the query network, of the same structure
     * @param momentum m
     * @param statistics whether the BatchNorm running statistics (the parameters that require no
     *     gradient) are averaged too; if not, the key encoder's stay as they are
     */
    static void apply(Block key, Block query, double momentum, boolean statistics) {
        List<Parameter> keys = key.getParameters().values();
        List<Parameter> queries = query.getParameters().values();
        if (keys.size() != queries.size()) {
            throw new IllegalArgumentException("key and query networks differ");
        }
        if (keys.isEmpty()) {
            return;
        }
        // the two scalar operands are made once, not once per parameter and operation (each
        // product is the same float32 operation array.mul(float) performs)
        try (NDManager scope = keys.get(0).getArray().getManager().newSubManager()) {
            NDArray m = scope.create((float) momentum);
            NDArray oneMinusM = scope.create((float) (1 - momentum));
            for (int i = 0; i < keys.size(); i++) {
                if (!statistics && !queries.get(i).requiresGradient()) {
                    continue;
                }
                NDArray k = keys.get(i).getArray();
                NDArray q = queries.get(i).getArray();
                try (NDArray share = q.mul(oneMinusM)) {
                    k.muli(m).addi(share);
                }
            }
        }
    }
}
