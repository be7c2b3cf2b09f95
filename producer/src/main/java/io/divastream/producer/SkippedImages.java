package io.divastream.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The images a producer did not send, counted by reason, with the first few named: a file it cannot
 * read, an event beyond the limits, a record Kafka refuses. The producer goes on with the next image and
 * reports these at the end. Thread-safe (Kafka's callbacks add to it).
 */
public final class SkippedImages {

    /** How many skipped images are named. */
    public static final int EXAMPLES = 10;

    private final Map<String, Long> byReason = new TreeMap<>();
    private final List<String> examples = new ArrayList<>();
    private long total;

    /**
     * Counts a skipped image.
     *
     * @param reason why, a short phrase shared by images skipped for the same cause
     * @param detail the image and the specifics
     */
    synchronized void add(String reason, String detail) {
        byReason.merge(reason, 1L, Long::sum);
        total++;
        if (examples.size() < EXAMPLES) {
            examples.add(detail);
        }
    }

    public synchronized long total() {
        return total;
    }

    /**
     * The counts by reason.
     *
     * @return reason to count, sorted by reason
     */
    public synchronized Map<String, Long> byReason() {
        return Map.copyOf(byReason);
    }

    /**
     * The first skipped images.
     *
     * @return at most {@value #EXAMPLES} one-line descriptions
     */
    public synchronized List<String> examples() {
        return List.copyOf(examples);
    }

    /**
     * A report for the end of a run.
     *
     * @return lines: the total and the counts by reason, then the first images
     */
    public synchronized List<String> report() {
        List<String> lines = new ArrayList<>();
        if (total == 0) {
            return lines;
        }
        StringBuilder counts = new StringBuilder("skipped " + total + " image" + (total == 1 ? "" : "s") + ":");
        byReason.forEach((reason, n) ->
                counts.append(" ").append(n).append(" ").append(reason).append(";"));
        counts.setLength(counts.length() - 1);
        lines.add(counts.toString());
        for (String example : examples) {
            lines.add("  skipped " + example);
        }
        if (total > examples.size()) {
            lines.add("  ... and " + (total - examples.size()) + " more");
        }
        return lines;
    }
}
