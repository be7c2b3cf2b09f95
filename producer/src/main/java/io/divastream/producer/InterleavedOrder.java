package io.divastream.producer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A deterministic "shuffled, class-interleaved" order: the items of each class are shuffled, then
 * emitted in rounds; each round takes the next item of every class that still has one, with the
 * classes in a freshly shuffled order per round. Early prefixes of the stream thus cover all
 * classes evenly, which is what an online learner needs to see.
 *
 * <p>The result depends only on the seed, the class names and the order of the items within each
 * class of the input.
 */
public final class InterleavedOrder {

    private InterleavedOrder() {}

    /**
     * Orders labelled images by their label.
     *
     * @param images the images
     * @param seed the shuffle seed
     * @return a new list with every image exactly once
     */
    public static List<LabeledImage> of(List<LabeledImage> images, long seed) {
        return of(images, LabeledImage::label, seed);
    }

    /**
     * Orders items by class.
     *
     * @param items the items
     * @param classOf gives an item's class
     * @param seed the shuffle seed
     * @param <T> the item type
     * @return a new list with every item exactly once
     */
    public static <T> List<T> of(List<T> items, Function<? super T, String> classOf, long seed) {
        Random random = new Random(seed);
        Map<String, List<T>> byClass = byClass(items, classOf);
        List<Deque<T>> queues = new ArrayList<>();
        for (List<T> members : byClass.values()) {
            Collections.shuffle(members, random);
            queues.add(new ArrayDeque<>(members));
        }
        List<T> ordered = new ArrayList<>(items.size());
        while (!queues.isEmpty()) {
            Collections.shuffle(queues, random);
            for (Deque<T> queue : queues) {
                ordered.add(queue.removeFirst());
            }
            queues.removeIf(Deque::isEmpty);
        }
        return ordered;
    }

    /**
     * Groups items by class.
     *
     * @param items the items
     * @param classOf gives an item's class (not null)
     * @param <T> the item type
     * @return new lists of each class's items in input order, by class name
     */
    static <T> Map<String, List<T>> byClass(List<T> items, Function<? super T, String> classOf) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(classOf, "classOf");
        Map<String, List<T>> byClass = new TreeMap<>();
        for (T item : items) {
            String label = Objects.requireNonNull(classOf.apply(item), "class of " + item);
            byClass.computeIfAbsent(label, k -> new ArrayList<>()).add(item);
        }
        return byClass;
    }
}
