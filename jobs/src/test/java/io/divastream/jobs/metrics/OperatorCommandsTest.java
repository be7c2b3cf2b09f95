package io.divastream.jobs.metrics;

import static io.divastream.jobs.metrics.ContinualFixture.decisions;
import static io.divastream.jobs.metrics.ContinualFixture.feed;
import static io.divastream.jobs.metrics.ContinualFixture.version;
import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.events.EvaluationResult;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.jobs.events.PromotionDecision;
import io.divastream.jobs.events.PromotionDecision.Kind;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Operators' commands at the scorer (docs/continual.md): a pin holds the promoted version against better versions
 * until an unpin, a pin of another version or a second pin is rejected, a rollback the trainer published serves when
 * it is scored even though the gate would refuse it, a rollback the trainer could not apply is rejected with its
 * reason, and a restore between a rollback and its scoring decides as an uninterrupted run.
 */
class OperatorCommandsTest {

    private final ContinualFixture.Scorers scorers = new ContinualFixture.Scorers();

    @AfterEach
    void close() throws Exception {
        scorers.close();
    }

    private TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> harness(
            OperatorSubtaskState from) throws Exception {
        return scorers.open(ContinualFixture.protocol(0.5, 3, new PromotionPolicy(0.1, 20)), from);
    }

    private static OperatorCommand.Applied command(String id, OperatorCommand.Action action, long version) {
        return new OperatorCommand(id, action, version, "ops", "test", 1L).applied(-1, null);
    }

    private static OperatorCommand.Applied rollback(String id, long to, long published) {
        return new OperatorCommand(id, OperatorCommand.Action.ROLLBACK, to, "ops", "", 1L).applied(published, null);
    }

    private static PromotionDecision only(
            TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> h) {
        List<PromotionDecision> d = decisions(h);
        assertThat(d).hasSize(1);
        return d.get(0);
    }

    /** Versions 0 (too few images) and 1 (promoted). */
    private static void firstTwo(
            TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> h)
            throws Exception {
        feed(h, version(0, c -> false, 0.3));
        feed(h, version(1, c -> false, 0.3));
        assertThat(decisions(h)).extracting(PromotionDecision::kind).containsExactly(Kind.REFUSED, Kind.PROMOTED);
    }

    @Test
    void aPinHoldsThePromotedVersionUntilAnUnpin() throws Exception {
        var h = harness(null);
        h.processElement2(command("early", OperatorCommand.Action.PIN, 0), 0);
        PromotionDecision early = only(h);
        assertThat(early.kind()).isEqualTo(Kind.COMMAND_REJECTED);
        assertThat(early.reason()).contains("no version is promoted yet");
        firstTwo(h);

        h.processElement2(command("pin-0", OperatorCommand.Action.PIN, 0), 0);
        PromotionDecision wrong = only(h);
        assertThat(wrong.kind()).isEqualTo(Kind.COMMAND_REJECTED);
        assertThat(wrong.reason()).contains("version 0 is not the promoted version 1");
        assertThat(wrong.commandId()).isEqualTo("pin-0");

        h.processElement2(command("pin-1", OperatorCommand.Action.PIN, 1), 0);
        PromotionDecision pinned = only(h);
        assertThat(pinned.kind()).isEqualTo(Kind.PINNED);
        assertThat(pinned.modelVersion()).isEqualTo(1);
        assertThat(pinned.promotedVersion()).isEqualTo(1);
        assertThat(pinned.pinned()).isTrue();
        assertThat(pinned.reason()).contains("by ops", "(test)");
        h.processElement2(command("pin-1-again", OperatorCommand.Action.PIN, -1), 0);
        assertThat(only(h).reason()).contains("already pinned (command pin-1)");

        // version 2 is as good as version 1: the gate would promote it, the pin refuses it
        List<EvaluationResult> r2 = feed(h, version(2, c -> false, 0.3));
        PromotionDecision d2 = only(h);
        assertThat(d2.kind()).isEqualTo(Kind.REFUSED);
        assertThat(d2.promotedVersion()).isEqualTo(1);
        assertThat(d2.pinned()).isTrue();
        assertThat(d2.reason()).contains("pinned to version 1 (command pin-1)", "within --promotion.tolerance");
        assertThat(r2.get(0).continual().servingVersion()).isEqualTo(1);

        h.processElement2(command("unpin", OperatorCommand.Action.UNPIN, -1), 0);
        PromotionDecision unpinned = only(h);
        assertThat(unpinned.kind()).isEqualTo(Kind.UNPINNED);
        assertThat(unpinned.pinned()).isFalse();
        assertThat(unpinned.reason()).contains("the pin was command pin-1");
        h.processElement2(command("unpin-again", OperatorCommand.Action.UNPIN, -1), 0);
        assertThat(only(h).reason()).contains("nothing is pinned");

        feed(h, version(3, c -> false, 0.3));
        PromotionDecision d3 = only(h);
        assertThat(d3.kind()).isEqualTo(Kind.PROMOTED);
        assertThat(d3.previousVersion()).isEqualTo(1);
        assertThat(d3.pinned()).isFalse();

        // a pin without a version holds whichever version is promoted when it is applied
        h.processElement2(command("pin-now", OperatorCommand.Action.PIN, -1), 0);
        PromotionDecision now = only(h);
        assertThat(now.kind()).isEqualTo(Kind.PINNED);
        assertThat(now.modelVersion()).isEqualTo(3);
        assertThat(now.reason()).contains("version 3 pinned");
    }

    @Test
    void aRollbackServesWhenScoredEvenIfTheGateWouldRefuseIt() throws Exception {
        var h = harness(null);
        firstTwo(h);
        h.processElement2(
                new OperatorCommand("rb-bad", OperatorCommand.Action.ROLLBACK, 0, "ops", "", 1L)
                        .applied(-1, "version 0's artefact is not in the export directory"),
                0);
        PromotionDecision refused = only(h);
        assertThat(refused.kind()).isEqualTo(Kind.COMMAND_REJECTED);
        assertThat(refused.modelVersion()).isZero();
        assertThat(refused.reason()).contains("not in the export directory");

        // the trainer published version 2 with version 0's parameters; its held-out embeddings are scrambled here,
        // so the gate alone would refuse it
        h.processElement2(rollback("rb-0", 0, 2), 0);
        assertThat(decisions(h)).as("decided when scored").isEmpty();
        List<EvaluationResult> r2 = feed(h, version(2, c -> false, 1.0));
        PromotionDecision d2 = only(h);
        assertThat(d2.kind()).isEqualTo(Kind.ROLLED_BACK);
        assertThat(d2.promoted()).isTrue();
        assertThat(d2.promotedVersion()).isEqualTo(2);
        assertThat(d2.previousVersion()).isEqualTo(1);
        assertThat(d2.pinned()).isTrue();
        assertThat(d2.commandId()).isEqualTo("rb-0");
        assertThat(d2.candidateRecallAt1()).isLessThan(d2.promotedRecallAt1() - 0.1);
        assertThat(d2.reason()).contains("rolls back to version 0's parameters", "below version 1's");
        assertThat(r2.get(0).continual().servingVersion()).isEqualTo(1);

        // pinned by the rollback: the next version is refused although better
        feed(h, version(3, c -> false, 0.3));
        PromotionDecision d3 = only(h);
        assertThat(d3.kind()).isEqualTo(Kind.REFUSED);
        assertThat(d3.reason()).contains("pinned to version 2 (command rb-0)");
    }

    @Test
    void aRollbackThatArrivesAfterItsVersionWasScoredServesAtOnce() throws Exception {
        var h = harness(null);
        firstTwo(h);
        feed(h, version(2, c -> false, 1.0));
        assertThat(only(h).kind()).isEqualTo(Kind.REFUSED);
        h.processElement2(rollback("late", 0, 2), 0);
        PromotionDecision late = only(h);
        assertThat(late.kind()).isEqualTo(Kind.ROLLED_BACK);
        assertThat(late.modelVersion()).isEqualTo(2);
        assertThat(late.previousVersion()).isEqualTo(1);
        assertThat(late.promotedVersion()).isEqualTo(2);
        assertThat(late.candidateRecallAt1()).isNaN();
        assertThat(late.reason()).contains("version 2 republishes version 0's parameters");
    }

    @Test
    void aRollbackWhoseVersionIsPassedOverIsRejected() throws Exception {
        var h = harness(null);
        firstTwo(h);
        h.processElement2(rollback("rb-0", 0, 2), 0);
        // the held-out images go from version 1 straight to version 3
        feed(h, version(3, c -> false, 0.3));
        List<PromotionDecision> d = decisions(h);
        assertThat(d).extracting(PromotionDecision::kind).containsExactly(Kind.COMMAND_REJECTED, Kind.PROMOTED);
        assertThat(d.get(0).commandId()).isEqualTo("rb-0");
        assertThat(d.get(0).reason()).contains("version 2, published with version 0's parameters, was passed over");
        assertThat(d.get(1).modelVersion()).isEqualTo(3);
        assertThat(d.get(1).pinned()).isFalse();
    }

    @Test
    void aRestoreBetweenARollbackAndItsScoringDecidesAsAnUninterruptedRun() throws Exception {
        var straight = harness(null);
        firstTwo(straight);
        straight.processElement2(command("pin-1", OperatorCommand.Action.PIN, 1), 0);
        straight.processElement2(command("unpin", OperatorCommand.Action.UNPIN, -1), 0);
        straight.processElement2(rollback("rb-0", 0, 2), 0);
        decisions(straight);
        feed(straight, version(2, c -> false, 1.0));
        feed(straight, version(3, c -> false, 0.3));
        List<PromotionDecision> expected = decisions(straight);

        var before = harness(null);
        firstTwo(before);
        before.processElement2(command("pin-1", OperatorCommand.Action.PIN, 1), 0);
        before.processElement2(command("unpin", OperatorCommand.Action.UNPIN, -1), 0);
        before.processElement2(rollback("rb-0", 0, 2), 0);
        OperatorSubtaskState snapshot = before.snapshot(1, 1);
        var after = harness(snapshot);
        feed(after, version(2, c -> false, 1.0));
        feed(after, version(3, c -> false, 0.3));
        List<PromotionDecision> restored = decisions(after);
        assertThat(restored).extracting(PromotionDecision::kind).containsExactly(Kind.ROLLED_BACK, Kind.REFUSED);
        assertThat(restored)
                .extracting(PromotionDecision::kind, PromotionDecision::promotedVersion, PromotionDecision::reason)
                .containsExactlyElementsOf(expected.stream()
                        .map(d -> org.assertj.core.groups.Tuple.tuple(d.kind(), d.promotedVersion(), d.reason()))
                        .toList());
    }
}
