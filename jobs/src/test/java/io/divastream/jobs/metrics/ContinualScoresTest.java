package io.divastream.jobs.metrics;

import static io.divastream.jobs.metrics.ContinualFixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.divastream.jobs.events.ClassGroupScore;
import io.divastream.jobs.events.ContinualScores;
import io.divastream.jobs.events.EvaluationResult;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.jobs.events.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The continual scores of {@link RetrievalMetricsFunction}: Recall@1 per group of training classes by first
 * arrival, its images ranked among all sampled training images, each group's best earlier score and forgetting, and the cross-version scores of a version's queries
 * against the previous version's gallery, every expected Recall@1 from a naive nearest-neighbour loop; and a
 * restore that keeps the history.
 */
class ContinualScoresTest {

    private static final int GROUP = 3;
    private static final double QUERY_FRACTION = 0.4;

    private final ContinualFixture.Scorers scorers = new ContinualFixture.Scorers();

    @AfterEach
    void close() throws Exception {
        scorers.close();
    }

    private TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> harness(
            OperatorSubtaskState from) throws Exception {
        return scorers.open(ContinualFixture.protocol(QUERY_FRACTION, GROUP, new PromotionPolicy(1, 2)), from);
    }

    private static List<ImageEmbedding> group(List<ImageEmbedding> rows, int group) {
        return rows.stream()
                .filter(e ->
                        e.role() == Role.TRAIN && Integer.parseInt(e.label().substring(5)) / GROUP == group)
                .toList();
    }

    private static List<ImageEmbedding> train(List<ImageEmbedding> rows) {
        return rows.stream().filter(e -> e.role() == Role.TRAIN).toList();
    }

    @Test
    void groupsScoreTheirClassesAndRememberTheirBest() throws Exception {
        var h = harness(null);
        List<ImageEmbedding> v0 = version(0, c -> false, 0.3);
        List<EvaluationResult> first = feed(h, v0);
        assertThat(first).hasSize(1);
        ContinualScores s0 = first.get(0).continual();
        assertThat(s0.classGroupSize()).isEqualTo(GROUP);
        assertThat(s0.groups()).extracting(ClassGroupScore::group).containsExactly(0, 1, 2);
        for (ClassGroupScore g : s0.groups()) {
            assertThat(g.classes()).isEqualTo(GROUP);
            assertThat(g.images()).isEqualTo(GROUP * TRAIN_PER_CLASS);
            List<ImageEmbedding> rows = group(v0, g.group());
            assertThat(g.recallAt1()).isCloseTo(recallAt1(rows, train(v0)), within(1e-9));
            assertThat(g.bestEarlierRecallAt1()).isNaN();
            assertThat(g.forgetting()).isZero();
        }
        assertThat(s0.hasCrossVersion())
                .as("no version served before the first")
                .isFalse();
        assertThat(s0.servingVersion()).isEqualTo(-1);

        // version 1 scrambles the oldest group's classes and blurs the held-out images
        List<ImageEmbedding> v1 = version(1, c -> c < GROUP, 0.6);
        ContinualScores s1 = feed(h, v1).get(0).continual();
        ClassGroupScore oldest = s1.groups().get(0);
        List<ImageEmbedding> oldestRows = group(v1, 0);
        assertThat(oldest.recallAt1()).isCloseTo(recallAt1(oldestRows, train(v1)), within(1e-9));
        assertThat(oldest.recallAt1())
                .as("the other groups' classes are distractors: ranked within its group alone it scores otherwise")
                .isNotCloseTo(recallAt1(oldestRows, oldestRows), within(1e-6));
        assertThat(oldest.bestEarlierRecallAt1()).isEqualTo(s0.groups().get(0).recallAt1());
        assertThat(oldest.forgetting())
                .isGreaterThan(0.3)
                .isCloseTo(s0.groups().get(0).recallAt1() - oldest.recallAt1(), within(1e-12));
        assertThat(s1.groups().get(2).forgetting())
                .as("an unchanged group forgets nothing")
                .isZero();

        // cross-version: version 1's hashed queries against version 0's gallery of the other held-out images,
        // all of them: version 0 was scored once 7 held-out images had arrived, and the later ones of version 0
        // joined its gallery
        assertThat(s1.servingVersion()).isZero();
        Predicate<ImageEmbedding> query = e -> StableHash.unit(e.imageId()) < QUERY_FRACTION;
        List<ImageEmbedding> queries =
                v1.stream().filter(e -> e.role() == Role.EVAL && query.test(e)).toList();
        List<ImageEmbedding> gallery =
                v0.stream().filter(e -> e.role() == Role.EVAL && !query.test(e)).toList();
        assertThat(queries).isNotEmpty();
        assertThat(s1.crossVersion()[0]).isCloseTo(recallAt1(queries, gallery), within(1e-9));

        // version 2 restores the oldest group: its best earlier is still version 0's, its forgetting 0
        ContinualScores s2 = feed(h, version(2, c -> false, 0.3)).get(0).continual();
        assertThat(s2.groups().get(0).bestEarlierRecallAt1())
                .isEqualTo(s0.groups().get(0).recallAt1());
        assertThat(s2.groups().get(0).forgetting()).isZero();
        assertThat(s2.servingVersion()).isEqualTo(1);
    }

    @Test
    void aRestoreKeepsTheArrivalOrderTheBestScoresAndTheServingGallery() throws Exception {
        List<ImageEmbedding> v0 = version(0, c -> false, 0.3);
        List<ImageEmbedding> v1 = version(1, c -> c < GROUP, 0.6);
        // uninterrupted
        var straight = harness(null);
        feed(straight, v0);
        ContinualScores expected = feed(straight, v1).get(0).continual();
        // restored between the versions, into a scorer that sees version 1's training images in reverse class order
        var before = harness(null);
        feed(before, v0);
        OperatorSubtaskState snapshot = before.snapshot(1, 1);
        var after = harness(snapshot);
        List<ImageEmbedding> reversed = new ArrayList<>(v1.subList(0, TRAIN_CLASSES * TRAIN_PER_CLASS));
        java.util.Collections.reverse(reversed);
        reversed.addAll(v1.subList(TRAIN_CLASSES * TRAIN_PER_CLASS, v1.size()));
        assertThat(feed(after, reversed).get(0).continual()).isEqualTo(expected);
    }

    @Test
    void arrivalsAreBoundedAndRestoredInOrder() {
        ClassArrivals arrivals = new ClassArrivals(2);
        arrivals.arrive("b");
        arrivals.arrive("a");
        arrivals.arrive("b");
        arrivals.arrive("c");
        assertThat(arrivals.ordinal("b")).hasValue(0);
        assertThat(arrivals.ordinal("a")).hasValue(1);
        assertThat(arrivals.ordinal("c")).isEmpty();
        assertThat(arrivals.untracked()).isEqualTo(1);
        ClassArrivals restored = new ClassArrivals(5);
        restored.restore(arrivals.snapshot());
        restored.arrive("c");
        assertThat(restored.ordinal("b")).hasValue(0);
        assertThat(restored.ordinal("a")).hasValue(1);
        assertThat(restored.ordinal("c")).hasValue(2);
    }
}
