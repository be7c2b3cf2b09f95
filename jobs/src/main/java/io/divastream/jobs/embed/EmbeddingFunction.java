package io.divastream.jobs.embed;

import io.divastream.jobs.records.ImageEmbedding;
import io.divastream.jobs.records.ImageSample;
import io.divastream.jobs.records.ModelUpdate;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.Embedder;
import io.divastream.model.eval.EmbeddingCombiner;
import io.divastream.model.image.ImageDecoder;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every image (keyed by image id) and its latest embedding up to date: a new image is
 * embedded at once with the current model; a new model version (broadcast from the trainer)
 * re-embeds every stored image. Each embedding carries the per-head vectors and their weighted,
 * re-normalised concatenation.
 *
 * <p>The latest model version sits in broadcast state, so after a restore the embedder reloads it
 * before embedding anything.
 */
public final class EmbeddingFunction
        extends KeyedBroadcastProcessFunction<String, ImageSample, ModelUpdate, ImageEmbedding> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingFunction.class);

    /** Broadcast state holding the latest model version under {@link #LATEST}. */
    public static final MapStateDescriptor<String, ModelUpdate> MODEL_STATE =
            new MapStateDescriptor<>("latest-model", Types.STRING, TypeInformation.of(ModelUpdate.class));

    /** The key of the latest model in {@link #MODEL_STATE}. */
    public static final String LATEST = "latest";

    /** Keyed state holding each image. */
    public static final ValueStateDescriptor<ImageSample> IMAGE_STATE =
            new ValueStateDescriptor<>("image", TypeInformation.of(ImageSample.class));

    private static final int CHUNK = 256;

    private final NetworkSpec network;
    private final double[] headWeights;

    private transient Embedder embedder;
    private transient ValueState<ImageSample> image;
    private transient Counter embedded;
    private transient volatile long loadedVersion;

    /**
     * Creates the function.
     *
     * @param network the network's shape
     * @param headWeights weight of each head in the combined embedding
     */
    public EmbeddingFunction(NetworkSpec network, double[] headWeights) {
        this.network = network;
        this.headWeights = headWeights.clone();
    }

    @Override
    public void open(OpenContext openContext) {
        embedder = new Embedder(network);
        image = getRuntimeContext().getState(IMAGE_STATE);
        embedded = getRuntimeContext().getMetricGroup().counter("numEmbeddings");
        loadedVersion = -1;
        getRuntimeContext().getMetricGroup().gauge("modelVersion", () -> loadedVersion);
    }

    @Override
    public void processElement(ImageSample sample, ReadOnlyContext ctx, Collector<ImageEmbedding> out)
            throws Exception {
        image.update(sample);
        ModelUpdate model = ctx.getBroadcastState(MODEL_STATE).get(LATEST);
        if (model != null) {
            ensureLoaded(model);
            emit(List.of(sample), model, out);
        }
    }

    @Override
    public void processBroadcastElement(ModelUpdate model, Context ctx, Collector<ImageEmbedding> out)
            throws Exception {
        ModelUpdate current = ctx.getBroadcastState(MODEL_STATE).get(LATEST);
        if (current != null && current.version() >= model.version()) {
            return;
        }
        ctx.getBroadcastState(MODEL_STATE).put(LATEST, model);
        ensureLoaded(model);
        List<ImageSample> pending = new ArrayList<>(CHUNK);
        long start = System.nanoTime();
        long[] count = {0};
        ctx.applyToKeyedState(
                IMAGE_STATE,
                (key, state) -> {
                    ImageSample stored = state.value();
                    if (stored != null) {
                        pending.add(stored);
                        count[0]++;
                    }
                    if (pending.size() == CHUNK) {
                        emit(pending, model, out);
                        pending.clear();
                    }
                });
        emit(pending, model, out);
        LOG.info(
                "re-embedded {} images with model version {} in {} ms",
                count[0],
                model.version(),
                (System.nanoTime() - start) / 1_000_000);
    }

    private void ensureLoaded(ModelUpdate model) {
        if (loadedVersion != model.version()) {
            embedder.load(
                    new ModelSnapshot(
                            model.version(), model.step(), model.parameters(), model.parameterCount()));
            loadedVersion = model.version();
        }
    }

    private void emit(List<ImageSample> samples, ModelUpdate model, Collector<ImageEmbedding> out) {
        if (samples.isEmpty()) {
            return;
        }
        float[][] pixels = new float[samples.size()][];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = ImageDecoder.fromBytes(samples.get(i).pixels());
        }
        float[][][] heads = embedder.embed(pixels);
        float[][] combined = EmbeddingCombiner.combine(heads, headWeights);
        long now = System.currentTimeMillis();
        for (int i = 0; i < pixels.length; i++) {
            ImageSample sample = samples.get(i);
            float[][] perHead = new float[heads.length][];
            for (int h = 0; h < heads.length; h++) {
                perHead[h] = heads[h][i];
            }
            out.collect(
                    new ImageEmbedding(
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
            embedded.inc();
        }
    }

    @Override
    public void close() throws Exception {
        if (embedder != null) {
            embedder.close();
            embedder = null;
        }
        super.close();
    }
}
