package io.divastream.jobs.metrics;

import io.divastream.evaluation.RetrievalEvaluator;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.jobs.events.ContinualScores;
import io.divastream.jobs.events.EvaluationResult;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.jobs.events.PromotionDecision;
import io.divastream.jobs.events.Role;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores each model version (the streaming protocol of docs/evaluation.md). It keeps the latest embedding
 * of every held-out (evaluation) image and, if {@link MetricsProtocol#seenEnabled()}, of a bounded,
 * order-independent sample of the training images ({@link SeenSample}). Once every held-out image and
 * every sampled training image carries the same, newest model version, it computes per embedding
 * (combined and each head) Recall@k, NMI, MAP@R, precision@1, R-precision and F1 with {@link
 * RetrievalEvaluator}: on the held-out images in the protocol's {@link EvaluationMode}, on the training
 * sample leave-one-out. If a sampled training image already carries a newer version than the held-out images,
 * the sample can no longer be complete at theirs, and the version is scored without seen-class scores. Rows are
 * sorted by image id before scoring, so the scores (k-means included) do not
 * depend on arrival order. Runs with parallelism 1; both tables are checkpointed.
 */
public final class RetrievalMetricsFunction
        extends CoProcessFunction<ImageEmbedding, OperatorCommand.Applied, EvaluationResult>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(RetrievalMetricsFunction.class);

    /** The side output of the decisions on which version serves: one per scored version, one per command. */
    public static final OutputTag<PromotionDecision> PROMOTIONS =
            new OutputTag<>("promotions", TypeInformation.of(PromotionDecision.class));

    /** Name of the combined embedding in results. */
    public static final String COMBINED = "combined";

    private final List<DivaHead> heads;
    private final MetricsProtocol protocol;
    private final int intraOpThreads;

    private transient EmbeddingTable heldOut;
    private transient SeenSample seen;
    private transient long lastScoredVersion;
    private transient ListState<ImageEmbedding> tableState;
    private transient ListState<ImageEmbedding> seenState;
    /** libtorch intra-op threads of the scorer by default: one, beside the trainer's. */
    public static final int DEFAULT_INTRA_OP_THREADS = 1;

    private transient ListState<Long> scoredState;
    private transient ClassArrivals arrivals;
    private transient ContinualScorer continual;
    private transient ListState<long[]> arrivalsState;
    private transient ListState<ImageEmbedding> servingState;
    private transient ListState<double[]> groupBestState;
    private transient ServingControl serving;
    private transient ListState<Long> promotedState;
    private transient ListState<OperatorCommand.Applied> pinState;
    private transient ListState<OperatorCommand.Applied> rollbackState;
    private transient volatile double lastRecallAt1;
    private transient volatile double lastSeenRecallAt1;

    /**
     * Creates the function.
     *
     * @param heads the model's heads, in network order
     * @param protocol the evaluation protocol
     */
    public RetrievalMetricsFunction(List<DivaHead> heads, MetricsProtocol protocol) {
        this(heads, protocol, DEFAULT_INTRA_OP_THREADS);
    }

    /**
     * Creates the function.
     *
     * @param heads the model's heads, in network order
     * @param protocol the evaluation protocol
     * @param intraOpThreads libtorch's intra-op threads for the scorer's similarity blocks (set on the
     *     task thread when it opens), or 0 for every processor
     */
    public RetrievalMetricsFunction(List<DivaHead> heads, MetricsProtocol protocol, int intraOpThreads) {
        this.heads = List.copyOf(heads);
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.intraOpThreads = DjlRuntime.checkIntraOpThreads(intraOpThreads);
    }

    /**
     * Creates the function with the leave-one-out protocol, Recall@1/2/4/8 and no seen-class scores.
     *
     * @param heads the model's heads, in network order
     * @param everyVersions score every n-th version (version 0 is always scored)
     * @param minImages score only once at least this many evaluation images arrived (at least 2)
     * @param seed the k-means seed
     */
    public RetrievalMetricsFunction(List<DivaHead> heads, int everyVersions, int minImages, long seed) {
        this(heads, MetricsProtocol.leaveOneOut(everyVersions, minImages, seed));
    }

    /**
     * Whether the function needs an embedding: held-out ones always, training ones if the seen classes are
     * scored. The pipeline filters with it before the (parallelism 1) operator.
     *
     * @param protocol the evaluation protocol
     * @param e an embedding
     * @return whether to send it to the function
     */
    public static boolean wants(MetricsProtocol protocol, ImageEmbedding e) {
        return e.role() == Role.EVAL || protocol.seenEnabled();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        tableState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("eval-embeddings", TypeInformation.of(ImageEmbedding.class)));
        seenState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("seen-embeddings", TypeInformation.of(ImageEmbedding.class)));
        scoredState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("last-scored-version", Types.LONG));
        arrivalsState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(
                        "class-arrivals", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        servingState = context.getOperatorStateStore()
                .getListState(
                        new ListStateDescriptor<>("serving-embeddings", TypeInformation.of(ImageEmbedding.class)));
        groupBestState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(
                        "class-group-best", PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        promotedState =
                context.getOperatorStateStore().getListState(new ListStateDescriptor<>("promoted-version", Types.LONG));
        pinState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("pin", TypeInformation.of(OperatorCommand.Applied.class)));
        rollbackState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(
                        "pending-rollbacks", TypeInformation.of(OperatorCommand.Applied.class)));
        serving = new ServingControl(new PromotionGate(protocol.promotion(), protocol.evaluationConfig()));
        arrivals = new ClassArrivals(protocol.trackedClasses());
        continual = new ContinualScorer(protocol);
        heldOut = new EmbeddingTable();
        seen = protocol.seenEnabled() ? new SeenSample(protocol.seenSamplePerClass(), protocol.seenClassLimit()) : null;
        lastScoredVersion = -1;
        lastRecallAt1 = Double.NaN;
        lastSeenRecallAt1 = Double.NaN;
        if (context.isRestored()) {
            for (ImageEmbedding e : tableState.get()) {
                heldOut.put(e);
            }
            if (seen != null) {
                for (ImageEmbedding e : seenState.get()) {
                    seen.offer(e);
                }
            }
            for (Long v : scoredState.get()) {
                lastScoredVersion = Math.max(lastScoredVersion, v);
            }
            for (long[] hashes : arrivalsState.get()) {
                arrivals.restore(hashes);
            }
            List<ImageEmbedding> servingRows = new ArrayList<>();
            servingState.get().forEach(servingRows::add);
            continual.restore(servingRows, groupBestState.get());
            long promoted = -1;
            for (Long v : promotedState.get()) {
                promoted = Math.max(promoted, v);
            }
            serving.restore(promoted, pinState.get(), rollbackState.get());
        }
    }

    @Override
    public void open(OpenContext openContext) {
        LOG.info("metrics scorer: {} libtorch intra-op threads", DjlRuntime.useIntraOpThreads(intraOpThreads));
        getRuntimeContext().getMetricGroup().gauge("lastScoredVersion", () -> lastScoredVersion);
        getRuntimeContext().getMetricGroup().gauge("lastCombinedRecallAt1", () -> lastRecallAt1);
        getRuntimeContext().getMetricGroup().gauge("lastSeenCombinedRecallAt1", () -> lastSeenRecallAt1);
        getRuntimeContext().getMetricGroup().gauge("trackedClasses", () -> arrivals.size());
        getRuntimeContext().getMetricGroup().gauge("promotedVersion", () -> serving.promoted());
        getRuntimeContext().getMetricGroup().gauge("untrackedClassArrivals", () -> arrivals.untracked());
    }

    @Override
    public void processElement1(ImageEmbedding embedding, Context ctx, Collector<EvaluationResult> out) {
        if (embedding.role() == Role.TRAIN && protocol.classGroupSize() > 0) {
            arrivals.arrive(embedding.label());
        } else if (embedding.role() == Role.EVAL) {
            continual.offerHeldOut(embedding);
        }
        boolean changed =
                embedding.role() == Role.EVAL ? heldOut.put(embedding) : seen != null && seen.offer(embedding);
        if (!changed) {
            return;
        }
        long version = heldOut.newestVersion();
        if (version <= lastScoredVersion || !heldOut.completeAt(version) || !heldOutScorable()) {
            return;
        }
        boolean withSeen = seen != null && Rows.leaveOneOutScorable(seen.table().view());
        if (withSeen && !seen.table().completeAt(version)) {
            if (!seen.table().hasNewerThan(version)) {
                return; // wait for the sampled training images to carry the version too
            }
            // some sampled images are already past it: it will never be complete, so the version is scored
            // on the held-out images alone rather than skipped
            withSeen = false;
        }
        lastScoredVersion = version;
        serving.passedOver(version, System.currentTimeMillis()).forEach(d -> record(d, List.of(), ctx));
        if (version == 0 || version % protocol.everyVersions() == 0 || serving.mustDecide(version)) {
            List<ImageEmbedding> rows = heldOut.rows();
            EvaluationResult result = score(rows, withSeen);
            out.collect(result);
            record(
                    serving.decide(rows, continual.servingRows(), result.trainingStep(), result.computedAt()),
                    rows,
                    ctx);
        }
    }

    /** An operator's command, after the version publisher: decided now, or (a rollback) when it is scored. */
    @Override
    public void processElement2(OperatorCommand.Applied command, Context ctx, Collector<EvaluationResult> out) {
        serving.command(command, lastScoredVersion, System.currentTimeMillis())
                .ifPresent(d -> record(d, heldOut.completeAt(d.modelVersion()) ? heldOut.rows() : List.of(), ctx));
    }

    /** Writes a decision to the side output; a promoted version's held-out rows become the serving gallery. */
    private void record(PromotionDecision decision, List<ImageEmbedding> rows, Context ctx) {
        LOG.info("model version {} {}: {}", decision.modelVersion(), decision.kind(), decision.reason());
        ctx.output(PROMOTIONS, decision);
        if (decision.promoted() && !rows.isEmpty()) {
            continual.serve(rows, decision.modelVersion());
        }
    }

    /** Enough held-out images to be meaningful in the protocol's mode. */
    private boolean heldOutScorable() {
        if (heldOut.size() < protocol.minEvalImages()) {
            return false;
        }
        if (protocol.mode() == EvaluationMode.LEAVE_ONE_OUT) {
            return Rows.leaveOneOutScorable(heldOut.view());
        }
        Map<String, Integer> galleryPerClass = new HashMap<>();
        List<String> queryLabels = new ArrayList<>();
        for (ImageEmbedding e : heldOut.view()) {
            if (protocol.isQuery(e.imageId())) {
                queryLabels.add(e.label());
            } else {
                galleryPerClass.merge(e.label(), 1, Integer::sum);
            }
        }
        long classes =
                heldOut.view().stream().map(ImageEmbedding::label).distinct().count();
        return classes >= 2 && queryLabels.stream().anyMatch(galleryPerClass::containsKey);
    }

    private EvaluationResult score(List<ImageEmbedding> rows, boolean withSeen) {
        long start = System.nanoTime();
        RetrievalEvaluator evaluator = new RetrievalEvaluator(protocol.evaluationConfig());
        ImageEmbedding any = rows.get(0);
        String[] names = new String[heads.size() + 1];
        names[0] = COMBINED;
        for (int h = 0; h < heads.size(); h++) {
            names[h + 1] = heads.get(h).id();
        }
        SetScores held = scoreSet(evaluator, rows, protocol.mode());
        List<ImageEmbedding> seenRows = withSeen ? seen.table().rows() : null;
        SetScores sampled = withSeen ? scoreSet(evaluator, seenRows, EvaluationMode.LEAVE_ONE_OUT) : null;
        ContinualScores continualScores = continual.score(evaluator, rows, seenRows, arrivals);
        lastRecallAt1 = held.scores[0][0];
        if (sampled != null) {
            lastSeenRecallAt1 = sampled.scores[0][0];
        }
        LOG.info(
                "model version {}: combined recall@1 {} on {} held-out images of {} classes ({}), seen-class recall@1 {}"
                        + " on {} training images ({} ms)",
                any.modelVersion(),
                String.format("%.4f", held.scores[0][0]),
                rows.size(),
                held.classes,
                protocol.mode().id(),
                sampled == null ? "-" : String.format("%.4f", sampled.scores[0][0]),
                sampled == null ? 0 : sampled.images,
                (System.nanoTime() - start) / 1_000_000);
        return new EvaluationResult(
                any.modelVersion(),
                any.modelStep(),
                any.modelImagesSeen(),
                protocol.mode().id(),
                rows.size(),
                held.classes,
                held.queries,
                names,
                held.scores,
                protocol.recallKs().stream().mapToInt(Integer::intValue).toArray(),
                held.recallAtK,
                sampled == null ? 0 : sampled.images,
                sampled == null ? 0 : sampled.classes,
                sampled == null ? new double[0][] : sampled.scores,
                sampled == null ? new double[0][] : sampled.recallAtK,
                any.modelCreatedAt(),
                System.currentTimeMillis(),
                continualScores);
    }

    /** The scores of one set (rows sorted by image id), per embedding. */
    private record SetScores(int images, int classes, int queries, double[][] scores, double[][] recallAtK) {}

    private SetScores scoreSet(RetrievalEvaluator evaluator, List<ImageEmbedding> rows, EvaluationMode mode) {
        Map<String, Integer> classIds = new HashMap<>();
        int[] labels = Rows.labelIds(rows, classIds);
        boolean[] query = new boolean[rows.size()];
        int queries = 0;
        if (mode == EvaluationMode.QUERY_GALLERY) {
            for (int i = 0; i < query.length; i++) {
                query[i] = protocol.isQuery(rows.get(i).imageId());
                queries += query[i] ? 1 : 0;
            }
        }
        int n = heads.size() + 1;
        double[][] scores = new double[n][];
        double[][] recallAtK = new double[n][];
        for (int e = 0; e < n; e++) {
            float[][] vectors = column(rows, e - 1);
            RetrievalScores s;
            if (mode == EvaluationMode.LEAVE_ONE_OUT) {
                s = evaluator.evaluate(vectors, labels);
            } else {
                s = evaluator.evaluate(
                        select(vectors, query, true), select(labels, query, true),
                        select(vectors, query, false), select(labels, query, false));
            }
            scores[e] = toArray(s);
            recallAtK[e] = protocol.recallKs().stream().mapToDouble(s::recallAt).toArray();
        }
        return new SetScores(rows.size(), classIds.size(), queries, scores, recallAtK);
    }

    private static float[][] select(float[][] rows, boolean[] query, boolean queries) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            if (query[i] == queries) {
                out.add(rows[i]);
            }
        }
        return out.toArray(float[][]::new);
    }

    private static int[] select(int[] labels, boolean[] query, boolean queries) {
        int[] out = new int[labels.length];
        int m = 0;
        for (int i = 0; i < labels.length; i++) {
            if (query[i] == queries) {
                out[m++] = labels[i];
            }
        }
        return Arrays.copyOf(out, m);
    }

    private static float[][] column(List<ImageEmbedding> rows, int head) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = head < 0 ? rows.get(i).combined() : rows.get(i).heads()[head];
        }
        return out;
    }

    /**
     * The {@link EvaluationResult#SCORE_COUNT} values of a result row.
     *
     * @param s the evaluator's scores
     * @return recall@1, recall@2, recall@4, recall@8, NMI, MAP@R, precision@1, R-precision, F1
     */
    public static double[] toArray(RetrievalScores s) {
        return new double[] {
            s.recallAt1(),
            s.recallAt2(),
            s.recallAt4(),
            s.recallAt8(),
            s.nmi(),
            s.mapAtR(),
            s.precisionAt1(),
            s.rPrecision(),
            s.f1()
        };
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        tableState.update(heldOut.rows());
        seenState.update(seen == null ? List.of() : seen.table().rows());
        scoredState.update(List.of(lastScoredVersion));
        arrivalsState.update(List.of(arrivals.snapshot()));
        servingState.update(continual.servingRows());
        groupBestState.update(continual.bestScores());
        promotedState.update(List.of(serving.promoted()));
        pinState.update(serving.pin());
        rollbackState.update(serving.pendingRollbacks());
    }
}
