package io.divastream.jobs.testing;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.View;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * A task metric group that keeps every metric its operators register, under its name relative to
 * the operator's group ({@code "deadLetters.EMPTY_LABEL"} for a counter in a sub-group), so tests
 * can read their values. Pass it to {@code MockEnvironmentBuilder#setMetricGroup}, or {@link
 * #attach} it to a harness built without an environment before the harness opens.
 */
public final class MetricsCapture extends UnregisteredMetricGroups.UnregisteredTaskMetricGroup {

    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();

    /**
     * Makes a harness's operator register its metrics in a new capture. Call it before the
     * harness is set up (before {@code initializeState} or {@code open}).
     *
     * @param harness the harness
     * @return the capture
     */
    public static MetricsCapture attach(AbstractStreamOperatorTestHarness<?> harness) {
        MetricsCapture capture = new MetricsCapture();
        try {
            Field field = MockEnvironment.class.getDeclaredField("taskMetricGroup");
            field.setAccessible(true);
            field.set(harness.getEnvironment(), capture);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot replace the harness's metric group", e);
        }
        return capture;
    }

    @Override
    public InternalOperatorMetricGroup getOrAddOperator(
            OperatorID operatorID, String name, Map<String, String> additionalVariables) {
        return new Operator();
    }

    /**
     * Returns a metric.
     *
     * @param name its name relative to the operator's group, sub-groups separated by dots
     * @return the metric
     * @throws AssertionError if no such metric was registered
     */
    public Metric get(String name) {
        Metric metric = metrics.get(name);
        if (metric == null) {
            throw new AssertionError("no metric " + name + " among " + new TreeMap<>(metrics).keySet());
        }
        return metric;
    }

    /**
     * Tells whether a metric was registered.
     *
     * @param name its name
     * @return true if registered
     */
    public boolean has(String name) {
        return metrics.containsKey(name);
    }

    /**
     * Returns a counter's count.
     *
     * @param name its name
     * @return the count
     */
    public long count(String name) {
        return ((Counter) get(name)).getCount();
    }

    /**
     * Returns a gauge's value.
     *
     * @param name its name
     * @return the value
     */
    public Object gauge(String name) {
        return ((Gauge<?>) get(name)).getValue();
    }

    /**
     * Returns a numeric gauge's value.
     *
     * @param name its name
     * @return the value as a double
     */
    public double number(String name) {
        return ((Number) gauge(name)).doubleValue();
    }

    /**
     * Returns a histogram.
     *
     * @param name its name
     * @return the histogram
     */
    public Histogram histogram(String name) {
        return (Histogram) get(name);
    }

    /**
     * Returns a meter.
     *
     * @param name its name
     * @return the meter
     */
    public Meter meter(String name) {
        return (Meter) get(name);
    }

    /**
     * Does what Flink's metric registry does every few seconds: updates every view (meters).
     */
    public void updateViews() {
        for (Metric metric : metrics.values()) {
            if (metric instanceof View view) {
                view.update();
            }
        }
    }

    private void put(String name, Metric metric) {
        metrics.put(name, metric);
    }

    /** The operator group: records its metrics and hands out recording sub-groups. */
    private final class Operator extends UnregisteredMetricGroups.UnregisteredOperatorMetricGroup {

        @Override
        protected void addMetric(String name, Metric metric) {
            put(name, metric);
        }

        @Override
        public MetricGroup addGroup(String name) {
            return new Child(name + ".");
        }
    }

    /** A sub-group whose metrics are recorded under its dotted prefix. */
    private final class Child extends UnregisteredMetricsGroup {
        private final String prefix;

        private Child(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Counter counter(String name) {
            return counter(name, new SimpleCounter());
        }

        @Override
        public <C extends Counter> C counter(String name, C counter) {
            put(prefix + name, counter);
            return counter;
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            put(prefix + name, gauge);
            return gauge;
        }

        @Override
        public <M extends Meter> M meter(String name, M meter) {
            put(prefix + name, meter);
            return meter;
        }

        @Override
        public <H extends Histogram> H histogram(String name, H histogram) {
            put(prefix + name, histogram);
            return histogram;
        }

        @Override
        public MetricGroup addGroup(String name) {
            return new Child(prefix + name + ".");
        }
    }
}
