package io.divastream.model.embed;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a frozen backbone leaves of an image for training and embedding: the features of its evaluation view and
 * of a few augmented training views, and their compact encoding for keyed state (a header, then every value in
 * half or single precision). One 1280-d MobileNetV2 feature takes 2,560 bytes in half precision. A sample that is
 * only trained on keeps its training views alone ({@link #trainingOnly}; its evaluation view is empty).
 *
 * @param evaluation the features of the evaluation view (empty for a training-only sample)
 * @param training the features of each training view (possibly none; at least one without evaluation features),
 *     all of one length
 */
public record StoredFeatures(float[] evaluation, float[][] training) {

    /** How values are stored. */
    public enum Precision {
        /** IEEE 754 binary16, 2 bytes a value ({@link HalfFloats}). */
        HALF,
        /** IEEE 754 binary32, 4 bytes a value. */
        SINGLE
    }

    private static final byte FORMAT = 1;
    private static final byte FORMAT_TRAINING_ONLY = 2;
    private static final int HEADER = 1 + 1 + 4 + 2;

    /** The largest feature dimension and view count a decoded header may declare. */
    public static final int MAX_DIM = 1 << 16;

    /** The largest number of training views. */
    public static final int MAX_VIEWS = 256;

    /**
     * Checks the shapes.
     *
     * @param evaluation the features of the evaluation view
     * @param training the features of each training view
     */
    public StoredFeatures {
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(training, "training");
        int dim = evaluation.length > 0 || training.length == 0 ? evaluation.length : training[0].length;
        if (dim < 1 || dim > MAX_DIM || training.length > MAX_VIEWS) {
            throw new IllegalArgumentException("features of " + dim + " values and " + training.length
                    + " training views are out of bounds (1 to " + MAX_DIM + " values, at most " + MAX_VIEWS
                    + " views)");
        }
        for (float[] view : training) {
            if (view.length != dim) {
                throw new IllegalArgumentException(
                        "a training view has " + view.length + " values, the first view " + dim);
            }
        }
    }

    /**
     * The features of a sample that is only trained on: its training views, no evaluation view.
     *
     * @param training the features of each training view, at least one
     * @return the features
     */
    public static StoredFeatures trainingOnly(float[][] training) {
        return new StoredFeatures(new float[0], training);
    }

    /**
     * Whether the evaluation view's features are stored.
     *
     * @return false for a training-only sample
     */
    public boolean hasEvaluation() {
        return evaluation.length > 0;
    }

    /**
     * The feature dimension.
     *
     * @return the length of every stored vector
     */
    public int dim() {
        return hasEvaluation() ? evaluation.length : training[0].length;
    }

    /**
     * The encoded size of features of a dimension and view count.
     *
     * @param dim the feature dimension
     * @param views the training views
     * @param precision the precision
     * @return the bytes
     */
    public static int encodedBytes(int dim, int views, Precision precision) {
        return bytesOf(dim, 1 + views, precision);
    }

    private static int bytesOf(int dim, int vectors, Precision precision) {
        return HEADER + vectors * dim * (precision == Precision.HALF ? 2 : 4);
    }

    /**
     * Encodes the features.
     *
     * @param precision how values are stored
     * @return the bytes
     */
    public byte[] toBytes(Precision precision) {
        int dim = dim();
        int vectors = training.length + (hasEvaluation() ? 1 : 0);
        ByteBuffer out = ByteBuffer.allocate(bytesOf(dim, vectors, precision));
        out.put(hasEvaluation() ? FORMAT : FORMAT_TRAINING_ONLY)
                .put((byte) precision.ordinal())
                .putInt(dim)
                .putShort((short) training.length);
        put(out, evaluation, precision);
        for (float[] view : training) {
            put(out, view, precision);
        }
        return out.array();
    }

    /**
     * Decodes features.
     *
     * @param bytes what {@link #toBytes} wrote
     * @return the features
     * @throws IllegalArgumentException if the bytes are not such an encoding
     */
    public static StoredFeatures fromBytes(byte[] bytes) {
        if (bytes.length < HEADER
                || (bytes[0] != FORMAT && bytes[0] != FORMAT_TRAINING_ONLY)
                || bytes[1] < 0
                || bytes[1] > 1) {
            throw new IllegalArgumentException("not stored features (" + bytes.length + " bytes)");
        }
        boolean withEvaluation = bytes[0] == FORMAT;
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(2);
        Precision precision = Precision.values()[bytes[1]];
        int dim = in.getInt();
        int views = in.getShort() & 0xFFFF;
        int vectors = views + (withEvaluation ? 1 : 0);
        if (dim < 1
                || dim > MAX_DIM
                || views > MAX_VIEWS
                || vectors == 0
                || bytes.length != bytesOf(dim, vectors, precision)) {
            throw new IllegalArgumentException("stored features declare " + dim + " values and " + views
                    + " views, which do not match their " + bytes.length + " bytes");
        }
        float[] evaluation = withEvaluation ? get(in, dim, precision) : new float[0];
        float[][] training = new float[views][];
        for (int v = 0; v < views; v++) {
            training[v] = get(in, dim, precision);
        }
        return new StoredFeatures(evaluation, training);
    }

    private static void put(ByteBuffer out, float[] values, Precision precision) {
        for (float v : values) {
            if (precision == Precision.HALF) {
                out.putShort(HalfFloats.toHalf(v));
            } else {
                out.putFloat(v);
            }
        }
    }

    private static float[] get(ByteBuffer in, int dim, Precision precision) {
        float[] values = new float[dim];
        for (int i = 0; i < dim; i++) {
            values[i] = precision == Precision.HALF ? HalfFloats.toFloat(in.getShort()) : in.getFloat();
        }
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredFeatures other
                && Arrays.equals(evaluation, other.evaluation)
                && Arrays.deepEquals(training, other.training);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(evaluation) + Arrays.deepHashCode(training);
    }

    @Override
    public String toString() {
        return "StoredFeatures[" + dim() + " values, " + training.length + " training views"
                + (hasEvaluation() ? "" : ", no evaluation view") + "]";
    }
}
