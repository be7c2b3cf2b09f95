package io.divastream.jobs.metrics;

import static io.divastream.jobs.metrics.ContinualFixture.decisions;
import static io.divastream.jobs.metrics.ContinualFixture.feed;
import static io.divastream.jobs.metrics.ContinualFixture.recallAt1;
import static io.divastream.jobs.metrics.ContinualFixture.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.divastream.jobs.events.EvaluationResult;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.jobs.events.PromotionDecision;
import io.divastream.jobs.events.Role;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The promotion gate of {@link RetrievalMetricsFunction}: a version is promoted unless it has too few held-out images
 * or its Recall@1 falls below the promoted version's (on the same images, checked with a naive loop) by more than the
 * tolerance; a refused version leaves the promoted one serving; a restore decides as an uninterrupted run.
 */
class PromotionGateTest {

    private static final double TOLERANCE = 0.1;
    private static final int MIN_IMAGES = 20;

    private final ContinualFixture.Scorers scorers = new ContinualFixture.Scorers();

    @AfterEach
    void close() throws Exception {
        scorers.close();
    }

    private TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> harness(
            OperatorSubtaskState from) throws Exception {
        return scorers.open(ContinualFixture.protocol(0.5, 3, new PromotionPolicy(TOLERANCE, MIN_IMAGES)), from);
    }

    private static List<ImageEmbedding> heldOut(List<ImageEmbedding> rows) {
        return rows.stream().filter(e -> e.role() == Role.EVAL).toList();
    }

    @Test
    void aWorseVersionIsRefusedAndThePromotedOneKeepsServing() throws Exception {
        var h = harness(null);
        // version 0 is scored once 7 held-out images arrived: too few to promote
        feed(h, version(0, c -> false, 0.3));
        PromotionDecision d0 = decisions(h).get(0);
        assertThat(d0.promoted()).isFalse();
        assertThat(d0.images()).isEqualTo(7);
        assertThat(d0.promotedVersion()).isEqualTo(-1);
        assertThat(d0.reason()).contains("fewer than --promotion.min-eval-images 20");

        // version 1, on all 24 held-out images, is the first promoted
        List<ImageEmbedding> v1 = version(1, c -> false, 0.3);
        feed(h, v1);
        PromotionDecision d1 = decisions(h).get(0);
        assertThat(d1.promoted()).isTrue();
        assertThat(d1.images()).isEqualTo(24);
        assertThat(d1.candidateRecallAt1()).isCloseTo(recallAt1(heldOut(v1), heldOut(v1)), within(1e-9));
        assertThat(d1.promotedRecallAt1()).isNaN();
        assertThat(d1.promotedVersion()).isEqualTo(1);

        // version 2 scrambles the held-out embeddings: refused, version 1 stays promoted and served
        List<ImageEmbedding> v2 = version(2, c -> false, 1.0);
        List<EvaluationResult> r2 = feed(h, v2);
        PromotionDecision d2 = decisions(h).get(0);
        assertThat(d2.promoted()).isFalse();
        assertThat(d2.previousVersion()).isEqualTo(1);
        assertThat(d2.promotedVersion()).isEqualTo(1);
        assertThat(d2.candidateRecallAt1()).isCloseTo(recallAt1(heldOut(v2), heldOut(v2)), within(1e-9));
        assertThat(d2.promotedRecallAt1()).isEqualTo(d1.candidateRecallAt1());
        assertThat(d2.candidateRecallAt1()).isLessThan(d2.promotedRecallAt1() - TOLERANCE);
        assertThat(d2.reason()).contains("below version 1's");
        assertThat(r2.get(0).continual().servingVersion()).isEqualTo(1);

        // version 3 is compared with version 1, not with the refused version 2
        List<ImageEmbedding> v3 = version(3, c -> false, 0.3);
        List<EvaluationResult> r3 = feed(h, v3);
        PromotionDecision d3 = decisions(h).get(0);
        assertThat(d3.previousVersion()).isEqualTo(1);
        assertThat(d3.promotedRecallAt1()).isEqualTo(d1.candidateRecallAt1());
        assertThat(d3.promoted())
                .isEqualTo(d3.candidateRecallAt1() >= d3.promotedRecallAt1() - TOLERANCE)
                .isTrue();
        assertThat(r3.get(0).continual().servingVersion()).isEqualTo(1);
        assertThat(feed(h, version(4, c -> false, 0.3)).get(0).continual().servingVersion())
                .isEqualTo(3);
    }

    @Test
    void aRestoredGateDecidesAsAnUninterruptedOne() throws Exception {
        var straight = harness(null);
        for (long v = 0; v <= 2; v++) {
            feed(straight, version(v, c -> false, v == 2 ? 1.0 : 0.3));
        }
        decisions(straight);
        feed(straight, version(3, c -> false, 0.3));
        PromotionDecision expected = decisions(straight).get(0);

        var before = harness(null);
        for (long v = 0; v <= 2; v++) {
            feed(before, version(v, c -> false, v == 2 ? 1.0 : 0.3));
        }
        OperatorSubtaskState snapshot = before.snapshot(1, 1);
        var after = harness(snapshot);
        feed(after, version(3, c -> false, 0.3));
        PromotionDecision restored = decisions(after).get(0);
        assertThat(restored.promoted()).isEqualTo(expected.promoted());
        assertThat(restored.previousVersion()).isEqualTo(1);
        assertThat(restored.candidateRecallAt1()).isEqualTo(expected.candidateRecallAt1());
        assertThat(restored.promotedRecallAt1()).isEqualTo(expected.promotedRecallAt1());
        assertThat(restored.images()).isEqualTo(expected.images());
    }
}
