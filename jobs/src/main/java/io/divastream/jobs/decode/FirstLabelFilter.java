package io.divastream.jobs.decode;

import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.Role;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The training branch's side of {@link FirstLabels}, keyed by image id: remembers each id's first
 * label (of training and evaluation events alike) and passes on the training images whose label is
 * their id's first. Events with another label are counted in {@code numLabelChanges} and dropped; the
 * embedding branch reports them as dead letters.
 */
public final class FirstLabelFilter extends KeyedProcessFunction<String, ImageSample, ImageSample> {

    private static final long serialVersionUID = 1L;

    private final long ttlMs;
    private transient ValueState<Long> firstLabels;
    private transient Counter changes;

    /**
     * Creates the filter.
     *
     * @param ttlMs how long an id's first label is remembered (0: for ever)
     */
    public FirstLabelFilter(long ttlMs) {
        this.ttlMs = ttlMs;
    }

    @Override
    public void open(OpenContext openContext) {
        firstLabels = getRuntimeContext().getState(FirstLabels.descriptor(ttlMs));
        changes = getRuntimeContext().getMetricGroup().counter("numLabelChanges");
    }

    @Override
    public void processElement(ImageSample sample, Context ctx, Collector<ImageSample> out) throws Exception {
        if (!FirstLabels.admit(firstLabels, sample.label())) {
            changes.inc();
            return;
        }
        if (sample.role() == Role.TRAIN) {
            out.collect(sample);
        }
    }
}
