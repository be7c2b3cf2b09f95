package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.embed.CatalogueEmbedder;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.jobs.metrics.MetricsProtocol;
import io.divastream.jobs.metrics.RetrievalMetricsFunction;
import io.divastream.jobs.testing.TinyModel;
import io.divastream.jobs.train.DivaTrainFunction;
import io.divastream.model.DjlRuntime;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Each operator that runs PyTorch sets libtorch's intra-op thread count of its own task thread when it
 * opens: the count the job's options give it, not the process-wide default another operator left.
 * Each harness is opened on a fresh thread (as each Flink task has its own), after another fresh
 * thread has set a different count, which would otherwise become the new thread's default.
 */
class IntraOpThreadsWiringTest {

    /** Sets {@code other} on one fresh thread, then opens the harness on another and reads its count. */
    private static int countAfterOpen(AbstractStreamOperatorTestHarness<?> harness, int other) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread previous = new Thread(() -> DjlRuntime.useIntraOpThreads(other));
        previous.start();
        previous.join();
        AtomicReference<Integer> count = new AtomicReference<>();
        Thread task = new Thread(() -> {
            try {
                harness.open();
                count.set(DjlRuntime.intraOpThreads());
                harness.close();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        task.start();
        task.join();
        assertThat(failure.get()).isNull();
        return count.get();
    }

    @Test
    void theTrainerUsesItsCountOrEveryProcessor() throws Exception {
        JobConfig.TrainingConfig config = TinyModel.training(TinyModel.config(), 10, 5);
        assertThat(countAfterOpen(
                        new OneInputStreamOperatorTestHarness<>(
                                new ProcessOperator<>(new DivaTrainFunction(config, 2))),
                        1))
                .isEqualTo(2);
        assertThat(countAfterOpen(
                        new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new DivaTrainFunction(config))),
                        3))
                .isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void theEmbedderUsesItsCountAndOneByDefault() throws Exception {
        JobConfig.CatalogueConfig catalogue = new JobConfig.CatalogueConfig(20, 2, 0, 1000);
        double[] weights = {1, 1, 1, 1};
        assertThat(countAfterOpen(
                        embedderHarness(new CatalogueEmbedder(
                                TinyModel.NETWORK, weights, catalogue, "images", 3, 0, SamplePayload.GLYPH_PIXELS)),
                        1))
                .isEqualTo(3);
        assertThat(countAfterOpen(
                        embedderHarness(new CatalogueEmbedder(TinyModel.NETWORK, weights, catalogue, "images")), 2))
                .isEqualTo(1);
    }

    @Test
    void theMetricsScorerUsesItsCountAndOneByDefault() throws Exception {
        MetricsProtocol protocol = MetricsProtocol.leaveOneOut(1, 2, 0);
        assertThat(countAfterOpen(
                        new TwoInputStreamOperatorTestHarness<>(new CoProcessOperator<>(
                                new RetrievalMetricsFunction(TinyModel.NETWORK.heads(), protocol, 3))),
                        1))
                .isEqualTo(3);
        assertThat(countAfterOpen(
                        new TwoInputStreamOperatorTestHarness<>(new CoProcessOperator<>(
                                new RetrievalMetricsFunction(TinyModel.NETWORK.heads(), protocol))),
                        2))
                .isEqualTo(1);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ?, ?> embedderHarness(
            CatalogueEmbedder operator) throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                operator, ImageSample::imageId, null, Types.STRING, 128, 1, 0);
    }
}
