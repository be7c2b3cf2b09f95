package io.divastream.model.miner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SharedCrossClassMinerTest {

    // two images per class, five classes; 4-d embeddings keep the weights spread out enough to sample
    private static final int[] LABELS = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4};
    private static final int K = 4;

    /** Inverse-density weights over the allowed samples, written out from DIVA_SPEC 2.1. */
    private static double[] naiveWeighted(double[] d, boolean[] allowed, int k) {
        double[] w = new double[d.length];
        double sum = 0;
        for (int j = 0; j < d.length; j++) {
            if (allowed[j]) {
                double x = Math.max(0.5, d[j]);
                w[j] = Math.exp((2 - k) * Math.log(x) - (k - 3) / 2.0 * Math.log(1 - x * x / 4));
                sum += w[j];
            }
        }
        for (int j = 0; j < d.length; j++) {
            w[j] /= sum;
        }
        return w;
    }

    /** P(n, p) for anchor a: P(n) by distance weighting, then P(p | class of n), flattened n * B + p. */
    private static double[] naiveJoint(double[] d, int[] labels, int a, boolean weightedPositives) {
        int b = labels.length;
        boolean[] negatives = new boolean[b];
        for (int j = 0; j < b; j++) {
            negatives[j] = labels[j] != labels[a];
        }
        double[] pn = naiveWeighted(d, negatives, K);
        double[] joint = new double[b * b];
        for (int n = 0; n < b; n++) {
            if (pn[n] == 0) {
                continue;
            }
            boolean[] positives = new boolean[b];
            int count = 0;
            for (int j = 0; j < b; j++) {
                positives[j] = labels[j] != labels[a] && labels[j] != labels[n];
                count += positives[j] ? 1 : 0;
            }
            double[] pp = weightedPositives ? naiveWeighted(d, positives, K) : new double[b];
            for (int p = 0; p < b; p++) {
                double conditional = weightedPositives ? pp[p] : (positives[p] ? 1.0 / count : 0);
                joint[n * b + p] = pn[n] * conditional;
            }
        }
        return joint;
    }

    private static void classesArePairwiseDifferentAndDrawsFollowTheSpec(boolean full, long seed) {
        SharedCrossClassMiner miner = full ? SharedCrossClassMiner.full(0.5) : SharedCrossClassMiner.standard(0.5);
        assertThat(miner.weightedPositives()).isEqualTo(full);
        float[][] e = DistanceWeightedMinerTest.randomUnit(new SplittableRandom(seed), LABELS.length, K);
        double[][] d = DistanceWeightedMiner.distances(e);
        int b = LABELS.length;
        long[][] counts = new long[b][b * b];
        SplittableRandom random = new SplittableRandom(seed + 1);
        int draws = 20_000;
        for (int r = 0; r < draws; r++) {
            Triplets t = miner.mine(e, LABELS, random);
            assertThat(t.anchors()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9); // five classes: never skipped
            for (int i = 0; i < t.size(); i++) {
                int a = t.anchors()[i];
                int p = t.positives()[i];
                int n = t.negatives()[i];
                assertThat(LABELS[a]).isNotEqualTo(LABELS[p]).isNotEqualTo(LABELS[n]);
                assertThat(LABELS[p]).isNotEqualTo(LABELS[n]);
                counts[a][n * b + p]++;
            }
        }
        for (int a = 0; a < b; a++) {
            double[] expected = naiveJoint(d[a], LABELS, a, full);
            assertThat(Arrays.stream(expected).sum()).isCloseTo(1, within(1e-12));
            ChiSquare.Result fit = ChiSquare.test(counts[a], expected);
            assertThat(fit.pValue()).as("anchor %d: %s", a, fit).isGreaterThan(0.001);
            // power: the other variant's distribution is rejected
            ChiSquare.Result other = ChiSquare.test(counts[a], naiveJoint(d[a], LABELS, a, !full));
            assertThat(other.pValue())
                    .as("anchor %d against the other variant: %s", a, other)
                    .isLessThan(0.001);
        }
    }

    @Test
    void standardDrawsADistanceWeightedNegativeThenAUniformPositiveOfAThirdClass() {
        classesArePairwiseDifferentAndDrawsFollowTheSpec(false, 10);
    }

    @Test
    void fullDrawsADistanceWeightedNegativeThenADistanceWeightedPositiveOfAThirdClass() {
        classesArePairwiseDifferentAndDrawsFollowTheSpec(true, 20);
    }

    @Test
    void positiveProbabilitiesMatchTheNaiveWeightsAtTheRealDimension() {
        int[] labels = {0, 0, 1, 1, 2, 2, 3, 3};
        float[][] e = DistanceWeightedMinerTest.randomUnit(new SplittableRandom(30), labels.length, 128);
        double[][] d = DistanceWeightedMiner.distances(e);
        boolean[] allowed = new boolean[labels.length];
        for (int j = 0; j < labels.length; j++) {
            allowed[j] = labels[j] == 2 || labels[j] == 3;
        }
        assertThat(SharedCrossClassMiner.full(0.5).positiveProbabilities(d[0], labels, 0, 1, 128))
                .containsExactly(naiveWeighted(d[0], allowed, 128), within(1e-9));
        assertThat(SharedCrossClassMiner.standard(0.5).positiveProbabilities(d[0], labels, 0, 1, 128))
                .containsExactly(0, 0, 0, 0, 0.25, 0.25, 0.25, 0.25);
    }

    @Test
    void anchorsWithoutAThirdClassAreSkipped() {
        float[][] e = DistanceWeightedMinerTest.randomUnit(new SplittableRandom(40), 6, K);
        for (SharedCrossClassMiner miner :
                new SharedCrossClassMiner[] {SharedCrossClassMiner.standard(0.5), SharedCrossClassMiner.full(0.5)}) {
            // two classes: a negative exists, a positive never does
            assertThat(miner.mine(e, new int[] {0, 0, 0, 1, 1, 1}, new SplittableRandom(1))
                            .size())
                    .isZero();
            // one class: not even a negative
            assertThat(miner.mine(e, new int[] {5, 5, 5, 5, 5, 5}, new SplittableRandom(1))
                            .size())
                    .isZero();
            // three classes: every anchor finds one; with {0,0,0,0,1,2} anchors 4 and 5 also do
            Triplets t = miner.mine(e, new int[] {0, 0, 0, 0, 1, 2}, new SplittableRandom(2));
            assertThat(t.anchors()).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(miner.positiveProbabilities(new double[] {0, 1, 1}, new int[] {0, 1, 2}, 0, 1, K))
                    .containsExactly(0, 0, 1);
            assertThat(miner.positiveProbabilities(new double[] {0, 1, 1}, new int[] {0, 1, 1}, 0, 1, K))
                    .isNull();
        }
    }

    @Test
    void sharedMiningParsesItsIdsAndBuildsTheMatchingMiner() {
        assertThat(SharedMining.parse("random")).isEqualTo(SharedMining.RANDOM);
        assertThat(SharedMining.parse(" Standard ")).isEqualTo(SharedMining.STANDARD);
        assertThat(SharedMining.parse("FULL")).isEqualTo(SharedMining.FULL);
        for (SharedMining mining : SharedMining.values()) {
            assertThat(SharedMining.parse(mining.id())).isEqualTo(mining);
        }
        assertThatThrownBy(() -> SharedMining.parse("hard"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'hard'")
                .hasMessageContaining("random, standard, full");
        assertThatThrownBy(() -> SharedMining.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SharedMining.RANDOM.miner(0.5)).isInstanceOf(SharedLabelShuffleMiner.class);
        assertThat(SharedMining.STANDARD.miner(0.5))
                .isInstanceOfSatisfying(
                        SharedCrossClassMiner.class,
                        m -> assertThat(m.weightedPositives()).isFalse());
        assertThat(SharedMining.FULL.miner(0.5))
                .isInstanceOfSatisfying(
                        SharedCrossClassMiner.class,
                        m -> assertThat(m.weightedPositives()).isTrue());
        // the factory passes the cutoff through: same draws as a directly built miner
        float[][] e = DistanceWeightedMinerTest.randomUnit(new SplittableRandom(50), LABELS.length, K);
        Triplets viaEnum = SharedMining.FULL.miner(0.7).mine(e, LABELS, new SplittableRandom(3));
        Triplets direct = new SharedCrossClassMiner(0.7, true, true).mine(e, LABELS, new SplittableRandom(3));
        assertThat(viaEnum.positives()).isEqualTo(direct.positives());
        assertThat(viaEnum.negatives()).isEqualTo(direct.negatives());
    }
}
