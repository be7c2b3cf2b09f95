package io.divastream.jobs.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The recency order of classes against a linear scan for the smallest (stamp, label). */
class ClassRecencyTest {

    /** The least recently updated class by a scan of every class's stamp. */
    private static String naiveEldest(Map<String, Long> stamps) {
        return stamps.entrySet().stream()
                .min(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue)
                        .thenComparing(Map.Entry::getKey))
                .orElseThrow()
                .getKey();
    }

    @Test
    void theEldestIsTheSmallestStampThroughTouchesAndRemovals() {
        Random random = new Random(5);
        ClassRecency recency = new ClassRecency();
        Map<String, Long> model = new HashMap<>();
        for (long stamp = 0; stamp < 5_000; stamp++) {
            String label = "c" + random.nextInt(40);
            if (random.nextInt(5) == 0) {
                recency.remove(label);
                model.remove(label);
            } else {
                recency.touch(label, stamp);
                model.put(label, stamp);
            }
            assertThat(recency.size()).isEqualTo(model.size());
            assertThat(recency.contains(label)).isEqualTo(model.containsKey(label));
            if (!model.isEmpty()) {
                assertThat(recency.eldest()).isEqualTo(naiveEldest(model));
            }
        }
    }

    @Test
    void theOrderDoesNotDependOnTheOrderOfRestoringAndTiesGoByLabel() {
        // equal stamps happen after a rescale merged two subtasks' classes
        Map<String, Long> restored = Map.of("b", 3L, "a", 3L, "z", 1L, "m", 7L, "c", 3L);
        List<String> labels = new ArrayList<>(restored.keySet());
        for (int shuffle = 0; shuffle < 10; shuffle++) {
            Collections.shuffle(labels, new Random(shuffle));
            ClassRecency recency = new ClassRecency();
            labels.forEach(l -> recency.touch(l, restored.get(l)));
            List<String> evictionOrder = new ArrayList<>();
            while (recency.size() > 0) {
                String eldest = recency.eldest();
                evictionOrder.add(eldest);
                recency.remove(eldest);
            }
            assertThat(evictionOrder).containsExactly("z", "a", "b", "c", "m");
        }
    }

    @Test
    void anEmptyOrderHasNoEldest() {
        ClassRecency recency = new ClassRecency();
        recency.remove("unknown");
        assertThat(recency.size()).isZero();
        assertThatThrownBy(recency::eldest).isInstanceOf(IllegalStateException.class);
    }
}
