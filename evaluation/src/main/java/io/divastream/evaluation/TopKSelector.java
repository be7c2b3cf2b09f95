package io.divastream.evaluation;

/**
 * Bounded selection of the {@code capacity} smallest (distance, index) pairs, ordered by distance and
 * then by the smaller index. A max-heap on that order, so that a candidate is rejected with a single
 * comparison once the selector is full. Package-private; not thread-safe.
 */
final class TopKSelector {

    private final double[] distances;
    private final int[] indices;
    private int size;

    TopKSelector(int capacity) {
        this.distances = new double[capacity];
        this.indices = new int[capacity];
    }

    /** Offers a candidate; it is kept if it is among the {@code capacity} smallest seen so far. */
    void offer(double distance, int index) {
        if (size < distances.length) {
            int pos = size++;
            while (pos > 0) {
                int parent = (pos - 1) >>> 1;
                if (!after(distance, index, distances[parent], indices[parent])) {
                    break;
                }
                distances[pos] = distances[parent];
                indices[pos] = indices[parent];
                pos = parent;
            }
            distances[pos] = distance;
            indices[pos] = index;
        } else if (size > 0 && after(distances[0], indices[0], distance, index)) {
            siftDown(distance, index);
        }
    }

    /** Returns the largest kept distance (the worst kept candidate); undefined while empty. */
    double worst() {
        return distances[0];
    }

    /** Returns the kept indices, nearest first (ties by smaller index), and empties the selector. */
    int[] drainSorted() {
        int[] result = new int[size];
        while (size > 0) {
            int last = --size;
            result[last] = indices[0];
            if (size > 0) {
                siftDown(distances[last], indices[last]);
            }
        }
        return result;
    }

    /** Places (distance, index) at the root and restores the heap order among the first size slots. */
    private void siftDown(double distance, int index) {
        int pos = 0;
        while (true) {
            int left = 2 * pos + 1;
            if (left >= size) {
                break;
            }
            int worst = left;
            int right = left + 1;
            if (right < size && after(distances[right], indices[right], distances[left], indices[left])) {
                worst = right;
            }
            if (!after(distances[worst], indices[worst], distance, index)) {
                break;
            }
            distances[pos] = distances[worst];
            indices[pos] = indices[worst];
            pos = worst;
        }
        distances[pos] = distance;
        indices[pos] = index;
    }

    /** True if (d1, i1) comes strictly after (d2, i2) in the (distance, index) order. */
    private static boolean after(double d1, int i1, double d2, int i2) {
        return d1 > d2 || (d1 == d2 && i1 > i2);
    }
}
