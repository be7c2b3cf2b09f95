package io.divastream.jobs.testing;

import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * A two-input operator harness on a given environment (Flink's {@code TwoInputStreamOperatorTestHarness} builds its
 * own): the tests that read an operator's metrics pass an environment with their metric group.
 *
 * @param <IN1> the first input
 * @param <IN2> the second input
 * @param <OUT> the output
 */
public final class CoOperatorHarness<IN1, IN2, OUT> extends AbstractStreamOperatorTestHarness<OUT> {

    private final TwoInputStreamOperator<IN1, IN2, OUT> operator;

    /**
     * Creates the harness.
     *
     * @param operator the operator
     * @param environment its environment
     * @throws Exception if the harness cannot be set up
     */
    public CoOperatorHarness(TwoInputStreamOperator<IN1, IN2, OUT> operator, MockEnvironment environment)
            throws Exception {
        super(operator, environment);
        this.operator = operator;
    }

    /**
     * Processes an element of the first input.
     *
     * @param value the element
     * @param timestamp its timestamp
     * @throws Exception from the operator
     */
    public void processElement1(IN1 value, long timestamp) throws Exception {
        StreamRecord<IN1> record = new StreamRecord<>(value, timestamp);
        operator.setKeyContextElement1(record);
        operator.processElement1(record);
    }

    /**
     * Processes an element of the second input.
     *
     * @param value the element
     * @param timestamp its timestamp
     * @throws Exception from the operator
     */
    public void processElement2(IN2 value, long timestamp) throws Exception {
        StreamRecord<IN2> record = new StreamRecord<>(value, timestamp);
        operator.setKeyContextElement2(record);
        operator.processElement2(record);
    }
}
