package io.divastream.model.miner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChiSquareTest {

    @Test
    void upperTailMatchesPublishedQuantiles() {
        // chi-square table: (degrees of freedom, x, P(X > x))
        double[][] table = {
            {1, 3.841, 0.05},
            {2, 13.816, 0.001},
            {5, 11.070, 0.05},
            {5, 20.515, 0.001},
            {10, 18.307, 0.05},
            {10, 29.588, 0.001},
            {30, 43.773, 0.05},
            {30, 59.703, 0.001}
        };
        for (double[] row : table) {
            double p = ChiSquare.upperTail(row[1], (int) row[0]);
            assertThat(p).as("v = %s, x = %s", row[0], row[1]).isCloseTo(row[2], within(0.25 * row[2]));
        }
        assertThat(ChiSquare.erfc(0)).isCloseTo(1, within(1e-7));
        assertThat(ChiSquare.erfc(1)).isCloseTo(0.157299207, within(2e-7));
    }

    @Test
    void acceptsTheTrueDistributionAndRejectsAWrongOne() {
        double[] p = {0.5, 0.3, 0.15, 0.04, 0.01, 0};
        SplittableRandom random = new SplittableRandom(1);
        long[] counts = new long[p.length];
        for (int r = 0; r < 20_000; r++) {
            double u = random.nextDouble();
            int i = 0;
            double c = p[0];
            while (u >= c) {
                c += p[++i];
            }
            counts[i]++;
        }
        assertThat(ChiSquare.test(counts, p).pValue()).isGreaterThan(0.001);
        assertThat(ChiSquare.test(counts, new double[] {0.45, 0.35, 0.15, 0.04, 0.01, 0})
                        .pValue())
                .isLessThan(1e-6);
        long[] impossible = counts.clone();
        impossible[5] = 1;
        assertThat(ChiSquare.test(impossible, p).pValue()).isZero();
    }
}
