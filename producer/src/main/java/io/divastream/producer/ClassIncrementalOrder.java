package io.divastream.producer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * A growing catalogue: the classes, in a seeded shuffle, arrive in waves of a fixed number of classes; within a
 * wave the images of its classes are interleaved ({@link InterleavedOrder}), so a class's images arrive close
 * together and then stop for good. The result depends only on the seed, the wave size, the class names and the
 * order of the items within each class.
 */
public final class ClassIncrementalOrder {

    private ClassIncrementalOrder() {}

    /**
     * Orders items in waves of classes.
     *
     * @param items the items
     * @param classOf gives an item's class
     * @param seed the seed of the class shuffle and of each wave's interleaving
     * @param waveSize classes per wave
     * @param <T> the item type
     * @return a new list with every item exactly once
     */
    public static <T> List<T> of(List<T> items, Function<? super T, String> classOf, long seed, int waveSize) {
        if (waveSize < 1) {
            throw new IllegalArgumentException("wave size must be at least 1: " + waveSize);
        }
        Map<String, List<T>> byClass = InterleavedOrder.byClass(items, classOf);
        List<String> classes = new ArrayList<>(byClass.keySet());
        Random random = new Random(seed);
        Collections.shuffle(classes, random);
        List<T> ordered = new ArrayList<>(items.size());
        for (int start = 0; start < classes.size(); start += waveSize) {
            List<T> wave = new ArrayList<>();
            for (String label : classes.subList(start, Math.min(classes.size(), start + waveSize))) {
                wave.addAll(byClass.get(label));
            }
            ordered.addAll(InterleavedOrder.of(wave, classOf, random.nextLong()));
        }
        return ordered;
    }

    /**
     * The wave of each class in the order {@link #of} gives (for reports and tests).
     *
     * @param ordered items as {@link #of} ordered them
     * @param classOf gives an item's class
     * @param waveSize classes per wave
     * @param <T> the item type
     * @return each class's wave, 0 for the first, by order of first appearance
     */
    public static <T> Map<String, Integer> waves(List<T> ordered, Function<? super T, String> classOf, int waveSize) {
        Map<String, Integer> waves = new java.util.LinkedHashMap<>();
        for (T item : ordered) {
            waves.computeIfAbsent(classOf.apply(item), k -> waves.size() / waveSize);
        }
        return waves;
    }
}
