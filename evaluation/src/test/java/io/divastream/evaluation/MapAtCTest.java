package io.divastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MapAtCTest {

    private static double compute(float[][] x, int[] labels) {
        int[][] neighbours = new NearestNeighbours(MapAtC.requiredNeighbours(labels)).search(x);
        return new MapAtC().compute(neighbours, labels);
    }

    /**
     * The six points of MapAtRTest (x = 0 1 2 3 4 10, labels A A B A A B), now with R_c = class size
     * including the query (A: 4, B: 2) and the query excluded from its neighbours:
     * <pre>
     * q0: 1 2 3 4 rel 1 0 1 1  (1 + 2/3 + 3/4)/4 = 29/48     q3: 2 4 1 0 rel 0 1 1 1  (1/2 + 2/3 + 3/4)/4 = 23/48
     * q1: 0 2 3 4 rel 1 0 1 1  29/48                         q4: 3 2 1 0 rel 1 0 1 1  29/48
     * q2: 1 3     rel 0 0      0                             q5: 4 3     rel 0 0      0
     * mAP_c = (3 * 29 + 23) / 48 / 6 = 55/144   (Musgrave's MAP@R on the same data: 37/108)
     * </pre>
     */
    @Test
    void handComputedSixPointExample() {
        float[][] x = NaiveRetrieval.line(0, 1, 2, 3, 4, 10);
        int[] labels = {0, 0, 1, 0, 0, 1};
        assertThat(MapAtC.requiredNeighbours(labels)).isEqualTo(4);
        assertThat(compute(x, labels)).isCloseTo(55.0 / 144.0, within(1e-15));
        assertThat(compute(x, labels))
                .isNotCloseTo(new MapAtR().compute(x, labels).mapAtR(), within(1e-3));
    }

    @Test
    void perfectRetrievalScoresOneLessOneOverTheClassSize() {
        // the query is not among its neighbours, so a perfect query reaches (R_c - 1) / R_c; singletons 0
        int[] labels = {0, 0, 0, 0, 1, 1, 2};
        float[][] x = NaiveRetrieval.line(0, 0.1, 0.2, 0.3, 50, 50.1, 100);
        double expected = (4 * (3 / 4.0) + 2 * (1 / 2.0) + 0) / 7;
        assertThat(compute(x, labels)).isCloseTo(expected, within(1e-15));
    }

    @Test
    void matchesNaiveImplementationOnRandomData() {
        int n = 300;
        int[] labels = NaiveRetrieval.randomLabels(11, n, 20);
        labels[5] = 77; // a singleton
        float[][] x = NaiveRetrieval.clusteredEmbeddings(12, labels, 10, 1.2);
        double expected = NaiveRetrieval.mapAtC(x, labels);
        assertThat(compute(x, labels)).isCloseTo(expected, within(1e-12));
        assertThat(expected).isBetween(0.05, 0.95);
    }

    @Test
    void aSingleClassSumsOverAllOtherItemsAndDividesByTheClassSize() {
        float[][] x = NaiveRetrieval.line(0, 1, 2);
        int[] labels = {4, 4, 4};
        // every query: two neighbours, both relevant: (1 + 1) / 3
        assertThat(compute(x, labels)).isCloseTo(2 / 3.0, within(1e-15));
    }
}
