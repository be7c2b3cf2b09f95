package io.divastream.jobs.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.testing.MetricsCapture;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The training branch's first-label rule, in Flink's keyed harness. */
class FirstLabelFilterTest {

    private static final byte[] PIXELS = {1, 2, 3};

    private static KeyedOneInputStreamOperatorTestHarness<String, ImageSample, ImageSample> harness(long ttlMs)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FirstLabelFilter(ttlMs)), ImageSample::imageId, Types.STRING);
    }

    private static ImageSample train(String id, String label) {
        return new ImageSample(id, label, Role.TRAIN, PIXELS, 1);
    }

    private static ImageSample eval(String id, String label) {
        return new ImageSample(id, label, Role.EVAL, new byte[0], 1);
    }

    @Test
    void passesTrainingImagesOfTheirFirstLabelOnly() throws Exception {
        try (var h = harness(0)) {
            MetricsCapture metrics = MetricsCapture.attach(h);
            h.open();
            h.processElement(train("a", "Korean/c1"), 1);
            h.processElement(train("a", "Korean/c1"), 2); // redelivered
            h.processElement(train("a", "Korean/c2"), 3); // another class
            h.processElement(eval("b", "Greek/c1"), 4); // an evaluation image sets its id's label too
            h.processElement(train("b", "Korean/c1"), 5); // so this one is never trained on
            h.processElement(eval("a", "Greek/c1"), 6);
            h.processElement(train("c", "Korean/c3"), 7);
            assertThat(h.extractOutputValues())
                    .extracting(ImageSample::imageId, ImageSample::label)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("a", "Korean/c1"),
                            org.assertj.core.groups.Tuple.tuple("a", "Korean/c1"),
                            org.assertj.core.groups.Tuple.tuple("c", "Korean/c3"));
            assertThat(metrics.count("numLabelChanges")).isEqualTo(3);
        }
    }

    @Test
    void theFirstLabelsSurviveARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(0)) {
            h.open();
            h.processElement(eval("b", "Greek/c1"), 1);
            snapshot = h.snapshot(1, 10);
        }
        try (var h = harness(0)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(train("b", "Korean/c1"), 2);
            h.processElement(train("d", "Korean/c1"), 3);
            assertThat(h.extractOutputValues()).extracting(ImageSample::imageId).containsExactly("d");
        }
    }

    @Test
    void withATtlAnIdIsForgottenAfterIt() throws Exception {
        try (var h = harness(1_000)) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(eval("b", "Greek/c1"), 1);
            h.setStateTtlProcessingTime(999);
            h.processElement(train("b", "Korean/c1"), 2);
            h.setStateTtlProcessingTime(1_001);
            h.processElement(train("b", "Korean/c1"), 3);
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }
}
