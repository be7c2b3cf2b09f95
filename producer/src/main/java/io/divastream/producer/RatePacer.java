package io.divastream.producer;

import java.util.function.LongSupplier;

/**
 * Paces events to a target rate by a schedule: event {@code i} (counting from 0) is due at {@code
 * start + i / rate}, where {@code start} is the time of the first call. A caller that falls behind
 * is not slowed further; it catches up without sleeping. A rate of 0 or less means unthrottled.
 */
final class RatePacer {

    /** Sleeps for a number of nanoseconds. */
    @FunctionalInterface
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final double nanosPerEvent;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private long start;
    private long count;

    RatePacer(double eventsPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        if (Double.isNaN(eventsPerSecond) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException("rate must be a finite number: " + eventsPerSecond);
        }
        this.nanosPerEvent = eventsPerSecond > 0 ? 1e9 / eventsPerSecond : 0;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    static RatePacer systemClock(double eventsPerSecond) {
        return new RatePacer(
                eventsPerSecond, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
    }

    /** Blocks until the next event is due. */
    void awaitNext() throws InterruptedException {
        if (nanosPerEvent == 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (count == 0) {
            start = now;
        }
        long due = start + (long) (count * nanosPerEvent);
        count++;
        long wait = due - now;
        if (wait > 0) {
            sleeper.sleepNanos(wait);
        }
    }
}
