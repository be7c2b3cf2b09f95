package io.divastream.offline;

import io.divastream.model.embed.FeatureExtractor;
import io.divastream.model.net.backbone.BackboneSpec;

/**
 * The backbone's own pooled features: L2-normalised and used directly as the embedding, the "no
 * training" reference a trained embedding has to beat ({@link #embed}); or as they are, the input
 * of DiVA heads trained on a frozen backbone ({@link FeatureExtractor}, {@link FeatureCache}).
 */
public final class BackboneFeatures {

    private BackboneFeatures() {}

    /**
     * Computes the normalised features of prepared inputs.
     *
     * @param spec the backbone
     * @param inputs the images in the backbone's input format (evaluation views)
     * @return one L2-normalised feature vector per image
     */
    public static float[][] embed(BackboneSpec spec, float[][] inputs) {
        try (FeatureExtractor extractor = new FeatureExtractor(spec)) {
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
}
