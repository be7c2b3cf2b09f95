package io.divastream.model.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps training class labels, in order of first appearance, to the contiguous indices 0..C-1 that
 * index the margin losses' beta vectors (DIVA_SPEC pitfall 18). Classes keep their index forever.
 */
public final class ClassIndex {

    private final int capacity;
    private final Map<String, Integer> indices = new HashMap<>();
    private final List<String> labels = new ArrayList<>();

    /**
     * Creates an empty index.
     *
     * @param capacity the largest number of classes (the length of the beta vectors)
     */
    public ClassIndex(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Returns the index of each label, assigning new indices to new labels.
     *
     * @param batchLabels the labels
     * @return their indices
     * @throws IllegalStateException if the number of classes would exceed the capacity
     */
    public int[] indicesOf(List<String> batchLabels) {
        int[] out = new int[batchLabels.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = indexOf(batchLabels.get(i));
        }
        return out;
    }

    private int indexOf(String label) {
        Integer index = indices.get(label);
        if (index != null) {
            return index;
        }
        if (labels.size() >= capacity) {
            throw new IllegalStateException(
                    "more than " + capacity + " training classes; raise the class capacity");
        }
        indices.put(label, labels.size());
        labels.add(label);
        return labels.size() - 1;
    }

    /**
     * Returns the number of classes seen.
     *
     * @return C
     */
    public int size() {
        return labels.size();
    }

    void save(DataOutputStream out) throws IOException {
        out.writeInt(labels.size());
        for (String label : labels) {
            out.writeUTF(label);
        }
    }

    void load(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > capacity) {
            throw new IOException("class index checkpoint has " + count + " classes");
        }
        indices.clear();
        labels.clear();
        for (int i = 0; i < count; i++) {
            indexOf(in.readUTF());
        }
    }
}
