package io.divastream.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NearestNeighboursTest {

    @Test
    void matchesFullSortOnRandomData() {
        float[][] x = NaiveRetrieval.randomEmbeddings(1, 257, 24, true);
        int[][] nn = new NearestNeighbours(10).search(x);
        assertThat(nn).hasNumberOfRows(257);
        for (int q = 0; q < x.length; q++) {
            assertThat(nn[q]).as("row %d", q).containsExactly(Arrays.copyOf(NaiveRetrieval.ranking(x, q), 10));
        }
    }

    @Test
    void returnsAllOtherItemsInOrderWhenMExceedsN() {
        float[][] x = NaiveRetrieval.randomEmbeddings(2, 70, 5, false);
        int[][] nn = new NearestNeighbours(1000, false).search(x);
        for (int q = 0; q < x.length; q++) {
            assertThat(nn[q]).as("row %d", q).containsExactly(NaiveRetrieval.ranking(x, q));
        }
    }

    @Test
    void parallelAndSequentialAgree() {
        float[][] x = NaiveRetrieval.randomEmbeddings(3, 531, 33, true);
        int[][] parallel = new NearestNeighbours(17, true).search(x);
        int[][] sequential = new NearestNeighbours(17, false).search(x);
        assertThat(parallel).isDeepEqualTo(sequential);
    }

    @Test
    void breaksDistanceTiesBySmallerIndex() {
        // query 2 sits at 0; items 0 and 3 both at distance 1, items 1 and 4 both at distance 4
        float[][] x = NaiveRetrieval.line(-1, 2, 0, 1, -2);
        int[][] nn = new NearestNeighbours(4).search(x);
        assertThat(nn[2]).containsExactly(0, 3, 1, 4);
        // query 0 at -1: item 2 (0) and item 4 (-2) tie at 1; then 3 (1) at 4; then 1 (2) at 9
        assertThat(nn[0]).containsExactly(2, 4, 3, 1);
    }

    @Test
    void exactDuplicateIsANeighbourButTheQueryIsExcluded() {
        Random random = new Random(4);
        float[] v = new float[37];
        for (int t = 0; t < v.length; t++) {
            v[t] = (float) random.nextGaussian();
        }
        float[] near = v.clone();
        near[5] += 1e-3f;
        float[] far = new float[37];
        Arrays.fill(far, 3f);
        // items 1, 3 and 4 are identical; 0 is very close to them; 2 is far
        float[][] x = {near, v.clone(), far, v.clone(), v.clone()};
        int[][] nn = new NearestNeighbours(4).search(x);
        assertThat(nn[3]).containsExactly(1, 4, 0, 2);
        assertThat(nn[1]).containsExactly(3, 4, 0, 2);
        assertThat(nn[4]).containsExactly(1, 3, 0, 2);
        assertThat(nn[0]).containsExactly(1, 3, 4, 2);
    }

    @Test
    void singleRowHasNoNeighbours() {
        assertThat(new NearestNeighbours(3).search(new float[][] {{1f, 2f}})[0]).isEmpty();
    }

    @Test
    void rejectsInvalidInput() {
        assertThatThrownBy(() -> new NearestNeighbours(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NearestNeighbours(2).search(new float[][] {{1f, 2f}, {1f}}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NearestNeighbours(2).search(new float[][] {{1f, Float.NaN}, {1f, 0f}}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NearestNeighbours(2).search(new float[0][]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
