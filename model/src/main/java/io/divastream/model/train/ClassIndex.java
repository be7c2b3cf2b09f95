package io.divastream.model.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps training class labels to the indices 0..capacity-1 that index the margin losses' beta
 * vectors (DIVA_SPEC pitfall 18). New labels take the next free index, in order of first
 * appearance. Once every index is taken, a new label takes over the index of the class used least
 * recently (by step; ties to the lower index), so a stream whose classes keep changing runs
 * forever with bounded memory. A step first {@link #assign}s indices, which changes nothing, and
 * {@link #commit}s them once it succeeded; the caller resets what it keeps for a recycled index
 * (beta and its optimizer moments).
 */
public final class ClassIndex {

    private final int capacity;
    private final Map<String, Integer> indices = new HashMap<>();
    private final List<String> labels = new ArrayList<>();
    private final List<Long> lastUsed = new ArrayList<>();
    private long recycled;

    /**
     * Creates an empty index.
     *
     * @param capacity the largest number of classes held at once (the length of the beta vectors)
     */
    public ClassIndex(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("class capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * The indices a batch's labels get, not yet recorded.
     *
     * @param indices the index of each label
     * @param recycled the indices handed from their class to a new one, in order
     * @param newLabels the labels new to the index, with the index each takes
     * @param step the step that uses them
     */
    public record Assignment(int[] indices, List<Integer> recycled, Map<String, Integer> newLabels, long step) {}

    /**
     * Returns the index of each label and records the use at step 0; recycling is refused.
     *
     * @param batchLabels the labels
     * @return their indices
     * @throws IllegalStateException if the index is full and a new label arrives
     */
    public int[] indicesOf(List<String> batchLabels) {
        Assignment a = assign(batchLabels, 0);
        if (!a.recycled().isEmpty()) {
            throw new IllegalStateException("more than " + capacity + " training classes");
        }
        commit(a);
        return a.indices();
    }

    /**
     * Works out the index of each label for a step without changing the index: known labels keep
     * theirs; new labels take a free index or, when none is left, that of the least recently used
     * class not in this batch. {@link #commit} records the result.
     *
     * @param batchLabels the labels
     * @param step the training step using them (greater than any step recorded before)
     * @return the assignment
     * @throws IllegalStateException if a batch holds more distinct classes than the capacity
     */
    public Assignment assign(List<String> batchLabels, long step) {
        int[] out = new int[batchLabels.size()];
        Map<String, Integer> fresh = new java.util.LinkedHashMap<>();
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        for (String label : batchLabels) {
            Integer known = indices.get(label);
            if (known != null) {
                taken.add(known);
            }
        }
        List<Integer> recycled = new ArrayList<>();
        int next = labels.size();
        for (int i = 0; i < out.length; i++) {
            String label = batchLabels.get(i);
            Integer index = indices.get(label);
            if (index == null) {
                index = fresh.get(label);
            }
            if (index == null) {
                if (next < capacity) {
                    index = next++;
                } else {
                    index = leastRecentlyUsed(taken);
                    recycled.add(index);
                }
                taken.add(index);
                fresh.put(label, index);
            }
            out[i] = index;
        }
        return new Assignment(out, List.copyOf(recycled), java.util.Collections.unmodifiableMap(fresh), step);
    }

    private int leastRecentlyUsed(java.util.Set<Integer> taken) {
        int oldest = -1;
        for (int i = 0; i < labels.size(); i++) {
            if (!taken.contains(i) && (oldest < 0 || lastUsed.get(i) < lastUsed.get(oldest))) {
                oldest = i;
            }
        }
        if (oldest < 0) {
            throw new IllegalStateException(
                    "a batch holds more than " + capacity + " training classes; raise the class capacity");
        }
        return oldest;
    }

    /**
     * Records an assignment made by {@link #assign} on this index's current contents.
     *
     * @param assignment the assignment
     */
    public void commit(Assignment assignment) {
        for (Map.Entry<String, Integer> entry : assignment.newLabels().entrySet()) {
            int index = entry.getValue();
            if (index < labels.size()) {
                indices.remove(labels.get(index));
                labels.set(index, entry.getKey());
                lastUsed.set(index, assignment.step());
                recycled++;
            } else {
                labels.add(entry.getKey());
                lastUsed.add(assignment.step());
            }
            indices.put(entry.getKey(), index);
        }
        for (int index : assignment.indices()) {
            lastUsed.set(index, Math.max(lastUsed.get(index), assignment.step()));
        }
    }

    /**
     * Returns the number of classes held.
     *
     * @return C, at most the capacity
     */
    public int size() {
        return labels.size();
    }

    /**
     * Returns how many times an index was handed to a new class.
     *
     * @return the number of recycled indices since this index was created or restored
     */
    public long recycled() {
        return recycled;
    }

    void save(DataOutputStream out) throws IOException {
        out.writeInt(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            out.writeUTF(labels.get(i));
            out.writeLong(lastUsed.get(i));
        }
    }

    /**
     * Reads what {@link #save} wrote, or, with {@code withLastUse} false, the older layout of
     * labels only (whose classes then count as used at step 0, oldest first by index).
     */
    void load(DataInputStream in, boolean withLastUse) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > capacity) {
            throw new IOException("class index checkpoint has " + count + " classes, capacity " + capacity);
        }
        indices.clear();
        labels.clear();
        lastUsed.clear();
        recycled = 0;
        for (int i = 0; i < count; i++) {
            String label = in.readUTF();
            long used = withLastUse ? in.readLong() : 0;
            if (indices.put(label, i) != null) {
                throw new IOException("class index checkpoint repeats the label '" + label + "'");
            }
            labels.add(label);
            lastUsed.add(used);
        }
    }
}
