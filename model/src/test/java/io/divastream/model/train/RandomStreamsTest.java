package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.model.train.RandomStreams.Purpose;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomStreamsTest {

    private static long[] first(SplittableRandom random, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextLong();
        }
        return out;
    }

    @Test
    void theSameSiteGivesTheSameStream() {
        assertThat(first(RandomStreams.of(7, Purpose.VIEWS, 12, 0), 20))
                .isEqualTo(first(RandomStreams.of(7, Purpose.VIEWS, 12, 0), 20));
    }

    @Test
    void everyArgumentChangesTheStream() {
        Set<Long> hashes = new HashSet<>();
        for (long seed : new long[] {0, 1, -1, 7}) {
            for (Purpose purpose : Purpose.values()) {
                for (long step = 0; step < 50; step++) {
                    for (long index = 0; index < 4; index++) {
                        hashes.add(RandomStreams.hash(seed, purpose, step, index));
                    }
                }
            }
        }
        assertThat(hashes).hasSize(4 * Purpose.values().length * 50 * 4);
    }

    @Test
    void consecutiveStepsStartAtUnrelatedPoints() {
        // SplittableRandom(s) and SplittableRandom(s + gamma) are the same sequence shifted by one; the
        // hash must not map consecutive steps to such neighbours: no stream's first value appears
        // among the first values of the other steps' streams
        Set<Long> firstValues = new HashSet<>();
        Set<Long> secondValues = new HashSet<>();
        for (long step = 1; step <= 10_000; step++) {
            SplittableRandom r = RandomStreams.of(0, Purpose.MINING, step, 0);
            firstValues.add(r.nextLong());
            secondValues.add(r.nextLong());
        }
        secondValues.retainAll(firstValues);
        assertThat(secondValues).isEmpty();
        assertThat(firstValues).hasSize(10_000);
    }

    @Test
    void theFirstDrawOverStepsIsUniform() {
        // chi-square goodness of fit of the first nextDouble of 20,000 consecutive steps in 20 bins:
        // 19 degrees of freedom, 0.999 quantile 43.82
        int bins = 20;
        int n = 20_000;
        int[] counts = new int[bins];
        for (long step = 1; step <= n; step++) {
            counts[(int) (RandomStreams.of(7, Purpose.VIEWS, step, 0).nextDouble() * bins)]++;
        }
        double expected = (double) n / bins;
        double chi2 = 0;
        for (int c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        assertThat(chi2).isLessThan(43.82);
    }
}
