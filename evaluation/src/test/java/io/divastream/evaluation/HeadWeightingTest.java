package io.divastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeadWeightingTest {

    @Test
    void presetsAreThoseOfTheOriginalCode() {
        assertThat(HeadWeighting.CUB_CARS_PRESETS)
                .extracting(HeadWeighting::name)
                .containsExactly("0.75-1.25-1.25-1.25", "0.5-1-1-1", "0.5-1.5-1.5-1.5");
        assertThat(HeadWeighting.SOP_PRESETS)
                .extracting(HeadWeighting::name)
                .containsExactly("1-1-1-1", "0.5-1-1-1", "1-0.5-0.5-0.5", "1.5-1-1-1");
        assertThat(HeadWeighting.CUB_CARS_PRESETS.get(0).weights()).containsExactly(0.75, 1.25, 1.25, 1.25);
        assertThat(HeadWeighting.SOP_PRESETS.get(2).weights()).containsExactly(1, 0.5, 0.5, 0.5);
        assertThat(HeadWeighting.equal(4)).isEqualTo(HeadWeighting.of(1, 1, 1, 1));
        assertThat(HeadWeighting.equal(4).name()).isEqualTo("1-1-1-1");
    }

    @Test
    void sharesOfTheDiscriminativeHeadAreThoseOfTheSpec() {
        // DIVA_SPEC 1.5: 0.25/3.25 = 7.7 %, 3.6 %, 10.7 %, 25 %
        assertThat(HeadWeighting.of(0.5, 1, 1, 1).share(0)).isCloseTo(0.25 / 3.25, within(1e-15));
        assertThat(HeadWeighting.of(0.5, 1, 1, 1).share(0)).isCloseTo(0.077, within(5e-4));
        assertThat(HeadWeighting.of(0.5, 1.5, 1.5, 1.5).share(0)).isCloseTo(0.036, within(5e-4));
        assertThat(HeadWeighting.of(0.75, 1.25, 1.25, 1.25).share(0)).isCloseTo(0.107, within(5e-4));
        assertThat(HeadWeighting.of(1, 1, 1, 1).share(0)).isEqualTo(0.25);
    }

    @Test
    void parsesCommaSeparatedWeights() {
        assertThat(HeadWeighting.parse("0.5,1,1,1")).isEqualTo(HeadWeighting.of(0.5, 1, 1, 1));
        assertThat(HeadWeighting.parse(" 0.75 , 1.25,1.25 ,1.25").name()).isEqualTo("0.75-1.25-1.25-1.25");
        assertThatThrownBy(() -> HeadWeighting.parse("0.5,x,1,1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'0.5,x,1,1'")
                .hasMessageContaining("entry 2");
        assertThatThrownBy(() -> HeadWeighting.parse("0,0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("all weights are zero");
        assertThatThrownBy(() -> HeadWeighting.parse("1,-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> HeadWeighting.parse("1,,1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void weightsAreCopiedInAndOut() {
        double[] w = {1, 2};
        HeadWeighting h = new HeadWeighting("mine", w);
        w[0] = 9;
        assertThat(h.weights()).containsExactly(1, 2);
        h.weights()[1] = 9;
        assertThat(h.weights()).containsExactly(1, 2);
    }

    @Test
    void tenPointOneCombinedCosineIsTheSquaredWeightAverageOfHeadCosinesForEveryPreset() {
        // DIVA_SPEC 10.1 with four 128-d unit heads
        int n = 12;
        float[][][] heads = new float[4][][];
        for (int h = 0; h < 4; h++) {
            heads[h] = NaiveRetrieval.randomEmbeddings(60 + h, n, 128, true);
        }
        List<HeadWeighting> all = new ArrayList<>(HeadWeighting.CUB_CARS_PRESETS);
        all.addAll(HeadWeighting.SOP_PRESETS);
        for (HeadWeighting weighting : all) {
            float[][] combined = weighting.combine(heads);
            double[] w = weighting.weights();
            for (int i = 0; i < n; i++) {
                assertThat(dot(combined[i], combined[i])).isCloseTo(1, within(1e-6));
                for (int j = 0; j < n; j++) {
                    double numerator = 0;
                    double denominator = 0;
                    for (int h = 0; h < 4; h++) {
                        numerator += w[h] * w[h] * dot(heads[h][i], heads[h][j]);
                        denominator += w[h] * w[h];
                    }
                    assertThat(dot(combined[i], combined[j]))
                            .as("%s (%d, %d)", weighting, i, j)
                            .isCloseTo(numerator / denominator, within(1e-6));
                }
            }
        }
        assertThatThrownBy(() -> HeadWeighting.of(1, 1).combine(heads))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 weights but 4 heads");
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int t = 0; t < a.length; t++) {
            s += (double) a[t] * b[t];
        }
        return s;
    }
}
