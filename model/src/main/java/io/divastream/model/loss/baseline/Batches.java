package io.divastream.model.loss.baseline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.divastream.model.tensor.Scalars;

/** Input checks and array helpers shared by the baseline losses. */
final class Batches {

    /** Added under the square root of every distance so that d(x, x) has a finite gradient. */
    static final double DISTANCE_EPSILON = 1e-8;

    /** Lower bound of the norm by which parameter rows are divided. */
    static final double NORM_EPSILON = 1e-12;

    private Batches() {}

    /**
     * Checks the shapes and class indices of a batch.
     *
     * @return the batch size B
     */
    static int check(NDArray embeddings, int[] classes, int embeddingDim, int classCapacity) {
        if (embeddings.getShape().dimension() != 2 || embeddings.getShape().get(1) != embeddingDim) {
            throw new IllegalArgumentException(
                    "embeddings must have shape (B, " + embeddingDim + "), got " + embeddings.getShape());
        }
        int batch = Math.toIntExact(embeddings.getShape().get(0));
        if (batch == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        if (classes.length != batch) {
            throw new IllegalArgumentException("got " + classes.length + " class indices for " + batch + " embeddings");
        }
        for (int i = 0; i < batch; i++) {
            if (classes[i] < 0 || classes[i] >= classCapacity) {
                throw new IllegalArgumentException(
                        "class index " + classes[i] + " of row " + i + " is outside 0.." + (classCapacity - 1));
            }
        }
        return batch;
    }

    /** A zero loss (+0, never -0) that still depends on the embeddings, so that backward works. */
    static NDArray zero(NDArray embeddings) {
        return Scalars.add(Scalars.mul(embeddings.sum(), 0), 0);
    }

    /** Rows of {@code source} at {@code indices}, owned by {@code manager}. */
    static NDArray rows(NDArray source, NDManager manager, int[] indices) {
        long[] idx = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            idx[i] = indices[i];
        }
        return source.get(manager, new NDIndex("{}", manager.create(idx)));
    }

    /** The first {@code count} rows of {@code source}, owned by {@code manager}. */
    static NDArray leadingRows(NDArray source, NDManager manager, int count) {
        return source.get(manager, new NDIndex().addSliceDim(0, count));
    }

    /** The values of an array, detached from the graph, row-major. */
    static float[] detached(NDArray array) {
        try (NDArray copy = array.stopGradient()) {
            return copy.toFloatArray();
        }
    }

    /** The rows of a (B, d) array, detached from the graph. */
    static float[][] detachedRows(NDArray array) {
        int rows = Math.toIntExact(array.getShape().get(0));
        int columns = Math.toIntExact(array.getShape().get(1));
        float[] flat = detached(array);
        float[][] out = new float[rows][columns];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * columns, out[i], 0, columns);
        }
        return out;
    }

    /** Row-wise {@code sqrt(|x - y|^2 + 1e-8)}. */
    static NDArray distances(NDArray x, NDArray y) {
        return Scalars.add(x.sub(y).square().sum(new int[] {1}), DISTANCE_EPSILON)
                .sqrt();
    }

    /** Each row divided by its L2 norm (at least {@value #NORM_EPSILON}). */
    static NDArray normalizeRows(NDArray x) {
        NDArray norms = x.square().sum(new int[] {1}, true).sqrt();
        return x.div(Scalars.maximum(norms, NORM_EPSILON));
    }

    /** A (B, columns) float matrix with a 1 at (i, classes[i]). */
    static NDArray oneHot(NDManager manager, int[] classes, int columns) {
        float[] data = new float[classes.length * columns];
        for (int i = 0; i < classes.length; i++) {
            data[i * columns + classes[i]] = 1;
        }
        return manager.create(data, new Shape(classes.length, columns));
    }

    /** A float array of the given shape over {@code data}. */
    static NDArray matrix(NDManager manager, float[] data, int rows, int columns) {
        return manager.create(data, new Shape(rows, columns));
    }
}
