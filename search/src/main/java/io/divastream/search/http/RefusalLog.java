package io.divastream.search.http;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * Refusals by cause: the first refusal of each cause is logged at WARN, every one is counted. A cause is a
 * short key chosen by the caller (a kind of upload refusal, or an artefact in a given state), so a client
 * repeating a bad request, or a follower retrying a bad artefact, cannot fill the log. Thread-safe.
 */
final class RefusalLog {

    private final Logger log;
    private final ConcurrentMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    RefusalLog(Logger log) {
        this.log = log;
    }

    /**
     * Counts a refusal, and logs it if it is the first of its cause.
     *
     * @param cause the cause's key
     * @param message the one-line message to log the first time
     * @return true if it was the first of its cause
     */
    boolean refuse(String cause, String message) {
        boolean[] first = {false};
        counts.computeIfAbsent(cause, c -> {
                    first[0] = true;
                    return new LongAdder();
                })
                .increment();
        if (first[0]) {
            log.warn("{} (logged once; more of this kind are only counted)", message);
        }
        return first[0];
    }

    /**
     * Returns the counts.
     *
     * @return refusals per cause, by cause
     */
    Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((cause, n) -> out.put(cause, n.sum()));
        return out;
    }
}
