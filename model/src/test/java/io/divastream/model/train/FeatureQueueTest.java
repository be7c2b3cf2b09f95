package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.divastream.model.DjlRuntime;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FeatureQueueTest {

    @BeforeEach
    void noRecordingOutsideCollectors() {
        DjlRuntime.disableGradientRecording();
    }

    /** Rows (r, -r, r / 2) for r = first .. first + count - 1. */
    private static NDArray rows(NDManager m, int first, int count) {
        float[] v = new float[count * 3];
        for (int i = 0; i < count; i++) {
            v[3 * i] = first + i;
            v[3 * i + 1] = -(first + i);
            v[3 * i + 2] = (first + i) / 2f;
        }
        return m.create(v, new Shape(count, 3));
    }

    private static float[] expectedRows(int first, int count) {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            return rows(m, first, count).toFloatArray();
        }
    }

    @Test
    void keepsTheNewestKeysInFifoOrder() {
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                FeatureQueue queue = new FeatureQueue(m, 7, 3)) {
            assertThat(queue.size()).isZero();
            assertThat(queue.capacity()).isEqualTo(7);
            assertThat(queue.keys().getShape()).isEqualTo(new Shape(0, 3));
            int next = 0;
            int[] expectedSizes = {3, 6, 7, 7, 7};
            for (int expectedSize : expectedSizes) {
                try (NDManager step = m.newSubManager()) {
                    queue.enqueue(rows(step, next, 3));
                }
                next += 3;
                assertThat(queue.size()).isEqualTo(expectedSize);
                int first = next - expectedSize;
                assertThat(queue.keys().getShape()).isEqualTo(new Shape(expectedSize, 3));
                assertThat(queue.keys().toFloatArray())
                        .as("oldest first")
                        .containsExactly(expectedRows(first, expectedSize));
            }
            // a batch larger than the queue keeps only its own newest rows
            try (NDManager step = m.newSubManager()) {
                queue.enqueue(rows(step, 100, 10));
            }
            assertThat(queue.keys().toFloatArray()).containsExactly(expectedRows(103, 7));
        }
    }

    @Test
    void entriesAreDetachedCopies() {
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                FeatureQueue queue = new FeatureQueue(m, 4, 3)) {
            try (NDManager caller = DjlRuntime.engine().newBaseManager()) {
                NDArray keys = rows(caller, 1, 2);
                keys.setRequiresGradient(true);
                queue.enqueue(keys);
                assertThat(queue.keys().hasGradient()).isFalse();
                keys.setRequiresGradient(false);
                keys.muli(0f); // the caller changes its array afterwards
                assertThat(queue.keys().toFloatArray()).containsExactly(expectedRows(1, 2));
            }
            // and the caller's manager is gone
            assertThat(queue.keys().toFloatArray()).containsExactly(expectedRows(1, 2));
        }
    }

    @Test
    void enqueueLeavesNothingBehindInTheCallersManager() {
        // a long-lived caller that closes its own keys must not keep queue intermediates (and
        // the storage they share with its keys) alive
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                FeatureQueue queue = new FeatureQueue(m, 8, 3);
                NDManager caller = DjlRuntime.engine().newBaseManager()) {
            for (int i = 0; i < 20; i++) {
                NDArray keys = rows(caller, i, 2);
                queue.enqueue(keys);
                keys.close();
            }
            assertThat(caller.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void theQueuesArraysStayFlatOverManyEnqueues() {
        // NDManager.getManagedArrays() is public and recursive over sub-managers, so the queue's own
        // sub-manager is counted through the parent without reflection
        try (NDManager parent = DjlRuntime.engine().newBaseManager();
                FeatureQueue queue = new FeatureQueue(parent, 16, 3);
                NDManager caller = DjlRuntime.engine().newBaseManager()) {
            int afterWarmUp = 0;
            for (int i = 0; i < 300; i++) {
                try (NDManager step = caller.newSubManager()) {
                    queue.enqueue(rows(step, i, 5));
                }
                if (i == 9) {
                    afterWarmUp = parent.getManagedArrays().size();
                }
            }
            assertThat(afterWarmUp).isEqualTo(1);
            assertThat(parent.getManagedArrays()).hasSize(afterWarmUp);
            assertThat(queue.size()).isEqualTo(16);
        }
    }

    @Test
    void saveAndLoadRoundTrip() throws IOException {
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                FeatureQueue queue = new FeatureQueue(m, 6, 3);
                FeatureQueue copy = new FeatureQueue(m, 6, 3)) {
            queue.enqueue(rows(m, 0, 4));
            queue.enqueue(rows(m, 4, 4));
            byte[] saved = save(queue);
            copy.enqueue(rows(m, 50, 1));
            copy.load(new DataInputStream(new ByteArrayInputStream(saved)));
            assertThat(copy.size()).isEqualTo(6);
            assertThat(copy.keys().toFloatArray()).containsExactly(queue.keys().toFloatArray());
            // and it keeps working as a FIFO after the restore
            copy.enqueue(rows(m, 8, 2));
            assertThat(copy.keys().toFloatArray()).containsExactly(expectedRows(4, 6));
            assertThat(save(copy)).isNotEqualTo(saved);
        }
    }

    @Test
    void loadRejectsKeysThatDoNotFitAndKeepsTheContent() throws IOException {
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                FeatureQueue big = new FeatureQueue(m, 6, 3);
                FeatureQueue small = new FeatureQueue(m, 4, 3);
                FeatureQueue narrow = new FeatureQueue(m, 6, 2)) {
            big.enqueue(rows(m, 0, 6));
            byte[] saved = save(big);
            small.enqueue(rows(m, 20, 2));
            assertThatThrownBy(() -> small.load(new DataInputStream(new ByteArrayInputStream(saved))))
                    .isInstanceOf(IOException.class);
            assertThat(small.keys().toFloatArray()).containsExactly(expectedRows(20, 2));
            assertThatThrownBy(() -> narrow.load(new DataInputStream(new ByteArrayInputStream(saved))))
                    .isInstanceOf(IOException.class);
            assertThat(narrow.size()).isZero();
        }
    }

    private static byte[] save(FeatureQueue queue) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            queue.save(out);
        }
        return bytes.toByteArray();
    }
}
