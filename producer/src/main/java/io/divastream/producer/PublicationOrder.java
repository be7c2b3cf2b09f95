package io.divastream.producer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The order in which the producer publishes a dataset's images ({@code --order}). */
public enum PublicationOrder {
    /** Every class from the start, in seeded rounds ({@link InterleavedOrder}): a catalogue whose classes are known. */
    INTERLEAVED("interleaved"),
    /**
     * Classes arrive in seeded waves of {@link OrderParameters#waveSize()} classes, each class's images close together
     * and then never again ({@link ClassIncrementalOrder}): a growing catalogue.
     */
    CLASS_INCREMENTAL("class-incremental"),
    /**
     * Class sizes follow a Zipf law of exponent {@link OrderParameters#zipfExponent()}, published in a seeded shuffle
     * ({@link LongTailOrder}): a few large classes and a long tail of small ones; publishes a subset.
     */
    LONG_TAIL("long-tail"),
    /**
     * One class after the other, in the dataset's class order, each class's images in a seeded shuffle: a growing
     * catalogue, where new classes keep arriving.
     */
    CLASS_BY_CLASS("class-by-class"),
    /** A seeded uniform shuffle of all images. */
    SHUFFLED("shuffled"),
    /** The dataset's own order. */
    AS_LISTED("as-listed");

    private final String id;

    PublicationOrder(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /**
     * Finds an order by name.
     *
     * @param text the name
     * @return the order
     * @throws IllegalArgumentException naming the choices if there is none of that name
     */
    public static PublicationOrder parse(String text) {
        String wanted = text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(o -> o.id.equals(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--order must be one of "
                        + Arrays.stream(values()).map(PublicationOrder::id).collect(Collectors.joining(", "))
                        + ", got '" + text + "'"));
    }

    /**
     * Orders items.
     *
     * @param items the items, in the dataset's order
     * @param classOf gives an item's class
     * @param parameters the seed, and the wave size or exponent of the orders that have one
     * @param <T> the item type
     * @return a new list with every item exactly once ({@link #LONG_TAIL}: a subset, each at most once)
     */
    public <T> List<T> order(List<T> items, Function<? super T, String> classOf, OrderParameters parameters) {
        Objects.requireNonNull(items, "items");
        long seed = parameters.seed();
        return switch (this) {
            case INTERLEAVED -> InterleavedOrder.of(items, classOf, seed);
            case CLASS_INCREMENTAL -> ClassIncrementalOrder.of(items, classOf, seed, parameters.waveSize());
            case LONG_TAIL -> LongTailOrder.of(items, classOf, seed, parameters.zipfExponent());
            case AS_LISTED -> new ArrayList<>(items);
            case SHUFFLED -> {
                List<T> shuffled = new ArrayList<>(items);
                Collections.shuffle(shuffled, new Random(seed));
                yield shuffled;
            }
            case CLASS_BY_CLASS -> {
                Map<String, List<T>> byClass = new LinkedHashMap<>();
                for (T item : items) {
                    byClass.computeIfAbsent(classOf.apply(item), k -> new ArrayList<>())
                            .add(item);
                }
                Random random = new Random(seed);
                List<T> ordered = new ArrayList<>(items.size());
                for (List<T> members : byClass.values()) {
                    Collections.shuffle(members, random);
                    ordered.addAll(members);
                }
                yield ordered;
            }
        };
    }
}
