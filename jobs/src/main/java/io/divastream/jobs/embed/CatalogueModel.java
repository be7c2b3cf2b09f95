package io.divastream.jobs.embed;

import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.Embedder;
import io.divastream.model.net.backbone.InputSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The model a {@link CatalogueEmbedder} subtask embeds with: the newest version's parameters
 * loaded into an {@link Embedder} (again only when the version changes), turning image samples into
 * {@link ImageEmbedding} events with each head's embedding and their weighted combination.
 */
final class CatalogueModel implements AutoCloseable {

    private final Embedder embedder;
    private final double[] headWeights;
    private final SamplePayload payload;
    private final InputSpec input;
    private long loadedVersion = -1;

    /**
     * Creates an embedder of a network with no parameters loaded yet.
     *
     * @param network the network's shape
     * @param headWeights weight of each head in the combined embedding
     * @param payload what the samples carry (glyph pixels, a frozen backbone's features, or encoded photos)
     */
    CatalogueModel(NetworkSpec network, double[] headWeights, SamplePayload payload) {
        this.embedder = new Embedder(network);
        this.headWeights = headWeights.clone();
        this.payload = payload;
        this.input = network.backbone().input();
    }

    /**
     * Embeds samples with a model version, in one forward pass.
     *
     * @param model the model version
     * @param samples the samples
     * @return an embedding of each sample, in order, stamped with the model and the time now
     */
    List<ImageEmbedding> embed(ModelUpdate model, List<ImageSample> samples) {
        if (loadedVersion != model.version()) {
            embedder.load(new ModelSnapshot(model.version(), model.step(), model.parameters(), model.parameterCount()));
            loadedVersion = model.version();
        }
        float[][] pixels = new float[samples.size()][];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = payload.evaluationInput(samples.get(i).pixels(), input);
        }
        float[][][] heads = embedder.embed(pixels);
        float[][] combined = EmbeddingCombiner.combine(heads, headWeights);
        long now = System.currentTimeMillis();
        List<ImageEmbedding> out = new ArrayList<>(pixels.length);
        for (int i = 0; i < pixels.length; i++) {
            ImageSample sample = samples.get(i);
            float[][] perHead = new float[heads.length][];
            for (int h = 0; h < heads.length; h++) {
                perHead[h] = heads[h][i];
            }
            out.add(new ImageEmbedding(
                    sample.imageId(),
                    sample.label(),
                    sample.role(),
                    model.version(),
                    model.step(),
                    model.imagesSeen(),
                    model.createdAt(),
                    combined[i],
                    perHead,
                    sample.eventTime(),
                    now));
        }
        return out;
    }

    @Override
    public void close() {
        embedder.close();
    }
}
