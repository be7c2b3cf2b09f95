package io.divastream.jobs.pipeline;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.artefacts.FrozenBackbone;
import io.divastream.artefacts.ModelExport;
import io.divastream.images.ImageSpec;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.IOException;
import java.io.Serializable;

/**
 * What an artefact of the job's model versions is made of, derived once from the job's configuration: the
 * network, how the job decodes glyphs (glyph networks) or the frozen backbone whose stored features the heads take
 * (photo presets), and the head weights. The artefact sink writes it, and the model-versions record carries the
 * digest of the manifest it writes ({@code manifestSha256}).
 *
 * @param network the network of the model versions' parameters
 * @param glyphSpec the glyph decoder's spec, or null for photos
 * @param frozen the frozen backbone of heads trained on its features, or null
 * @param headWeights the combined embedding's head weights
 */
public record ArtefactShape(NetworkSpec network, ImageSpec glyphSpec, FrozenBackbone frozen, double[] headWeights)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * The shape of a job's artefacts.
     *
     * @param config the job's configuration
     * @return the shape
     */
    public static ArtefactShape of(JobConfig config) {
        SampleDecoding decoding = config.training().decoding();
        FrozenBackbone frozen =
                decoding instanceof SampleDecoding.Features f && f.backbone() instanceof BackboneSpec.TorchScript module
                        ? new FrozenBackbone(module, f.precision())
                        : null;
        return new ArtefactShape(
                config.training().model().network(),
                decoding instanceof SampleDecoding.Glyphs glyphs ? glyphs.spec() : null,
                frozen,
                config.embedding().headWeights());
    }

    /**
     * The bytes of the manifest an artefact of a model version has ({@link ModelExport#manifestBytes}).
     *
     * @param snapshot the version's parameters
     * @return the manifest file's bytes
     */
    public byte[] manifestBytes(ModelSnapshot snapshot) {
        return ModelExport.manifestBytes(network, glyphSpec, frozen, headWeights, snapshot);
    }

    /**
     * Writes a model version's artefact into a store unless it is there.
     *
     * @param store the store
     * @param snapshot the version's parameters
     * @return the directory and whether it was written now
     * @throws IOException if writing fails
     */
    public ArtefactStore.Written write(ArtefactStore store, ModelSnapshot snapshot) throws IOException {
        return store.write(network, glyphSpec, frozen, headWeights, snapshot);
    }
}
