package io.divastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PairwiseF1Test {

    @Test
    void handComputedExample() {
        // classes {0,1,2} {3,4}; clusters {0,1} {2,3,4}
        // class pairs 3 + 1 = 4, cluster pairs 1 + 3 = 4, same class and cluster: (0,1), (3,4) = 2
        // P = R = 2/4, F1 = 1/2
        int[] labels = {0, 0, 0, 1, 1};
        int[] clusters = {7, 7, 9, 9, 9};
        assertThat(PairwiseF1.compute(labels, clusters)).isCloseTo(0.5, within(1e-15));
        assertThat(NaiveRetrieval.pairwiseF1(labels, clusters)).isCloseTo(0.5, within(1e-15));
    }

    @Test
    void matchesTheNaivePairLoopAndIsSymmetric() {
        Random random = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            int n = 50 + random.nextInt(150);
            int[] labels = new int[n];
            int[] clusters = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = random.nextInt(12) - 6; // negative labels are fine
                clusters[i] = random.nextDouble() < 0.6 ? labels[i] * 31 : random.nextInt(15);
            }
            double expected = NaiveRetrieval.pairwiseF1(labels, clusters);
            assertThat(PairwiseF1.compute(labels, clusters)).isCloseTo(expected, within(1e-12));
            // F1 is symmetric in precision and recall, so swapping the roles (as the original's naming does)
            // leaves it unchanged
            assertThat(PairwiseF1.compute(clusters, labels)).isCloseTo(expected, within(1e-12));
            assertThat(expected).isBetween(0.05, 0.95);
        }
    }

    @Test
    void limitCases() {
        assertThat(PairwiseF1.compute(new int[] {1, 1, 2, 2}, new int[] {5, 5, 6, 6}))
                .isEqualTo(1.0);
        assertThat(PairwiseF1.compute(new int[] {1, 1, 2, 2}, new int[] {5, 6, 5, 6}))
                .isEqualTo(0.0);
        assertThat(PairwiseF1.compute(new int[] {1, 2, 3}, new int[] {1, 2, 3})).isNaN();
        assertThatThrownBy(() -> PairwiseF1.compute(new int[2], new int[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 labels but 3");
    }
}
