package io.divastream.evaluation;

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
    void blockSizeDoesNotChangeTheResultAndMatchesFullSorts() {
        // n = 103 is not a multiple of the 7-row blocks; 1-row blocks; one block for everything
        float[][] x = NaiveRetrieval.randomEmbeddings(5, 103, 19, true);
        long bytesPerRow = 4L * (x.length + 19 + 1);
        int[][] single = new NearestNeighbours(12, false, bytesPerRow).search(x);
        int[][] seven = new NearestNeighbours(12, true, 7 * bytesPerRow + 3).search(x);
        int[][] whole = new NearestNeighbours(12).search(x);
        assertThat(new NearestNeighbours(12, false, bytesPerRow).blockRows(x.length, 19))
                .isEqualTo(1);
        assertThat(new NearestNeighbours(12, false, 7 * bytesPerRow + 3).blockRows(x.length, 19))
                .isEqualTo(7);
        assertThat(new NearestNeighbours(12).blockRows(x.length, 19)).isGreaterThan(x.length);
        assertThat(new NearestNeighbours(12).blockRows(60502, 512)).isEqualTo(274);
        for (int q = 0; q < x.length; q++) {
            int[] expected = Arrays.copyOf(NaiveRetrieval.ranking(x, q), 12);
            assertThat(single[q]).as("row %d, 1-row blocks", q).containsExactly(expected);
            assertThat(seven[q]).as("row %d, 7-row blocks", q).containsExactly(expected);
            assertThat(whole[q]).as("row %d, one block", q).containsExactly(expected);
        }
    }

    @Test
    void exactTiesAreBrokenBySmallerIndexWhateverTheBlockSize() {
        // coordinates in {-1, 0, 1}: integer distances, so ties are exact and many, also across the
        // candidate boundary (which forces the search to widen its candidate list)
        float[][] x = NaiveRetrieval.tiedEmbeddings(6, 150, 4);
        for (long rows : new long[] {1, 5, 150}) {
            for (int m : new int[] {1, 3, 20}) {
                int[][] nn = new NearestNeighbours(m, true, rows * 4L * (x.length + 5)).search(x);
                for (int q = 0; q < x.length; q++) {
                    assertThat(nn[q])
                            .as("row %d, m %d, block %d", q, m, rows)
                            .containsExactly(Arrays.copyOf(NaiveRetrieval.ranking(x, q), m));
                }
            }
        }
    }

    @Test
    void manyDuplicatesAcrossTheCandidateBoundaryReturnTheLowestIndices() {
        // 60 identical gallery rows around 40 others: every query ties 60 ways; m = 5 asks for 5 of them
        float[][] gallery = NaiveRetrieval.randomEmbeddings(7, 100, 6, false);
        float[] copy = gallery[99].clone();
        for (int i = 40; i < 100; i++) {
            gallery[i] = copy.clone();
        }
        float[][] queries = {copy.clone(), NaiveRetrieval.randomEmbeddings(8, 1, 6, false)[0]};
        int[][] nn = new NearestNeighbours(5, false, 4L * (gallery.length + 7)).search(queries, gallery);
        assertThat(nn[0]).containsExactly(40, 41, 42, 43, 44);
        assertThat(nn[1]).containsExactly(Arrays.copyOf(NaiveRetrieval.ranking(queries[1], gallery), 5));
    }

    @Test
    void ranksByTheExactKeyBelowFloat32Resolution() {
        // the two gallery rows differ by 2^-24 in their squared distance to q, below float32 resolution at 1
        float[] q = {1f, 0x1p-12f};
        float[][] gallery = {{1f, 0f}, {1f, 0x1p-12f}};
        assertThat(new NearestNeighbours(2).search(new float[][] {q}, gallery)[0])
                .containsExactly(1, 0);
    }

    @Test
    void queryGalleryModeMatchesFullSortsAndExcludesNothing() {
        float[][] gallery = NaiveRetrieval.randomEmbeddings(9, 91, 13, true);
        float[][] queries = NaiveRetrieval.randomEmbeddings(10, 37, 13, true);
        queries[3] = gallery[17].clone(); // a query that is also a gallery row is its own nearest neighbour
        for (long rows : new long[] {1, 6, 1000}) {
            int[][] nn = new NearestNeighbours(15, true, rows * 4L * (gallery.length + 14)).search(queries, gallery);
            for (int q = 0; q < queries.length; q++) {
                assertThat(nn[q])
                        .as("query %d, block %d", q, rows)
                        .containsExactly(Arrays.copyOf(NaiveRetrieval.ranking(queries[q], gallery), 15));
            }
            assertThat(nn[3][0]).isEqualTo(17);
        }
        assertThat(new NearestNeighbours(500).search(queries, gallery)[0]).hasSize(91);
        assertThatThrownBy(() -> new NearestNeighbours(2).search(queries, new float[][] {{1f, 2f}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dimension");
    }

    @Test
    void errorBoundCoversTheFloat32ScoresOfRandomData() {
        // the bound is a worst case; check it is not below the error actually seen on unit vectors
        float[][] x = NaiveRetrieval.randomEmbeddings(11, 50, 512, true);
        double bound = NearestNeighbours.errorBound(512, 1.0, 1.0);
        assertThat(bound).isBetween(1e-5, 1e-3);
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x.length; j++) {
                float dot = 0f;
                double exact = 0.0;
                for (int t = 0; t < 512; t++) {
                    dot += x[i][t] * x[j][t];
                    exact += (double) x[i][t] * x[j][t];
                }
                assertThat(Math.abs(2.0 * dot - 2.0 * exact)).isLessThanOrEqualTo(bound);
            }
        }
    }

    @Test
    void singleRowHasNoNeighbours() {
        assertThat(new NearestNeighbours(3).search(new float[][] {{1f, 2f}})[0]).isEmpty();
    }

    @Test
    void rejectsInvalidInput() {
        assertThatThrownBy(() -> new NearestNeighbours(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NearestNeighbours(1, true, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NearestNeighbours(2).search(new float[][] {{1f, 2f}, {1f}}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NearestNeighbours(2).search(new float[][] {{1f, Float.NaN}, {1f, 0f}}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NearestNeighbours(2).search(new float[0][]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
