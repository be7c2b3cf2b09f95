package io.divastream.jobs.decode;

import io.divastream.jobs.metrics.StableHash;
import java.io.IOException;
import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The rule for an image id that arrives again with another label: the first label stays, the event
 * with the other label is refused ({@code LABEL_CHANGED}). Both branches of the job keep, in keyed
 * state under the image id, a 64-bit hash of the id's first label ({@value #STATE_NAME}): the training
 * branch ({@link FirstLabelFilter}) and the embedders. Both see an id's events in the same order and
 * decide the same way, so an image trained on under one label can never become an evaluation image
 * under another (the held-out set would then hold trained pixels), and no image moves between classes.
 * docs/operations.md states the policy and its state.
 */
public final class FirstLabels {

    /** The keyed state's name. */
    public static final String STATE_NAME = "first-label";

    private FirstLabels() {}

    /**
     * The state's descriptor.
     *
     * @param ttlMs how long an id's first label is remembered after it was set (0: for ever)
     * @return the descriptor
     */
    public static ValueStateDescriptor<Long> descriptor(long ttlMs) {
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>(STATE_NAME, Types.LONG);
        if (ttlMs > 0) {
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(ttlMs))
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
        }
        return descriptor;
    }

    /**
     * Admits an event of the current key's image id.
     *
     * @param state the id's first-label state
     * @param label the event's label
     * @return true if the label is the id's first (which it becomes if the id has none yet)
     * @throws IOException if the state cannot be read or written
     */
    public static boolean admit(ValueState<Long> state, String label) throws IOException {
        long hash = StableHash.of(label);
        Long first = state.value();
        if (first == null) {
            state.update(hash);
            return true;
        }
        return first == hash;
    }
}
