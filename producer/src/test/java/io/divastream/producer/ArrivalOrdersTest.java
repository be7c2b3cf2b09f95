package io.divastream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The growing-catalogue orders: class-incremental waves and long-tailed class sizes. */
class ArrivalOrdersTest {

    private static final Function<String, String> CLASS = s -> s.substring(0, s.indexOf('/'));

    /** 50 classes c00..c49 of 10 images each, listed class by class. */
    private static List<String> dataset() {
        List<String> items = new ArrayList<>();
        for (int c = 0; c < 50; c++) {
            for (int i = 0; i < 10; i++) {
                items.add(String.format("c%02d/%d", c, i));
            }
        }
        return items;
    }

    @Test
    void classIncrementalPublishesWholeWavesOneAfterTheOther() {
        List<String> items = dataset();
        List<String> ordered = PublicationOrder.CLASS_INCREMENTAL.order(items, CLASS, new OrderParameters(7, 20, 1));
        assertThat(ordered).containsExactlyInAnyOrderElementsOf(items);
        // waves of 20, 20 and 10 classes: each wave's 200 (100) images form one contiguous stretch
        Map<String, Integer> waves = ClassIncrementalOrder.waves(ordered, CLASS, 20);
        assertThat(waves).hasSize(50);
        for (int position = 0; position < ordered.size(); position++) {
            assertThat(waves.get(CLASS.apply(ordered.get(position))))
                    .as("wave of position %d", position)
                    .isEqualTo(position / 200);
        }
        // a class's images stop once its wave is over, and within a wave the classes are interleaved:
        // the first 20 positions of a wave cover its 20 classes
        Set<String> firstRound = new HashSet<>();
        ordered.subList(200, 220).forEach(s -> firstRound.add(CLASS.apply(s)));
        assertThat(firstRound).hasSize(20);
        // the waves are a seeded shuffle of the classes, not the dataset's class order
        assertThat(waves.keySet().stream().limit(20).sorted().toList())
                .isNotEqualTo(items.stream().map(CLASS).distinct().limit(20).toList());
        assertThat(PublicationOrder.CLASS_INCREMENTAL.order(items, CLASS, new OrderParameters(7, 20, 1)))
                .isEqualTo(ordered);
        assertThat(PublicationOrder.CLASS_INCREMENTAL.order(items, CLASS, new OrderParameters(8, 20, 1)))
                .isNotEqualTo(ordered);
    }

    @Test
    void longTailKeepsZipfSizedClassesInAShuffle() {
        List<String> items = dataset();
        List<String> kept = PublicationOrder.LONG_TAIL.order(items, CLASS, new OrderParameters(3, 20, 1.0));
        assertThat(new HashSet<>(kept)).hasSize(kept.size());
        assertThat(items).containsAll(kept);
        Map<String, Integer> sizes = new HashMap<>();
        kept.forEach(s -> sizes.merge(CLASS.apply(s), 1, Integer::sum));
        // every class keeps at least one image; sorted by size they are ceil(10 / r)
        assertThat(sizes).hasSize(50);
        List<Integer> bySize = sizes.values().stream().sorted((a, b) -> b - a).toList();
        for (int r = 1; r <= 50; r++) {
            assertThat(bySize.get(r - 1)).as("rank %d", r).isEqualTo((int) Math.ceil(10.0 / r));
        }
        // the head class is spread over the whole stream, not published in one stretch
        String head = sizes.entrySet().stream()
                .filter(e -> e.getValue() == 10)
                .findFirst()
                .orElseThrow()
                .getKey();
        int first = -1;
        int last = -1;
        for (int i = 0; i < kept.size(); i++) {
            if (CLASS.apply(kept.get(i)).equals(head)) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        assertThat(last - first).isGreaterThan(kept.size() / 2);
        // exponent 0 keeps everything
        assertThat(PublicationOrder.LONG_TAIL.order(items, CLASS, new OrderParameters(3, 20, 0)))
                .containsExactlyInAnyOrderElementsOf(items);
    }

    @Test
    void zipfSizesAgainstTheFormula() {
        assertThat(LongTailOrder.size(100, 1, 1.0, 100)).isEqualTo(100);
        assertThat(LongTailOrder.size(100, 3, 1.0, 100)).isEqualTo(34);
        assertThat(LongTailOrder.size(100, 10, 2.0, 100)).isEqualTo(1);
        assertThat(LongTailOrder.size(100, 1000, 2.0, 100)).isEqualTo(1);
        assertThat(LongTailOrder.size(100, 2, 1.0, 7)).isEqualTo(7);
    }

    @Test
    void theProducerTakesTheParametersAndRejectsBadOnes() {
        ProducerArguments parsed = ProducerArguments.parse(
                "--bootstrap-servers", "h:1", "--order", "long-tail", "--wave-size", "5", "--zipf-exponent", "1.5");
        assertThat(parsed.order()).isEqualTo(PublicationOrder.LONG_TAIL);
        assertThat(parsed.arrival()).isEqualTo(new OrderParameters(ProducerArguments.DEFAULT_SEED, 5, 1.5));
        assertThat(ProducerArguments.parse("--bootstrap-servers", "h:1").arrival())
                .isEqualTo(OrderParameters.of(ProducerArguments.DEFAULT_SEED));
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--wave-size", "0"))
                .hasMessage("--wave-size must be at least 1: 0");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--zipf-exponent", "-1"))
                .hasMessage("--zipf-exponent must be between 0 and 4.0: -1.0");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--zipf-exponent", "x"))
                .hasMessage("--zipf-exponent must be a number: x");
    }
}
