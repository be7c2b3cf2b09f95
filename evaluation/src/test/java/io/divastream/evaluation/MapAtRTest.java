package io.divastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MapAtRTest {

    /**
     * Points on a line, x = 0 1 2 3 4 10 with labels A A B A A B (A: R = 3, B: R = 1).
     * <pre>
     * q0 (A): 1(1) 2(2) 3(3)          rel 1 0 1  AP = (1 + 2/3)/3 = 5/9   RP = 2/3
     * q1 (A): 0(1) 2(1) 3(2) tie->0  rel 1 0 1  AP = 5/9               RP = 2/3
     * q2 (B): 1(1) 3(1) tie->1       rel 0      AP = 0                 RP = 0
     * q3 (A): 2(1) 4(1) tie->2, 1(2) rel 0 1 1  AP = (1/2 + 2/3)/3 = 7/18 RP = 2/3
     * q4 (A): 3(1) 2(2) 1(3)          rel 1 0 1  AP = 5/9               RP = 2/3
     * q5 (B): 4(6)                    rel 0      AP = 0                 RP = 0
     * MAP@R = (5/9 + 5/9 + 0 + 7/18 + 5/9 + 0) / 6 = 37/108, R-Precision = (4 * 2/3) / 6 = 4/9
     * </pre>
     * Breaking the ties of q1 or q3 the other way would change MAP@R.
     */
    @Test
    void handComputedSixPointExample() {
        float[][] x = NaiveRetrieval.line(0, 1, 2, 3, 4, 10);
        int[] labels = {0, 0, 1, 0, 0, 1};
        MapAtRResult result = new MapAtR().compute(x, labels);
        assertThat(result.mapAtR()).isCloseTo(37.0 / 108.0, within(1e-15));
        assertThat(result.rPrecision()).isCloseTo(4.0 / 9.0, within(1e-15));
        assertThat(result.queries()).isEqualTo(6);
    }

    @Test
    void queriesWithoutOtherItemsOfTheirLabelAreSkipped() {
        // as above, but item 5 gets its own label: B = {2} alone too, so only the four A queries count
        float[][] x = NaiveRetrieval.line(0, 1, 2, 3, 4, 10);
        int[] labels = {0, 0, 1, 0, 0, 2};
        MapAtRResult result = new MapAtR().compute(x, labels);
        assertThat(result.queries()).isEqualTo(4);
        assertThat(result.mapAtR()).isCloseTo((5 / 9.0 * 3 + 7 / 18.0) / 4, within(1e-15));
        assertThat(result.rPrecision()).isCloseTo(2 / 3.0, within(1e-15));
        assertThat(new MapAtR().compute(x, new int[] {0, 1, 2, 3, 4, 5}).mapAtR())
                .isNaN();
    }

    @Test
    void perfectlySeparatedClassesScoreOne() {
        int[] labels = NaiveRetrieval.randomLabels(7, 120, 12);
        float[][] x = NaiveRetrieval.clusteredEmbeddings(8, labels, 8, 1e-3);
        MapAtRResult result = new MapAtR().compute(x, labels);
        assertThat(result.mapAtR()).isEqualTo(1.0);
        assertThat(result.rPrecision()).isEqualTo(1.0);
    }

    @Test
    void matchesNaiveImplementationOnRandomData() {
        int n = 360;
        int[] labels = NaiveRetrieval.randomLabels(9, n, 25);
        labels[3] = 99;
        labels[4] = 99;
        labels[10] = 500;
        float[][] x = NaiveRetrieval.clusteredEmbeddings(10, labels, 12, 1.2);
        double[] expected = NaiveRetrieval.mapAtR(x, labels);
        MapAtRResult result = new MapAtR().compute(x, labels);
        assertThat(result.mapAtR()).isCloseTo(expected[0], within(1e-12));
        assertThat(result.rPrecision()).isCloseTo(expected[1], within(1e-12));
        assertThat(result.queries()).isEqualTo(n - 1);
        assertThat(result.mapAtR()).isBetween(0.05, 0.95);
    }

    @Test
    void aSubsetOfQueriesIsRankedAgainstAllItemsAndAveragedAlone() {
        int n = 240;
        int[] labels = NaiveRetrieval.randomLabels(13, n, 20);
        labels[5] = 900; // a singleton among the queries: skipped
        float[][] x = NaiveRetrieval.clusteredEmbeddings(14, labels, 8, 1.2);
        int[] queries =
                IntStream.range(0, n).filter(i -> labels[i] % 4 == 0 || i == 5).toArray();
        int[][] neighbours = new NearestNeighbours(MapAtR.requiredNeighbours(labels)).search(x);
        MapAtRResult result = new MapAtR().computeForQueries(neighbours, labels, queries);
        double[] expected = NaiveRetrieval.mapAtR(x, labels, queries);
        assertThat(result.mapAtR()).isCloseTo(expected[0], within(1e-12));
        assertThat(result.rPrecision()).isCloseTo(expected[1], within(1e-12));
        assertThat(result.queries()).isEqualTo(queries.length - 1);
        assertThat(result.mapAtR()).isNotCloseTo(new MapAtR().compute(x, labels).mapAtR(), within(1e-6));
    }

    @Test
    void requiredNeighboursIsTheLargestR() {
        assertThat(MapAtR.requiredNeighbours(new int[] {3, 3, 3, 1, 1, 7})).isEqualTo(2);
        assertThat(MapAtR.requiredNeighbours(new int[] {1, 2})).isZero();
    }
}
