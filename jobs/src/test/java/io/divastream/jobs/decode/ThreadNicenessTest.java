package io.divastream.jobs.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.events.EventLimits;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.images.ImageSpec;
import io.divastream.jobs.config.RouteOptions;
import io.divastream.jobs.events.ImageSample;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The training reader's thread gives way to the embedding path: its own niceness, no other thread's. */
@EnabledOnOs(OS.LINUX)
class ThreadNicenessTest {

    @Test
    void onlyTheCallingThreadTakesTheNicenessAndNeverALowerOne() throws Exception {
        int mine = ThreadNiceness.current();
        int wanted = Math.min(19, mine + 3);
        AtomicInteger after = new AtomicInteger(-1);
        AtomicInteger again = new AtomicInteger(-1);
        Thread t = new Thread(() -> {
            after.set(ThreadNiceness.atLeast(wanted).orElse(-1));
            again.set(ThreadNiceness.atLeast(Math.max(0, wanted - 2)).orElse(-1)); // lower: kept
        });
        t.start();
        t.join();
        assertThat(after.get()).isEqualTo(wanted);
        assertThat(again.get()).isEqualTo(wanted);
        assertThat(ThreadNiceness.current()).as("this thread is untouched").isEqualTo(mine);
        assertThatThrownBy(() -> ThreadNiceness.atLeast(20)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTrainingReaderTakesItsNicenessWhenItOpensAndTheEmbeddingReaderNone() throws Exception {
        int base = ThreadNiceness.current();
        int wanted = Math.min(19, base + 4);
        AtomicReference<int[]> seen = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                int beforeEmbedding = ThreadNiceness.current();
                try (var embedding = harness(new DecodeImageFunction(
                        new SampleDecoding.Glyphs(new ImageSpec(28, true)),
                        router(),
                        EventLimits.DEFAULT,
                        new RecordSizeLimit(RecordSizeLimit.KAFKA_DEFAULT)))) {
                    embedding.open();
                }
                int afterEmbedding = ThreadNiceness.current();
                try (var training = harness(DecodeImageFunction.trainingReader(
                        new SampleDecoding.Glyphs(new ImageSpec(28, true)), router(), EventLimits.DEFAULT, wanted))) {
                    training.open();
                }
                seen.set(new int[] {beforeEmbedding, afterEmbedding, ThreadNiceness.current()});
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        assertThat(failure.get()).isNull();
        assertThat(seen.get()).containsExactly(base, base, wanted);
    }

    private static LabelRouter router() {
        return new LabelRouter(RouteOptions.OMNIGLOT_EVAL_LABELS);
    }

    private static OneInputStreamOperatorTestHarness<RawRecord, ImageSample> harness(DecodeImageFunction f)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(f), 1, 1, 0);
    }
}
