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
        assertThat(pIsA / (double) triplets).isCloseTo(0.5, within(0.01));
        assertThat(nIsA / (double) triplets).isCloseTo(0.5, within(0.01));
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
}
