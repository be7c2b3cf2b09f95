package io.divastream.producer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * A long-tailed catalogue: the classes get seeded ranks 1, 2, ..., and the class of rank r keeps the first
 * ceil(n * r^-s) of its (seeded-shuffled) images, n being the largest class's image count and s the Zipf
 * exponent, never more than it has and at least one; the kept images are published in a seeded uniform shuffle, so
 * each class's share of any stretch of the stream follows the same law: a few head classes throughout, most classes
 * seen rarely. The images beyond a class's size are not published.
 */
public final class LongTailOrder {

    private LongTailOrder() {}

    /**
     * Keeps a Zipf-sized part of every class and shuffles it.
     *
     * @param items the items
     * @param classOf gives an item's class
     * @param seed the seed of the ranks, the kept images and the shuffle
     * @param exponent the Zipf exponent s (0 keeps every image)
     * @param <T> the item type
     * @return a new list: a subset of the items, each at most once
     */
    public static <T> List<T> of(List<T> items, Function<? super T, String> classOf, long seed, double exponent) {
        Map<String, List<T>> byClass = InterleavedOrder.byClass(items, classOf);
        List<String> ranked = new ArrayList<>(byClass.keySet());
        Random random = new Random(seed);
        Collections.shuffle(ranked, random);
        int largest = byClass.values().stream().mapToInt(List::size).max().orElse(0);
        List<T> kept = new ArrayList<>();
        for (int r = 0; r < ranked.size(); r++) {
            List<T> members = byClass.get(ranked.get(r));
            Collections.shuffle(members, random);
            kept.addAll(members.subList(0, size(largest, r + 1, exponent, members.size())));
        }
        Collections.shuffle(kept, random);
        return kept;
    }

    /**
     * The number of images kept of the class of a rank.
     *
     * @param largest the largest class's image count
     * @param rank the class's rank, from 1
     * @param exponent the Zipf exponent
     * @param available the class's image count
     * @return ceil(largest * rank^-exponent), at least 1 and at most {@code available}
     */
    static int size(int largest, int rank, double exponent, int available) {
        int zipf = (int) Math.ceil(largest * Math.pow(rank, -exponent) - 1e-9);
        return Math.max(1, Math.min(available, zipf));
    }
}
