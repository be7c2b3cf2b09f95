package io.divastream.offline;

import io.divastream.evaluation.EmbeddingCombiner;
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
            return EmbeddingCombiner.unitRows(extractor.features(inputs));
        }
    }
}
