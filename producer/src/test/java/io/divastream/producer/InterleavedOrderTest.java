package io.divastream.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InterleavedOrderTest {

    /** Items "class:index" with uneven class sizes: a=5, b=3, c=1, d=4. */
    private static final List<String> ITEMS = items(Map.of("a", 5, "b", 3, "c", 1, "d", 4));

    private static final Function<String, String> CLASS = s -> s.substring(0, s.indexOf(':'));

    @Test
    void emitsEveryItemExactlyOnce() {
        List<String> ordered = InterleavedOrder.of(ITEMS, CLASS, 7);
        assertThat(ordered).hasSameSizeAs(ITEMS).containsExactlyInAnyOrderElementsOf(ITEMS);
    }

    @Test
    void emitsInRoundsOfOneItemPerRemainingClass() {
        List<String> ordered = InterleavedOrder.of(ITEMS, CLASS, 7);
        assertThat(classes(ordered.subList(0, 4))).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(classes(ordered.subList(4, 7))).containsExactlyInAnyOrder("a", "b", "d");
        assertThat(classes(ordered.subList(7, 10))).containsExactlyInAnyOrder("a", "b", "d");
        assertThat(classes(ordered.subList(10, 12))).containsExactlyInAnyOrder("a", "d");
        assertThat(classes(ordered.subList(12, 13))).containsExactly("a");
    }

    @Test
    void omniglotFirstRoundCoversEveryLabelOnce() {
        List<LabeledImage> images = OmniglotDataset.loadEmbedded();
        List<LabeledImage> ordered = InterleavedOrder.of(images, 42);
        assertThat(ordered).hasSize(images.size());
        assertThat(ordered.stream().map(LabeledImage::imageId).collect(Collectors.toSet()))
                .hasSize(images.size());
        Set<String> firstRound = new HashSet<>();
        ordered.subList(0, 242).forEach(i -> firstRound.add(i.label()));
        assertThat(firstRound).hasSize(242);
    }

    @Test
    void isDeterministicPerSeedAndDiffersAcrossSeeds() {
        assertThat(InterleavedOrder.of(ITEMS, CLASS, 1)).isEqualTo(InterleavedOrder.of(ITEMS, CLASS, 1));
        assertThat(InterleavedOrder.of(ITEMS, CLASS, 1)).isNotEqualTo(InterleavedOrder.of(ITEMS, CLASS, 2));
        // Only the order within each class matters, not how the classes are mixed in the input.
        List<String> classMajor = new ArrayList<>(ITEMS);
        classMajor.sort(java.util.Comparator.comparing(CLASS).reversed());
        assertThat(InterleavedOrder.of(classMajor, CLASS, 3)).isEqualTo(InterleavedOrder.of(ITEMS, CLASS, 3));
    }

    @Test
    void shufflesWithinClasses() {
        Set<List<String>> orders = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            List<String> aOrder = InterleavedOrder.of(ITEMS, CLASS, seed).stream()
                    .filter(s -> s.startsWith("a:"))
                    .toList();
            orders.add(aOrder);
        }
        assertThat(orders).hasSizeGreaterThan(5);
    }

    @Test
    void emptyInputGivesEmptyOrder() {
        assertThat(InterleavedOrder.of(List.<String>of(), CLASS, 1)).isEmpty();
    }

    private static List<String> items(Map<String, Integer> sizes) {
        List<String> items = new ArrayList<>();
        new java.util.TreeMap<>(sizes).forEach((c, n) -> {
            for (int i = 0; i < n; i++) {
                items.add(c + ":" + i);
            }
        });
        return items;
    }

    private static List<String> classes(List<String> items) {
        return items.stream().map(CLASS).toList();
    }
}
