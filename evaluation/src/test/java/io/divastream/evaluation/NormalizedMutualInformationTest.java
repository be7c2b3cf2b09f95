package io.divastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NormalizedMutualInformationTest {

    @Test
    void handComputedTwoByTwoExample() {
        // U = {0,1},{2,3}; V = {0,1,2},{3}. H(U) = ln 2, H(V) = -(3/4 ln 3/4 + 1/4 ln 1/4);
        // cells (U0,V0)=2, (U1,V0)=1, (U1,V1)=1:
        // MI = 2/4 ln(4*2/(2*3)) + 1/4 ln(4*1/(2*3)) + 1/4 ln(4*1/(2*1))
        double hu = Math.log(2);
        double hv = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
        double mi = 0.5 * Math.log(4.0 / 3.0) + 0.25 * Math.log(2.0 / 3.0) + 0.25 * Math.log(2.0);
        double nmi = NormalizedMutualInformation.compute(new int[] {0, 0, 1, 1}, new int[] {0, 0, 0, 1});
        assertThat(nmi).isCloseTo(mi / ((hu + hv) / 2), within(1e-14));
        assertThat(nmi).isCloseTo(0.343711, within(1e-6));
    }

    @Test
    void handComputedTwoByThreeExample() {
        // U = 000111, V = 001122: cells 2,1,1,2 of 6; MI = 2 * (2/6) ln 2 (the 1-cells contribute ln 1 = 0)
        // NMI = (2/3) ln 2 / ((ln 2 + ln 3) / 2) = (4/3) ln 2 / ln 6 = 0.515804...
        double nmi = NormalizedMutualInformation.compute(new int[] {0, 0, 0, 1, 1, 1}, new int[] {0, 0, 1, 1, 2, 2});
        assertThat(nmi).isCloseTo(4.0 / 3.0 * Math.log(2) / Math.log(6), within(1e-14));
        assertThat(nmi).isCloseTo(0.515804, within(1e-6));
    }

    @Test
    void identicalLabelingsScoreOneAndIndependentOnesZero() {
        int[] labels = NaiveRetrieval.randomLabels(11, 500, 37);
        assertThat(NormalizedMutualInformation.compute(labels, labels.clone())).isCloseTo(1.0, within(1e-12));
        assertThat(NormalizedMutualInformation.compute(new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1}))
                .isCloseTo(0.0, within(1e-15));
    }

    @Test
    void invariantToRenamingClustersAndSymmetric() {
        int[] u = NaiveRetrieval.randomLabels(12, 300, 9);
        int[] v = NaiveRetrieval.randomLabels(13, 300, 14);
        for (int i = 0; i < 150; i++) {
            v[i] = u[i]; // correlate the two labelings
        }
        int[] renamed = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            renamed[i] = 1000 - 37 * v[i];
        }
        double nmi = NormalizedMutualInformation.compute(u, v);
        assertThat(nmi).isBetween(0.1, 0.9);
        assertThat(NormalizedMutualInformation.compute(u, renamed)).isCloseTo(nmi, within(1e-13));
        assertThat(NormalizedMutualInformation.compute(v, u)).isCloseTo(nmi, within(1e-13));
    }

    @Test
    void singleClusterLimitCases() {
        assertThat(NormalizedMutualInformation.compute(new int[] {5, 5, 5}, new int[] {2, 2, 2}))
                .isEqualTo(1.0);
        assertThat(NormalizedMutualInformation.compute(new int[] {5, 5, 5}, new int[] {1, 2, 3}))
                .isEqualTo(0.0);
        assertThat(NormalizedMutualInformation.compute(new int[] {1, 2, 2}, new int[] {4, 4, 4}))
                .isEqualTo(0.0);
        assertThat(NormalizedMutualInformation.compute(new int[] {1, 2, 3}, new int[] {7, 8, 9}))
                .isCloseTo(1.0, within(1e-15));
    }

    @Test
    void matchesNaiveImplementationOnRandomLabelings() {
        Random random = new Random(14);
        for (int trial = 0; trial < 20; trial++) {
            int n = 20 + random.nextInt(200);
            int[] u = new int[n];
            int[] v = new int[n];
            int ku = 2 + random.nextInt(10);
            int kv = 2 + random.nextInt(10);
            for (int i = 0; i < n; i++) {
                u[i] = random.nextInt(ku);
                v[i] = random.nextBoolean() ? u[i] : random.nextInt(kv);
            }
            assertThat(NormalizedMutualInformation.compute(u, v))
                    .as("trial %d", trial)
                    .isCloseTo(NaiveRetrieval.nmi(u, v), within(1e-12));
        }
    }

    @Test
    void rejectsMismatchedOrEmptyInput() {
        assertThatThrownBy(() -> NormalizedMutualInformation.compute(new int[] {1}, new int[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NormalizedMutualInformation.compute(new int[0], new int[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
