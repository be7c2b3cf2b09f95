package io.divastream.model.embed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import io.divastream.model.net.backbone.Backbone;
import io.divastream.model.net.backbone.BackboneSpec;
import java.util.Arrays;

/**
 * A loaded backbone that computes the raw (not normalised) features of batches of inputs in
 * inference mode. Close it to release the backbone.
 */
public final class FeatureExtractor implements AutoCloseable {

    /** Inputs per forward pass: MobileNetV2 ran 3 to 5 times slower at 8 or 32 on this CPU (docs/photos.md). */
    private static final int CHUNK = 4;

    private final BackboneSpec spec;
    private final NDManager manager;
    private final Backbone backbone;
    private final ParameterStore store;

    /**
     * Builds (loads) the backbone.
     *
     * @param spec the backbone
     */
    public FeatureExtractor(BackboneSpec spec) {
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
     * Computes the features of prepared inputs, in chunks of 4.
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
                    out[start + i] = Arrays.copyOfRange(values, i * d, (i + 1) * d);
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
