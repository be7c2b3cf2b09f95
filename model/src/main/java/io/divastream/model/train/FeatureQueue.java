package io.divastream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The FIFO memory queue of DaNCE keys (DIVA_SPEC section 2.4): after each step the newest keys are
 * appended and the oldest dropped once the queue is full. Entries are detached.
 */
public final class FeatureQueue implements AutoCloseable {

    private final NDManager manager;
    private final int capacity;
    private final int dimension;
    private NDArray keys;

    /**
     * Creates an empty queue.
     *
     * @param parent the manager under which the queue lives
     * @param capacity the maximum number of keys K
     * @param dimension the key dimension
     */
    public FeatureQueue(NDManager parent, int capacity, int dimension) {
        this.manager = parent.newSubManager();
        this.capacity = capacity;
        this.dimension = dimension;
        this.keys = manager.zeros(new Shape(0, dimension));
    }

    /**
     * Returns the queued keys, oldest first.
     *
     * @return an array (n, d) with n at most the capacity; owned by the queue
     */
    public NDArray keys() {
        return keys;
    }

    /**
     * Returns the number of queued keys.
     *
     * @return n
     */
    public int size() {
        return (int) keys.getShape().get(0);
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Appends keys, dropping the oldest beyond the capacity.
     *
     * @param newKeys keys (B, d); copied, so the caller keeps ownership
     */
    public void enqueue(NDArray newKeys) {
        // stopGradient() attaches its result to the caller's manager: close it here, or every call
        // leaves an array (sharing the caller's storage) behind in that manager
        NDArray detached = newKeys.stopGradient();
        NDArray copy = detached.toDevice(keys.getDevice(), true);
        copy.attach(manager);
        detached.close();
        NDArray joined = NDArrays.concat(new NDList(keys, copy), 0);
        long excess = joined.getShape().get(0) - capacity;
        NDArray kept = excess > 0 ? joined.get(excess + ":") : joined;
        kept.attach(manager);
        if (kept != joined) {
            joined.close();
        }
        copy.close();
        keys.close();
        keys = kept;
    }

    /** Drops every key (after a rejected training step that had filled the queue). */
    void clear() {
        keys.close();
        keys = manager.zeros(new Shape(0, dimension));
    }

    /**
     * Writes the queue.
     *
     * @param out the stream
     * @throws IOException if writing fails
     */
    public void save(DataOutputStream out) throws IOException {
        ArrayCodec.write(out, keys);
    }

    /**
     * Replaces the queue's content with saved keys.
     *
     * @param in the stream
     * @throws IOException if reading fails or the keys do not fit
     */
    public void load(DataInputStream in) throws IOException {
        NDArray saved = ArrayCodec.read(in, manager);
        if (saved.getShape().dimension() != 2
                || saved.getShape().get(1) != dimension
                || saved.getShape().get(0) > capacity) {
            saved.close();
            throw new IOException("queue checkpoint has shape " + saved.getShape());
        }
        keys.close();
        keys = saved;
    }

    @Override
    public void close() {
        manager.close();
    }
}
