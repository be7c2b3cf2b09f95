package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClassIndexTest {

    /** Assigns and commits, as a successful training step does. */
    private static int[] use(ClassIndex index, List<String> labels, long step, List<Integer> recycled) {
        ClassIndex.Assignment a = index.assign(labels, step);
        index.commit(a);
        recycled.addAll(a.recycled());
        return a.indices();
    }

    @Test
    void anUncommittedAssignmentChangesNothing() {
        ClassIndex index = new ClassIndex(2);
        use(index, List.of("a", "b"), 1, new ArrayList<>());
        ClassIndex.Assignment dropped = index.assign(List.of("c"), 2);
        assertThat(dropped.indices()).containsExactly(0);
        assertThat(dropped.recycled()).containsExactly(0);
        // not committed: a is still known and b, not a, is now the oldest after a's use at step 3
        assertThat(use(index, List.of("a"), 3, new ArrayList<>())).containsExactly(0);
        List<Integer> recycled = new ArrayList<>();
        assertThat(use(index, List.of("c"), 4, recycled)).containsExactly(1);
        assertThat(recycled).containsExactly(1);
        assertThat(index.recycled()).isEqualTo(1);
    }

    @Test
    void newClassesTakeFreeIndicesThenTheLeastRecentlyUsedOne() {
        ClassIndex index = new ClassIndex(3);
        List<Integer> recycled = new ArrayList<>();
        assertThat(use(index, List.of("a", "b", "a"), 1, recycled)).containsExactly(0, 1, 0);
        assertThat(use(index, List.of("c"), 2, recycled)).containsExactly(2);
        assertThat(use(index, List.of("a"), 3, recycled)).containsExactly(0);
        assertThat(recycled).isEmpty();
        // b (step 1) is older than c (step 2) and a (step 3)
        assertThat(use(index, List.of("d", "c"), 4, recycled)).containsExactly(1, 2);
        assertThat(recycled).containsExactly(1);
        assertThat(index.size()).isEqualTo(3);
        assertThat(index.recycled()).isEqualTo(1);
        // b is gone: it comes back as a new class, taking a's index (step 3 < 4)
        assertThat(use(index, List.of("b"), 5, recycled)).containsExactly(0);
        assertThat(recycled).containsExactly(1, 0);
    }

    @Test
    void aClassOfTheCurrentBatchIsNeverRecycled() {
        ClassIndex index = new ClassIndex(2);
        assertThatThrownBy(() -> use(index, List.of("a", "b", "c"), 1, new ArrayList<>()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more than 2 training classes");
    }

    @Test
    void matchesANaiveLeastRecentlyUsedTableOnARandomStream() {
        int capacity = 7;
        ClassIndex index = new ClassIndex(capacity);
        Map<String, Integer> slotOf = new HashMap<>();
        String[] owner = new String[capacity];
        long[] used = new long[capacity];
        int filled = 0;
        SplittableRandom random = new SplittableRandom(3);
        for (long step = 1; step <= 400; step++) {
            List<String> batch = new ArrayList<>();
            while (batch.size() < 3) {
                String label = "c" + random.nextInt(20);
                if (!batch.contains(label)) {
                    batch.add(label);
                }
            }
            int[] expected = new int[batch.size()];
            java.util.Set<Integer> inBatch = new java.util.HashSet<>();
            for (String label : batch) {
                if (slotOf.containsKey(label)) {
                    inBatch.add(slotOf.get(label));
                }
            }
            for (int i = 0; i < batch.size(); i++) {
                String label = batch.get(i);
                Integer slot = slotOf.get(label);
                if (slot == null) {
                    if (filled < capacity) {
                        slot = filled++;
                    } else {
                        slot = -1;
                        for (int s = 0; s < capacity; s++) {
                            if (!inBatch.contains(s) && used[s] < step && (slot < 0 || used[s] < used[slot])) {
                                slot = s;
                            }
                        }
                        slotOf.remove(owner[slot]);
                    }
                    inBatch.add(slot);
                    slotOf.put(label, slot);
                    owner[slot] = label;
                }
                used[slot] = step;
                expected[i] = slot;
            }
            assertThat(use(index, batch, step, new ArrayList<>()))
                    .as("step %d", step)
                    .containsExactly(expected);
        }
    }

    @Test
    void saveAndLoadKeepTheRecyclingOrder() throws IOException {
        ClassIndex index = new ClassIndex(3);
        use(index, List.of("a"), 1, new ArrayList<>());
        use(index, List.of("b"), 5, new ArrayList<>());
        use(index, List.of("c"), 3, new ArrayList<>());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        index.save(new DataOutputStream(bytes));
        ClassIndex restored = new ClassIndex(3);
        restored.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), true);
        List<Integer> recycled = new ArrayList<>();
        assertThat(use(restored, List.of("b", "d", "e"), 6, recycled)).containsExactly(1, 0, 2);
        assertThat(recycled).containsExactly(0, 2);
    }

    @Test
    void theLayoutWithoutLastUseLoadsWithEveryClassEquallyOld() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(2);
        out.writeUTF("x");
        out.writeUTF("y");
        ClassIndex index = new ClassIndex(2);
        index.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), false);
        assertThat(use(index, List.of("y"), 1, new ArrayList<>())).containsExactly(1);
        List<Integer> recycled = new ArrayList<>();
        assertThat(use(index, List.of("z"), 2, recycled)).containsExactly(0);
        assertThat(recycled).containsExactly(0);
    }
}
