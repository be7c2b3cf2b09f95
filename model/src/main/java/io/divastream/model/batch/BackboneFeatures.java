package io.divastream.model.batch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.divastream.model.DjlRuntime;
import io.divastream.model.net.backbone.Backbone;
import io.divastream.model.net.backbone.BackboneSpec;

/**
 * The backbone's own pooled features, L2-normalised, used directly as the embedding: the "no
 * training" reference a fine-tuned embedding has to beat.
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
        DjlRuntime.disableGradientRecording();
        float[][] out = new float[inputs.length][];
        try (NDManager manager = DjlRuntime.engine().newBaseManager();
                Backbone backbone = spec.build(manager)) {
            ParameterStore store = new ParameterStore(manager, false);
            int size = (int) spec.inputShape(1).size();
            for (int start = 0; start < inputs.length; start += CHUNK) {
                int n = Math.min(CHUNK, inputs.length - start);
                float[] flat = new float[n * size];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(inputs[start + i], 0, flat, i * size, size);
                }
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(flat, spec.inputShape(n));
                    NDArray f = backbone.block().forward(store, new NDList(x), false).singletonOrThrow()
                            .normalize(2, 1, 1e-12);
                    float[] values = f.toFloatArray();
                    int d = values.length / n;
                    for (int i = 0; i < n; i++) {
                        out[start + i] = java.util.Arrays.copyOfRange(values, i * d, (i + 1) * d);
                    }
                }
            }
        }
        return out;
    }
}
