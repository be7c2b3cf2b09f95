package io.divastream.model.miner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IntraClassMinerTest {

    @Test
    void exactlyBTripletsEachWithinOneClass() {
        int[] labels = {4, 4, 9, 9, 9, 2, 2, 7};
        float[][] e = DistanceWeightedMinerTest.randomUnit(new SplittableRandom(1), labels.length, 4);
        for (int seed = 0; seed < 100; seed++) {
            Triplets t = new IntraClassMiner().mine(e, labels, new SplittableRandom(seed));
            assertThat(t.size()).isEqualTo(labels.length);
            for (int i = 0; i < t.size(); i++) {
                int c = labels[t.anchors()[i]];
                assertThat(labels[t.positives()[i]]).isEqualTo(c);
                assertThat(labels[t.negatives()[i]]).isEqualTo(c);
            }
        }
    }

    @Test
    void drawsWithReplacementSoDegenerateTripletsOccurAsOftenAsExpected() {
        // two images per class: p = a and n = a each happen with probability 1/2
        int[] labels = {0, 0, 1, 1, 2, 2, 3, 3};
        float[][] e = DistanceWeightedMinerTest.randomUnit(new SplittableRandom(2), labels.length, 4);
        SplittableRandom random = new SplittableRandom(3);
        int triplets = 0;
        int pIsA = 0;
        int nIsA = 0;
        for (int r = 0; r < 5000; r++) {
            Triplets t = new IntraClassMiner().mine(e, labels, random);
            for (int i = 0; i < t.size(); i++) {
                triplets++;
                pIsA += t.positives()[i] == t.anchors()[i] ? 1 : 0;
                nIsA += t.negatives()[i] == t.anchors()[i] ? 1 : 0;
            }
        }
        // each triplet is an independent Bernoulli(1/2) for p = a (and for n = a): binomial bound of
        // 4.5 standard deviations, P(miss) < 1e-5
        double bound = 4.5 * Math.sqrt(0.25 / triplets);
        assertThat(pIsA / (double) triplets).isCloseTo(0.5, within(bound));
        assertThat(nIsA / (double) triplets).isCloseTo(0.5, within(bound));
    }

    @Test
    void classesArePickedUniformlyNotInProportionToTheirSize() {
        // class 0 has 6 samples, class 1 has 2: a uniform class choice gives 1/2 each (per-sample: 3/4)
        int[] labels = {0, 0, 0, 0, 0, 0, 1, 1};
        float[][] e = DistanceWeightedMinerTest.randomUnit(new SplittableRandom(4), labels.length, 4);
        SplittableRandom random = new SplittableRandom(5);
        int triplets = 0;
        int classZero = 0;
        for (int r = 0; r < 5000; r++) {
            Triplets t = new IntraClassMiner().mine(e, labels, random);
            for (int a : t.anchors()) {
                triplets++;
                classZero += labels[a] == 0 ? 1 : 0;
            }
        }
        assertThat(classZero / (double) triplets).isCloseTo(0.5, within(0.01));
    }

    @Test
    void excludingDegeneratesRedrawsAmongTheOtherClassMatesAndKeepsBTriplets() {
        // class 9 has three samples: given the anchor, p and n are uniform over the other two
        int[] labels = {4, 4, 9, 9, 9, 2, 2, 7};
        float[][] e = DistanceWeightedMinerTest.randomUnit(new SplittableRandom(6), labels.length, 4);
        IntraClassMiner miner = new IntraClassMiner(true);
        assertThat(miner.excludeDegenerate()).isTrue();
        assertThat(new IntraClassMiner().excludeDegenerate()).isFalse();
        SplittableRandom random = new SplittableRandom(7);
        long[] classCounts = new long[10];
        long[] positivesOfTwo = new long[labels.length];
        int rounds = 5000;
        for (int r = 0; r < rounds; r++) {
            Triplets t = miner.mine(e, labels, random);
            assertThat(t.size()).isEqualTo(labels.length);
            for (int i = 0; i < t.size(); i++) {
                int a = t.anchors()[i];
                assertThat(t.positives()[i]).isNotEqualTo(a);
                assertThat(t.negatives()[i]).isNotEqualTo(a);
                assertThat(labels[t.positives()[i]]).isEqualTo(labels[a]);
                assertThat(labels[t.negatives()[i]]).isEqualTo(labels[a]);
                assertThat(labels[a])
                        .as("the singleton class 7 is never picked")
                        .isNotEqualTo(7);
                classCounts[labels[a]]++;
                if (a == 2) {
                    positivesOfTwo[t.positives()[i]]++;
                }
            }
        }
        // classes uniform among the three with two or more samples
        double[] classP = new double[10];
        classP[2] = classP[4] = classP[9] = 1 / 3.0;
        assertThat(ChiSquare.test(classCounts, classP).pValue()).isGreaterThan(0.001);
        double[] positiveP = new double[labels.length];
        positiveP[3] = positiveP[4] = 0.5;
        assertThat(ChiSquare.test(positivesOfTwo, positiveP).pValue()).isGreaterThan(0.001);
    }

    @Test
    void excludingDegeneratesWithOnlySingletonsGivesNoTriplets() {
        float[][] e = DistanceWeightedMinerTest.randomUnit(new SplittableRandom(8), 3, 4);
        assertThat(new IntraClassMiner(true)
                        .mine(e, new int[] {1, 2, 3}, new SplittableRandom(9))
                        .size())
                .isZero();
        // the original keeps them: all three elements are the singleton itself
        Triplets t = new IntraClassMiner().mine(e, new int[] {1, 2, 3}, new SplittableRandom(9));
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.positives()).isEqualTo(t.anchors());
        assertThat(t.negatives()).isEqualTo(t.anchors());
    }
}
