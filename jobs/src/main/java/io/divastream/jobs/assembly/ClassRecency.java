package io.divastream.jobs.assembly;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The classes of a batch-assembly subtask ordered by their last update: each class carries the
 * stamp of its latest image (a per-subtask arrival counter), and the least recently updated class
 * is the one with the smallest stamp, ties (possible only after a rescale merged two subtasks'
 * classes) broken by label. The order is a pure function of the (label, stamp) pairs, whatever the
 * order in which they are entered, so it is rebuilt exactly from the keyed state on restore.
 */
final class ClassRecency {

    /** One class and the stamp of its last update. */
    private record Stamp(long stamp, String label) {}

    private static final Comparator<Stamp> ORDER =
            Comparator.comparingLong(Stamp::stamp).thenComparing(Stamp::label);

    private final Map<String, Long> stamps = new HashMap<>();
    private final TreeSet<Stamp> order = new TreeSet<>(ORDER);

    /**
     * Records an update of a class, known or new.
     *
     * @param label the class label
     * @param stamp the stamp of the update
     */
    void touch(String label, long stamp) {
        Long previous = stamps.put(label, stamp);
        if (previous != null) {
            order.remove(new Stamp(previous, label));
        }
        order.add(new Stamp(stamp, label));
    }

    /**
     * Forgets a class.
     *
     * @param label the class label
     */
    void remove(String label) {
        Long previous = stamps.remove(label);
        if (previous != null) {
            order.remove(new Stamp(previous, label));
        }
    }

    /**
     * Returns whether a class is known.
     *
     * @param label the class label
     * @return true if it has been touched and not removed since
     */
    boolean contains(String label) {
        return stamps.containsKey(label);
    }

    /**
     * Returns the least recently updated class.
     *
     * @return its label
     * @throws IllegalStateException if no class is known
     */
    String eldest() {
        if (order.isEmpty()) {
            throw new IllegalStateException("no class to evict");
        }
        return order.first().label();
    }

    /**
     * Returns the number of known classes.
     *
     * @return the count
     */
    int size() {
        return stamps.size();
    }
}
