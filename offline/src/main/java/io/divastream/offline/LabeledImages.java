package io.divastream.offline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decoded images (of any in-memory form: glyph pixels, RGB photos) with their class labels, in a canonical
 * order (by label, then by image id), so
 * that a run depends only on the images and the seed, never on the order a reader listed them in.
 *
 * @param ids the image ids, one per image
 * @param labels the class label of each image
 * @param images the decoded images
 * @param <T> the in-memory image type
 */
public record LabeledImages<T>(List<String> ids, List<String> labels, List<T> images) {

    /** Validates the lengths and sorts. */
    public LabeledImages {
        if (ids.size() != labels.size() || labels.size() != images.size()) {
            throw new IllegalArgumentException(
                    ids.size() + " ids, " + labels.size() + " labels and " + images.size() + " images");
        }
        Integer[] order = new Integer[ids.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        List<String> l = labels;
        List<String> d = ids;
        Arrays.sort(order, Comparator.comparing((Integer i) -> l.get(i)).thenComparing(i -> d.get(i)));
        List<String> sortedIds = new ArrayList<>(order.length);
        List<String> sortedLabels = new ArrayList<>(order.length);
        List<T> sortedImages = new ArrayList<>(order.length);
        for (int i : order) {
            sortedIds.add(ids.get(i));
            sortedLabels.add(labels.get(i));
            sortedImages.add(images.get(i));
        }
        for (int i = 1; i < sortedIds.size(); i++) {
            if (sortedIds.get(i).equals(sortedIds.get(i - 1))
                    && sortedLabels.get(i).equals(sortedLabels.get(i - 1))) {
                throw new IllegalArgumentException("duplicate image id " + sortedIds.get(i));
            }
        }
        ids = List.copyOf(sortedIds);
        labels = List.copyOf(sortedLabels);
        images = List.copyOf(sortedImages);
    }

    /**
     * Returns the number of images.
     *
     * @return the size
     */
    public int size() {
        return ids.size();
    }

    /**
     * Groups the image indices by class, classes in label order.
     *
     * @return label to the indices of its images
     */
    public Map<String, List<Integer>> byClass() {
        Map<String, List<Integer>> out = new TreeMap<>();
        for (int i = 0; i < labels.size(); i++) {
            out.computeIfAbsent(labels.get(i), k -> new ArrayList<>()).add(i);
        }
        return out;
    }

    /**
     * Returns the labels as contiguous integers 0..C-1 in label order.
     *
     * @return one class index per image
     */
    public int[] classIndices() {
        return classIndices(labels);
    }

    /**
     * Numbers labels by their classes in label order.
     *
     * @param labels the labels, one per image
     * @return each image's class index, in the labels' order
     */
    static int[] classIndices(List<String> labels) {
        Map<String, Integer> index = new TreeMap<>();
        for (String label : labels) {
            index.putIfAbsent(label, 0);
        }
        int next = 0;
        for (Map.Entry<String, Integer> e : index.entrySet()) {
            e.setValue(next++);
        }
        return labels.stream().mapToInt(index::get).toArray();
    }
}
