package io.divastream.jobs.eval;

import io.divastream.jobs.records.EvaluationResult;
import io.divastream.jobs.records.ImageEmbedding;
import io.divastream.model.DivaHead;
import io.divastream.model.eval.EvaluationConfig;
import io.divastream.model.eval.RetrievalEvaluator;
import io.divastream.model.eval.RetrievalScores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores each model version on the evaluation images: it keeps the latest embedding of every
 * evaluation image and, once all of them carry the same, newest model version, computes Recall@1/2/
 * 4/8 (query excluded), NMI (k-means with the number of evaluation classes) and MAP@R for the
 * combined embedding and for each head. Runs with parallelism 1; its table is checkpointed.
 */
public final class RetrievalMetricsFunction extends ProcessFunction<ImageEmbedding, EvaluationResult>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RetrievalMetricsFunction.class);

    /** Name of the combined embedding in results. */
    public static final String COMBINED = "combined";

    private final List<DivaHead> heads;
    private final int everyVersions;
    private final int minImages;
    private final long seed;

    private transient Map<String, ImageEmbedding> latest;
    private transient Map<Long, Integer> imagesPerVersion;
    private transient long newestVersion;
    private transient long lastScoredVersion;
    private transient ListState<ImageEmbedding> tableState;
    private transient ListState<Long> scoredState;
    private transient volatile double lastRecallAt1;

    /**
     * Creates the function.
     *
     * @param heads the model's heads, in network order
     * @param everyVersions score every n-th version (version 0 is always scored)
     * @param minImages score only once at least this many evaluation images arrived (at least 2)
     * @param seed the k-means seed
     */
    public RetrievalMetricsFunction(List<DivaHead> heads, int everyVersions, int minImages, long seed) {
        this.heads = List.copyOf(heads);
        this.everyVersions = everyVersions;
        this.minImages = Math.max(2, minImages);
        this.seed = seed;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        tableState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("eval-embeddings", TypeInformation.of(ImageEmbedding.class)));
        scoredState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("last-scored-version", Types.LONG));
        latest = new LinkedHashMap<>();
        imagesPerVersion = new HashMap<>();
        newestVersion = -1;
        lastScoredVersion = -1;
        if (context.isRestored()) {
            for (ImageEmbedding e : tableState.get()) {
                add(e);
            }
            for (Long v : scoredState.get()) {
                lastScoredVersion = Math.max(lastScoredVersion, v);
            }
        }
    }

    @Override
    public void open(OpenContext openContext) {
        getRuntimeContext().getMetricGroup().gauge("lastScoredVersion", () -> lastScoredVersion);
        getRuntimeContext().getMetricGroup().gauge("lastCombinedRecallAt1", () -> lastRecallAt1);
    }

    @Override
    public void processElement(ImageEmbedding embedding, Context ctx, Collector<EvaluationResult> out) {
        if (!add(embedding)) {
            return;
        }
        if (newestVersion > lastScoredVersion
                && imagesPerVersion.getOrDefault(newestVersion, 0) == latest.size()
                && scorable()) {
            lastScoredVersion = newestVersion;
            if (newestVersion == 0 || newestVersion % everyVersions == 0) {
                out.collect(score(embedding));
            }
        }
    }

    /**
     * Enough images to be meaningful; retrieval needs a class with two images, and clustering two
     * classes.
     */
    private boolean scorable() {
        if (latest.size() < minImages) {
            return false;
        }
        Map<String, Integer> perClass = new HashMap<>();
        for (ImageEmbedding e : latest.values()) {
            perClass.merge(e.label(), 1, Integer::sum);
        }
        return perClass.size() >= 2 && perClass.values().stream().anyMatch(c -> c >= 2);
    }

    private boolean add(ImageEmbedding embedding) {
        ImageEmbedding previous = latest.get(embedding.imageId());
        if (previous != null) {
            if (previous.modelVersion() > embedding.modelVersion()) {
                return false;
            }
            imagesPerVersion.merge(previous.modelVersion(), -1, Integer::sum);
        }
        latest.put(embedding.imageId(), embedding);
        imagesPerVersion.merge(embedding.modelVersion(), 1, Integer::sum);
        imagesPerVersion.values().removeIf(count -> count == 0);
        newestVersion = Math.max(newestVersion, embedding.modelVersion());
        return true;
    }

    private EvaluationResult score(ImageEmbedding any) {
        long start = System.nanoTime();
        int n = latest.size();
        List<ImageEmbedding> rows = new ArrayList<>(latest.values());
        Map<String, Integer> classIds = new HashMap<>();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = classIds.computeIfAbsent(rows.get(i).label(), l -> classIds.size());
        }
        String[] names = new String[heads.size() + 1];
        double[][] scores = new double[names.length][];
        RetrievalEvaluator evaluator =
                new RetrievalEvaluator(EvaluationConfig.defaults().withSeed(seed));
        names[0] = COMBINED;
        scores[0] = toArray(evaluator.evaluate(column(rows, -1), labels));
        for (int h = 0; h < heads.size(); h++) {
            names[h + 1] = heads.get(h).id();
            scores[h + 1] = toArray(evaluator.evaluate(column(rows, h), labels));
        }
        lastRecallAt1 = scores[0][0];
        LOG.info(
                "model version {}: combined recall@1 {} on {} images of {} classes ({} ms)",
                any.modelVersion(),
                String.format("%.4f", scores[0][0]),
                n,
                classIds.size(),
                (System.nanoTime() - start) / 1_000_000);
        return new EvaluationResult(
                any.modelVersion(),
                any.modelStep(),
                any.modelImagesSeen(),
                n,
                classIds.size(),
                names,
                scores,
                any.modelCreatedAt(),
                System.currentTimeMillis());
    }

    private static float[][] column(List<ImageEmbedding> rows, int head) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = head < 0 ? rows.get(i).combined() : rows.get(i).heads()[head];
        }
        return out;
    }

    private static double[] toArray(RetrievalScores s) {
        return new double[] {s.recallAt1(), s.recallAt2(), s.recallAt4(), s.recallAt8(), s.nmi(), s.mapAtR()};
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        tableState.update(new ArrayList<>(latest.values()));
        scoredState.update(List.of(lastScoredVersion));
    }
}
