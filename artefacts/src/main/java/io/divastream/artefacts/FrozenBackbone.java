package io.divastream.artefacts;

import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import java.util.Objects;

/**
 * The frozen backbone of heads trained on its stored features, as an artefact carries it: the TorchScript module
 * that turns a preprocessed photo into features, and the precision the job stores those features in (the heads'
 * input is rounded to it, so that an artefact embeds a photo exactly as the job's embedders do).
 *
 * @param module the TorchScript module
 * @param precision the stored features' precision
 */
public record FrozenBackbone(BackboneSpec.TorchScript module, StoredFeatures.Precision precision)
        implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** Checks the fields. */
    public FrozenBackbone {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(precision, "precision");
    }

    /**
     * Rounds features to the stored precision, as the job's decoder stores them and its embedder reads them.
     *
     * @param features the module's output for one image
     * @return the features the heads take
     */
    public float[] asStored(float[] features) {
        return StoredFeatures.fromBytes(new StoredFeatures(features, new float[0][]).toBytes(precision))
                .evaluation();
    }
}
