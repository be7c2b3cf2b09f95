package io.divastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EmbeddingCombinerTest {

    private static final int N = 25;

    private static float[][][] heads() {
        return new float[][][] {
            NaiveRetrieval.randomEmbeddings(40, N, 8, true),
            NaiveRetrieval.randomEmbeddings(41, N, 16, true),
            NaiveRetrieval.randomEmbeddings(42, N, 4, true)
        };
    }

    @Test
    void combinedCosineIsTheSquaredWeightAverageOfHeadCosines() {
        float[][][] heads = heads();
        double[] w = {1.0, 0.5, 2.0};
        float[][] combined = EmbeddingCombiner.combine(heads, w);
        assertThat(combined[0]).hasSize(28);
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                double numerator = 0.0;
                double denominator = 0.0;
                for (int h = 0; h < heads.length; h++) {
                    numerator += w[h] * w[h] * dot(heads[h][i], heads[h][j]);
                    denominator += w[h] * w[h];
                }
                assertThat(dot(combined[i], combined[j])).isCloseTo(numerator / denominator, within(1e-6));
            }
        }
    }

    @Test
    void rowsAreUnitLengthAndLayoutIsWeightedConcatenation() {
        float[][][] heads = heads();
        double[] w = {3.0, 0.0, 1.0};
        float[][] combined = EmbeddingCombiner.combine(heads, w);
        double scale = 1.0 / Math.sqrt(9.0 + 1.0);
        for (int i = 0; i < N; i++) {
            assertThat(dot(combined[i], combined[i])).isCloseTo(1.0, within(1e-6));
            for (int t = 0; t < 8; t++) {
                assertThat(combined[i][t]).isCloseTo((float) (3.0 * heads[0][i][t] * scale), within(1e-6f));
            }
            for (int t = 8; t < 24; t++) {
                assertThat(combined[i][t]).isZero();
            }
            for (int t = 0; t < 4; t++) {
                assertThat(combined[i][24 + t]).isCloseTo((float) (heads[2][i][t] * scale), within(1e-6f));
            }
        }
    }

    @Test
    void unitRowsScalesEachRowToUnitLengthAndLeavesZeroAlone() {
        float[][] rows = {{3f, -4f}, {0f, 0f}, {1e-20f, 0f}};
        float[][] unit = EmbeddingCombiner.unitRows(rows);
        assertThat(unit[0]).containsExactly(new float[] {0.6f, -0.8f}, within(1e-7f));
        assertThat(unit[1]).containsExactly(0f, 0f);
        assertThat(unit[2]).containsExactly(new float[] {1f, 0f}, within(1e-7f));
        assertThat(rows[0]).as("the input is left as it is").containsExactly(3f, -4f);
    }

    @Test
    void rejectsInvalidInput() {
        float[][][] heads = heads();
        assertThatThrownBy(() -> EmbeddingCombiner.combine(heads, new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddingCombiner.combine(heads, new double[] {0, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddingCombiner.combine(heads, new double[] {1, Double.NaN, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        float[][][] ragged = {heads[0], new float[N - 1][4]};
        assertThatThrownBy(() -> EmbeddingCombiner.combine(ragged, new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0.0;
        for (int t = 0; t < a.length; t++) {
            s += (double) a[t] * b[t];
        }
        return s;
    }
}
