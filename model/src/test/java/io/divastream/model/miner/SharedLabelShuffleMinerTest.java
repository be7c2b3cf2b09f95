package io.divastream.model.miner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SharedLabelShuffleMinerTest {

    private static final int[] LABELS = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5};

    @Test
    void shuffleIsAPermutationOfTheLabelsAndLeavesTheInputAlone() {
        int[] labels = {7, 7, 7, 1, 1, 9, 2, 2, 2, 2};
        int[] sortedInput = labels.clone();
        Arrays.sort(sortedInput);
        SplittableRandom random = new SplittableRandom(5);
        boolean changed = false;
        for (int r = 0; r < 200; r++) {
            int[] before = labels.clone();
            int[] shuffled = SharedLabelShuffleMiner.shuffle(labels, random);
            assertThat(labels).isEqualTo(before);
            int[] sorted = shuffled.clone();
            Arrays.sort(sorted);
            assertThat(sorted).isEqualTo(sortedInput);
            changed |= !Arrays.equals(shuffled, labels);
        }
        assertThat(changed).isTrue();
    }

    @Test
    void shuffleIsUniformOverPositions() {
        // label 1 sits at position 0 only; after a uniform shuffle it lands at each position w.p. 1/n
        int n = 6;
        int[] labels = {1, 0, 0, 0, 0, 0};
        int[] counts = new int[n];
        SplittableRandom random = new SplittableRandom(6);
        int draws = 60_000;
        for (int r = 0; r < draws; r++) {
            int[] s = SharedLabelShuffleMiner.shuffle(labels, random);
            for (int i = 0; i < n; i++) {
                if (s[i] == 1) {
                    counts[i]++;
                }
            }
        }
        for (int c : counts) {
            assertThat(c / (double) draws).isCloseTo(1.0 / n, within(0.01));
        }
    }

    @Test
    void triplesAreDistanceWeightedTripletsOnThePseudoLabels() {
        float[][] e = DistanceWeightedMinerTest.randomUnit(new SplittableRandom(7), LABELS.length, 8);
        SharedLabelShuffleMiner miner = new SharedLabelShuffleMiner(0.5);
        int crossClassPairs = 0;
        int pairs = 0;
        for (int seed = 0; seed < 100; seed++) {
            Triplets t = miner.mine(e, LABELS, new SplittableRandom(seed));
            // the miner shuffles first with the same generator; replay that to see its pseudo-labels
            SplittableRandom replay = new SplittableRandom(seed);
            int[] pseudo = SharedLabelShuffleMiner.shuffle(LABELS, replay);
            Triplets expected = new DistanceWeightedMiner(0.5).mine(e, pseudo, replay);
            assertThat(t.anchors()).isEqualTo(expected.anchors());
            assertThat(t.positives()).isEqualTo(expected.positives());
            assertThat(t.negatives()).isEqualTo(expected.negatives());
            assertThat(t.size()).isEqualTo(LABELS.length); // pseudo-classes keep the class sizes (pairs)
            for (int i = 0; i < t.size(); i++) {
                int a = t.anchors()[i];
                int p = t.positives()[i];
                assertThat(p).isNotEqualTo(a);
                assertThat(pseudo[p]).isEqualTo(pseudo[a]);
                assertThat(pseudo[t.negatives()[i]]).isNotEqualTo(pseudo[a]);
                pairs++;
                crossClassPairs += LABELS[p] != LABELS[a] ? 1 : 0;
            }
        }
        // the point of the task: most pairs join different true classes (10 of 11 partners are foreign)
        assertThat(crossClassPairs / (double) pairs).isGreaterThan(0.8);
    }
}
