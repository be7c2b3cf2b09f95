package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * A learnable (classCapacity, d) matrix with one row per training class, on a manager of its own,
 * and the number of classes seen so far. Only the rows of seen classes take part in a loss: the
 * capacity may far exceed the classes that actually arrive, and unseen rows would otherwise act as
 * spurious negatives (and cost time).
 */
final class ClassRows implements AutoCloseable {

    private final NDManager manager;
    private final NDArray rows;
    private final int capacity;
    private int seen;

    /**
     * Creates the matrix with independent N(0, std^2) entries drawn from {@code seed}.
     *
     * @param parent the manager under which the rows' own manager is created
     * @param capacity the number of rows
     * @param dimension the number of columns
     * @param std the standard deviation of the entries
     * @param seed the seed
     */
    ClassRows(NDManager parent, int capacity, int dimension, double std, long seed) {
        this.capacity = capacity;
        float[] data = new float[Math.multiplyExact(capacity, dimension)];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < data.length; i++) {
            double u = 1 - random.nextDouble();
            double v = random.nextDouble();
            data[i] = (float) (std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        this.manager = parent.newSubManager();
        this.rows = manager.create(data, new Shape(capacity, dimension));
        rows.setRequiresGradient(true);
    }

    /** The whole learnable matrix. */
    NDArray array() {
        return rows;
    }

    /**
     * Records that classes 0..count-1 exist.
     *
     * @param count the number of classes
     */
    void observe(int count) {
        if (count < 0 || count > capacity) {
            throw new IllegalArgumentException("class count " + count + " is outside 0.." + capacity);
        }
        seen = Math.max(seen, count);
    }

    /**
     * Records the classes of a batch and returns the rows of all classes seen so far.
     *
     * @param classes the batch's (checked) class indices
     * @param step the manager that owns the returned slice (the step's)
     * @return rows 0..seen-1, differentiable w.r.t. the matrix
     */
    NDArray seenRows(int[] classes, NDManager step) {
        int max = -1;
        for (int c : classes) {
            max = Math.max(max, c);
        }
        observe(max + 1);
        return Batches.leadingRows(rows, step, seen);
    }

    /**
     * Returns the number of classes seen so far.
     *
     * @return C
     */
    int seen() {
        return seen;
    }

    @Override
    public void close() {
        manager.close();
    }
}
