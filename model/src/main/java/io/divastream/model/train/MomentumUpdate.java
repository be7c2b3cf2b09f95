package io.divastream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * The EMA update of the key encoder (DIVA_SPEC section 2.4): theta_key = m * theta_key + (1 - m) *
 * theta_query, in place, outside any gradient collector.
 *
 * <p>DJL keeps BatchNorm's running statistics as parameters, so they are averaged too. The original
 * code leaves the key encoder's buffers at their ImageNet values; a backbone trained from scratch
 * has no such values, so averaging them is what keeps the key encoder's BatchNorm meaningful.
 */
final class MomentumUpdate {

    private MomentumUpdate() {}

    static void apply(Block key, Block query, double momentum) {
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
                NDArray k = keys.get(i).getArray();
                NDArray q = queries.get(i).getArray();
                try (NDArray share = q.mul(oneMinusM)) {
                    k.muli(m).addi(share);
                }
            }
        }
    }
}
