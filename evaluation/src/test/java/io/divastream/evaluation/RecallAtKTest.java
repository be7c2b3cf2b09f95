package io.divastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RecallAtKTest {

    @Test
    void handComputedSixPointExample() {
        // x = 0 1 2 3 4 10, labels A A B A A B (see MapAtRTest for the neighbour orders)
        float[][] x = NaiveRetrieval.line(0, 1, 2, 3, 4, 10);
        int[] labels = {0, 0, 1, 0, 0, 1};
        // nearest: q0->1 hit, q1->0 hit, q2->1 miss, q3->2 miss, q4->3 hit, q5->4 miss: 3/6
        // top 2 adds q3 ([2, 4]); top 4 adds q5 ([4, 3, 2, 1]); all 5 neighbours add q2
        double[] recall = new RecallAtK().compute(x, labels);
        assertThat(recall).containsExactly(new double[] {3 / 6.0, 4 / 6.0, 5 / 6.0, 1.0}, within(1e-15));
    }

    @Test
    void singletonQueriesAreMissesByDefaultAndCanBeExcluded() {
        float[][] x = NaiveRetrieval.line(0, 1, 5, 6, 20);
        int[] labels = {0, 0, 1, 1, 2};
        List<Integer> ks = List.of(1);
        assertThat(new RecallAtK(ks, RecallAtK.SingletonPolicy.COUNT_AS_MISS).compute(x, labels))
                .containsExactly(0.8);
        assertThat(new RecallAtK(ks, RecallAtK.SingletonPolicy.EXCLUDE).compute(x, labels))
                .containsExactly(1.0);
        assertThat(new RecallAtK().compute(x, new int[] {0, 1, 2, 3, 4})).containsExactly(0.0, 0.0, 0.0, 0.0);
        assertThat(new RecallAtK(ks, RecallAtK.SingletonPolicy.EXCLUDE).compute(x, new int[] {0, 1, 2, 3, 4})[0])
                .isNaN();
    }

    @Test
    void matchesNaiveImplementationOnRandomData() {
        int n = 400;
        int[] labels = NaiveRetrieval.randomLabels(5, n, 60);
        labels[7] = 1000; // a singleton class
        float[][] x = NaiveRetrieval.clusteredEmbeddings(6, labels, 16, 1.5);
        int[] ks = {1, 2, 4, 8, 16};
        List<Integer> kList = List.of(1, 2, 4, 8, 16);
        for (RecallAtK.SingletonPolicy policy : RecallAtK.SingletonPolicy.values()) {
            double[] expected = NaiveRetrieval.recall(x, labels, ks, policy == RecallAtK.SingletonPolicy.EXCLUDE);
            double[] actual = new RecallAtK(kList, policy).compute(x, labels);
            assertThat(actual).as(policy.name()).containsExactly(expected, within(1e-12));
            assertThat(actual[0]).isBetween(0.05, 0.95); // the data is neither trivial nor hopeless
        }
    }

    @Test
    void aSubsetOfQueriesIsRankedAgainstAllItemsAndCountedAlone() {
        int n = 300;
        int[] labels = NaiveRetrieval.randomLabels(11, n, 40);
        labels[12] = 777; // a singleton among the queries
        float[][] x = NaiveRetrieval.clusteredEmbeddings(12, labels, 8, 1.5);
        int[] queries =
                IntStream.range(0, n).filter(i -> labels[i] < 10 || i == 12).toArray();
        int[] ks = {1, 4};
        int[][] neighbours = new NearestNeighbours(4).search(x);
        for (RecallAtK.SingletonPolicy policy : RecallAtK.SingletonPolicy.values()) {
            boolean exclude = policy == RecallAtK.SingletonPolicy.EXCLUDE;
            double[] actual = new RecallAtK(List.of(1, 4), policy).computeForQueries(neighbours, labels, queries);
            assertThat(actual)
                    .as(policy.name())
                    .containsExactly(NaiveRetrieval.recall(x, labels, ks, exclude, queries), within(1e-12));
            // the other classes are distractors: the group alone scores differently
            float[][] groupOnly = IntStream.of(queries).mapToObj(i -> x[i]).toArray(float[][]::new);
            int[] groupLabels = IntStream.of(queries).map(i -> labels[i]).toArray();
            assertThat(actual[0])
                    .isNotCloseTo(NaiveRetrieval.recall(groupOnly, groupLabels, ks, exclude)[0], within(1e-6));
        }
        assertThatThrownBy(() -> new RecallAtK(List.of(1), RecallAtK.SingletonPolicy.EXCLUDE)
                        .computeForQueries(neighbours, labels, new int[] {n}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an item index");
    }

    @Test
    void kLargerThanTheNumberOfOtherItemsUsesAllOfThem() {
        float[][] x = NaiveRetrieval.line(0, 1, 2, 50);
        int[] labels = {0, 1, 2, 0};
        double[] recall = new RecallAtK(List.of(1, 100), RecallAtK.SingletonPolicy.COUNT_AS_MISS).compute(x, labels);
        assertThat(recall).containsExactly(0.0, 0.5);
    }

    @Test
    void rejectsNeighbourListsThatAreTooShort() {
        int[][] neighbours = {{1}, {0}, {1}};
        assertThatThrownBy(() -> new RecallAtK().compute(neighbours, new int[] {0, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecallAtK(List.of(0), RecallAtK.SingletonPolicy.EXCLUDE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void selfIsExcludedByIndexNotByDroppingTheFirstResult() {
        // items 0 and 1 are exact duplicates of different classes; item 2 is near and shares 1's class.
        // Ranking all items for query 1 gives 0, 1, 2 (distance tie, smaller index first): dropping the
        // first result would drop item 0 and keep the query itself, a false hit. By index: 0 first, a miss.
        float[][] x = NaiveRetrieval.line(0, 0, 0.1, 0.5);
        int[] labels = {7, 8, 8, 7};
        int[][] neighbours = new NearestNeighbours(2).search(x);
        assertThat(neighbours[1]).containsExactly(0, 2);
        assertThat(neighbours[0]).containsExactly(1, 2);
        double[] recall = new RecallAtK(List.of(1, 2), RecallAtK.SingletonPolicy.COUNT_AS_MISS).compute(x, labels);
        // top 2: q0 [1, 2] miss, q1 [0, 2] hit at rank 2, q2 [0, 1] (tie, smaller index first) hit at
        // rank 2, q3 [2, 0] hit at rank 2: R@1 = 0 (drop-the-first would count q1 as a hit), R@2 = 3/4
        assertThat(recall).containsExactly(0.0, 0.75);
        assertThat(PrecisionAtOne.compute(neighbours, labels)).isEqualTo(0.0);
    }

    @Test
    void anyListOfKIsReportedInItsOrder() {
        int[] labels = NaiveRetrieval.randomLabels(13, 250, 25);
        float[][] x = NaiveRetrieval.clusteredEmbeddings(14, labels, 8, 1.5);
        int[] ks = {10, 3, 1, 100, 7};
        double[] actual =
                new RecallAtK(List.of(10, 3, 1, 100, 7), RecallAtK.SingletonPolicy.COUNT_AS_MISS).compute(x, labels);
        assertThat(actual).containsExactly(NaiveRetrieval.recall(x, labels, ks, false), within(1e-12));
    }

    @Test
    void precisionAtOneIsRecallAtOneOverQueriesWithAPartner() {
        int n = 300;
        int[] labels = NaiveRetrieval.randomLabels(15, n, 40);
        labels[0] = 1000;
        labels[1] = 1001; // two singletons
        float[][] x = NaiveRetrieval.clusteredEmbeddings(16, labels, 12, 1.4);
        int[][] neighbours = new NearestNeighbours(1).search(x);
        double p1 = PrecisionAtOne.compute(neighbours, labels);
        assertThat(p1).isCloseTo(NaiveRetrieval.precisionAt1(x, labels), within(1e-12));
        assertThat(p1)
                .isCloseTo(
                        new RecallAtK(List.of(1), RecallAtK.SingletonPolicy.EXCLUDE).compute(neighbours, labels)[0],
                        within(1e-15));
        assertThat(p1).isBetween(0.05, 0.95);
        assertThat(PrecisionAtOne.compute(new int[][] {{1}, {0}}, new int[] {1, 2}))
                .isNaN();
    }
}
