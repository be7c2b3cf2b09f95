package io.divastream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RatePacerTest {

    /** A fake clock that advances only when the pacer sleeps (or the test says so). */
    private long now = 1_000;

    private final List<Long> sleeps = new ArrayList<>();

    private RatePacer pacer(double rate) {
        return new RatePacer(rate, () -> now, nanos -> {
            sleeps.add(nanos);
            now += nanos;
        });
    }

    @Test
    void schedulesEventsAtFixedIntervalsFromTheFirst() throws Exception {
        RatePacer pacer = pacer(100); // 10 ms per event
        for (int i = 0; i < 5; i++) {
            pacer.awaitNext();
        }
        assertThat(sleeps).containsExactly(10_000_000L, 10_000_000L, 10_000_000L, 10_000_000L);
        assertThat(now).isEqualTo(1_000 + 40_000_000L);
    }

    @Test
    void sendingTimeCountsTowardsTheInterval() throws Exception {
        RatePacer pacer = pacer(100);
        pacer.awaitNext();
        now += 4_000_000; // the send took 4 ms
        pacer.awaitNext();
        assertThat(sleeps).containsExactly(6_000_000L);
    }

    @Test
    void doesNotSleepWhenBehindSchedule() throws Exception {
        RatePacer pacer = pacer(100);
        pacer.awaitNext();
        now += 35_000_000; // stalled 35 ms: events 1..3 are overdue
        pacer.awaitNext();
        pacer.awaitNext();
        pacer.awaitNext();
        assertThat(sleeps).isEmpty();
        pacer.awaitNext(); // event 4 due at 40 ms
        assertThat(sleeps).containsExactly(5_000_000L);
    }

    @Test
    void zeroOrNegativeRateIsUnthrottled() throws Exception {
        for (double rate : new double[] {0, -5}) {
            RatePacer pacer = pacer(rate);
            for (int i = 0; i < 100; i++) {
                pacer.awaitNext();
            }
        }
        assertThat(sleeps).isEmpty();
    }

    @Test
    void rejectsNonFiniteRates() {
        assertThatThrownBy(() -> pacer(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pacer(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    }
}
