package io.divastream.offline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import io.divastream.model.net.backbone.Backbone;
import io.divastream.model.net.backbone.BackboneSpec;

/**
 * The backbone's own pooled features: L2-normalised and used directly as the embedding, the "no
 * training" reference a trained embedding has to beat ({@link #embed}); or as they are, the input
 * of DiVA heads trained on a frozen backbone ({@link Extractor}, {@link FeatureCache}).
 */
public final class BackboneFeatures {

    private static final int CHUNK = 32;

    private BackboneFeatures() {}

    /**
     * Computes the normalised features of prepared inputs.
     *
     * @param spec the backbone
     * @param inputs the images in the backbone's input format (evaluation views)
     * @return one L2-normalised feature vector per image
     */
    public static float[][] embed(BackboneSpec spec, float[][] inputs) {
        try (Extractor extractor = new Extractor(spec)) {
            float[][] out = extractor.features(inputs);
            for (float[] row : out) {
                normalize(row);
            }
            return out;
        }
    }

    /**
     * Scales a vector to unit L2 norm in place (a zero vector stays zero), as {@code
     * NDArray.normalize(2, 1, 1e-12)} does.
     *
     * @param row the vector
     */
    static void normalize(float[] row) {
        double sum = 0;
        for (float v : row) {
            sum += (double) v * v;
        }
        double norm = Math.max(Math.sqrt(sum), 1e-12);
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) (row[i] / norm);
        }
    }

    /**
     * A loaded backbone that computes the raw (not normalised) features of batches of inputs in
     * inference mode. Close it to release the backbone.
     */
    public static final class Extractor implements AutoCloseable {

        private final BackboneSpec spec;
        private final NDManager manager;
        private final Backbone backbone;
        private final ParameterStore store;

        /**
         * Builds (loads) the backbone.
         *
         * @param spec the backbone
         */
        public Extractor(BackboneSpec spec) {
            DjlRuntime.disableGradientRecording();
            this.spec = spec;
            this.manager = DjlRuntime.engine().newBaseManager();
            try {
                this.backbone = spec.build(manager);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
            this.store = new ParameterStore(manager, false);
        }

        /**
         * Computes the features of prepared inputs, in chunks of 32.
         *
         * @param inputs the images in the backbone's input format
         * @return one feature vector of {@link BackboneSpec#featureDim()} values per input
         * @throws IllegalArgumentException if an input has the wrong size
         */
        public float[][] features(float[][] inputs) {
            DjlRuntime.disableGradientRecording();
            float[][] out = new float[inputs.length][];
            int size = (int) spec.inputShape(1).size();
            for (int start = 0; start < inputs.length; start += CHUNK) {
                int n = Math.min(CHUNK, inputs.length - start);
                float[] flat = new float[n * size];
                for (int i = 0; i < n; i++) {
                    if (inputs[start + i].length != size) {
                        throw new IllegalArgumentException("input " + (start + i) + " has " + inputs[start + i].length
                                + " values, the " + spec.id() + " backbone takes " + size);
                    }
                    System.arraycopy(inputs[start + i], 0, flat, i * size, size);
                }
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(flat, spec.inputShape(n));
                    float[] values = backbone.block()
                            .forward(store, new NDList(x), false)
                            .singletonOrThrow()
                            .toFloatArray();
                    int d = values.length / n;
                    for (int i = 0; i < n; i++) {
                        out[start + i] = java.util.Arrays.copyOfRange(values, i * d, (i + 1) * d);
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            try {
                backbone.close();
            } finally {
                manager.close();
            }
        }
    }
}
