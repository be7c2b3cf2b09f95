package io.divastream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The producer's publication orders: each a permutation of the dataset with its own shape. */
class PublicationOrderTest {

    /** Items "class/n" of classes c, a, b (in that dataset order), of 3, 4 and 2 items. */
    private static final List<String> ITEMS = List.of("c/0", "c/1", "a/0", "c/2", "a/1", "b/0", "a/2", "a/3", "b/1");

    private static final Function<String, String> CLASS = s -> s.substring(0, s.indexOf('/'));

    private static final OrderParameters P5 = OrderParameters.of(5);

    @Test
    void everyOrderIsAPermutationAndDeterministicForItsSeed() {
        for (PublicationOrder order : PublicationOrder.values()) {
            if (order == PublicationOrder.LONG_TAIL) {
                continue;
            }
            List<String> ordered = order.order(ITEMS, CLASS, P5);
            assertThat(ordered).as(order.id()).containsExactlyInAnyOrderElementsOf(ITEMS);
            assertThat(order.order(ITEMS, CLASS, P5)).isEqualTo(ordered);
            assertThat(PublicationOrder.parse(order.id())).isEqualTo(order);
        }
        assertThat(PublicationOrder.AS_LISTED.order(ITEMS, CLASS, P5)).isEqualTo(ITEMS);
        assertThat(PublicationOrder.INTERLEAVED.order(ITEMS, CLASS, P5))
                .isEqualTo(InterleavedOrder.of(ITEMS, CLASS, 5));
    }

    @Test
    void classByClassPublishesEachClassWholeInTheDatasetsClassOrder() {
        List<String> ordered = PublicationOrder.CLASS_BY_CLASS.order(ITEMS, CLASS, P5);
        List<String> runs = new ArrayList<>();
        for (String item : ordered) {
            String c = CLASS.apply(item);
            if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(c)) {
                runs.add(c);
            }
        }
        assertThat(runs).containsExactly("c", "a", "b");
        // the images within a class are shuffled by the seed: some seed moves them
        boolean moved = false;
        for (long seed = 0; seed < 20 && !moved; seed++) {
            moved = !PublicationOrder.CLASS_BY_CLASS
                    .order(ITEMS, CLASS, OrderParameters.of(seed))
                    .subList(3, 7)
                    .equals(List.of("a/0", "a/1", "a/2", "a/3"));
        }
        assertThat(moved).isTrue();
    }

    @Test
    void interleavedShowsEveryClassEarlyAndClassByClassDoesNot() {
        assertThat(new LinkedHashSet<>(
                        PublicationOrder.INTERLEAVED.order(ITEMS, CLASS, OrderParameters.of(1)).subList(0, 3).stream()
                                .map(CLASS)
                                .toList()))
                .hasSize(3);
        assertThat(new LinkedHashSet<>(
                        PublicationOrder.CLASS_BY_CLASS
                                .order(ITEMS, CLASS, OrderParameters.of(1))
                                .subList(0, 3)
                                .stream()
                                .map(CLASS)
                                .toList()))
                .containsExactly("c");
    }

    @Test
    void anUnknownOrderNamesTheChoices() {
        assertThatThrownBy(() -> PublicationOrder.parse("random"))
                .hasMessage(
                        "--order must be one of interleaved, class-incremental, long-tail, class-by-class, shuffled, as-listed, got 'random'");
        assertThat(ProducerArguments.parse("--bootstrap-servers", "h:1", "--order", "class-by-class")
                        .order())
                .isEqualTo(PublicationOrder.CLASS_BY_CLASS);
        assertThat(ProducerArguments.parse("--bootstrap-servers", "h:1").order())
                .isEqualTo(PublicationOrder.INTERLEAVED);
    }
}
