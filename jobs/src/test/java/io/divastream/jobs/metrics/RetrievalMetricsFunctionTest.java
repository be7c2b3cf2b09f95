package io.divastream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.evaluation.EvaluationConfig;
import io.divastream.evaluation.RetrievalEvaluator;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.jobs.events.EvaluationResult;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.jobs.events.Role;
import io.divastream.model.DivaHead;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The retrieval metrics operator: when it scores, what it scores, and its checkpoint. The scores
 * are checked against {@link RetrievalEvaluator} run on the same vectors, in the same order, with
 * the same seed.
 */
class RetrievalMetricsFunctionTest {

    private static final List<DivaHead> HEADS = List.of(DivaHead.values());
    private static final long SEED = 5;
    private static final int DIM = 4;
    private static final int CLASSES = 3;
    private static final int PER_CLASS = 4;

    private final Random random = new Random(23);
    private final Map<String, float[][]> centres = new HashMap<>();
    private final List<TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult>>
            harnesses = new ArrayList<>();

    /** The oracle's view of the table: the latest embedding per image id (scored in id order). */
    private final Map<String, ImageEmbedding> table = new TreeMap<>();

    @AfterEach
    void close() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    private TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> opened(
            int everyVersions) throws Exception {
        var h = ProcessFunctionTestHarnesses.forCoProcessFunction(
                new RetrievalMetricsFunction(HEADS, everyVersions, 2, SEED));
        harnesses.add(h);
        return h;
    }

    private TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> restored(
            OperatorSubtaskState snapshot) throws Exception {
        var h = new TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult>(
                new CoProcessOperator<>(new RetrievalMetricsFunction(HEADS, 1, 2, SEED)));
        harnesses.add(h);
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    private static float[] unit(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.sqrt(s));
        }
        return out;
    }

    /** An embedding near its class's (and head's) centre, so the classes are partly separable. */
    private ImageEmbedding embedding(String id, String label, long version) {
        float[][] classCentres = centres.computeIfAbsent(label, l -> {
            float[][] c = new float[HEADS.size()][DIM];
            for (float[] head : c) {
                for (int t = 0; t < DIM; t++) {
                    head[t] = (float) random.nextGaussian();
                }
            }
            return c;
        });
        float[][] heads = new float[HEADS.size()][];
        for (int h = 0; h < heads.length; h++) {
            float[] v = new float[DIM];
            for (int t = 0; t < DIM; t++) {
                v[t] = classCentres[h][t] + 0.8f * (float) random.nextGaussian();
            }
            heads[h] = unit(v);
        }
        float[][][] perHead = new float[heads.length][1][];
        for (int h = 0; h < heads.length; h++) {
            perHead[h][0] = heads[h];
        }
        float[] combined = EmbeddingCombiner.combine(perHead, new double[] {1, 1, 1, 1})[0];
        return new ImageEmbedding(
                id,
                label,
                Role.EVAL,
                version,
                100 * version,
                1_000 * version,
                10_000 + version,
                combined,
                heads,
                7L,
                8L);
    }

    private static String label(int image) {
        return "Greek/character0" + (image % CLASSES);
    }

    private static String id(int image) {
        return "omniglot/" + label(image) + "/" + image + ".png";
    }

    private List<EvaluationResult> send(
            TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> h,
            ImageEmbedding e)
            throws Exception {
        ImageEmbedding previous = table.get(e.imageId());
        if (previous == null || previous.modelVersion() <= e.modelVersion()) {
            table.put(e.imageId(), e);
        }
        h.processElement1(e, 0);
        List<EvaluationResult> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    /** Sends version {@code version} of every image; returns the results after each one. */
    private List<List<EvaluationResult>> sendAll(
            TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> h,
            long version)
            throws Exception {
        List<List<EvaluationResult>> out = new ArrayList<>();
        for (int i = 0; i < CLASSES * PER_CLASS; i++) {
            out.add(send(h, embedding(id(i), label(i), version)));
        }
        return out;
    }

    /** The nine result values, read from the evaluator's record independently of the function. */
    static double[] toArray(RetrievalScores s) {
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

    /** Checks a result against the evaluator run on the oracle's table. */
    private void assertScoresOfTable(EvaluationResult result) {
        List<ImageEmbedding> rows = new ArrayList<>(table.values());
        Map<String, Integer> classIds = new LinkedHashMap<>();
        int[] labels = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            labels[i] = classIds.computeIfAbsent(rows.get(i).label(), l -> classIds.size());
        }
        RetrievalEvaluator evaluator =
                new RetrievalEvaluator(EvaluationConfig.defaults().withSeed(SEED));

        assertThat(result.evalImages()).isEqualTo(rows.size());
        assertThat(result.evalClasses()).isEqualTo(classIds.size());
        assertThat(result.embeddings()).containsExactly("combined", "discriminative", "selfsim", "shared", "intra");
        assertThat(result.scores()).hasNumberOfRows(5);
        float[][] combined = rows.stream().map(ImageEmbedding::combined).toArray(float[][]::new);
        assertThat(result.scoresOf("combined")).containsExactly(toArray(evaluator.evaluate(combined, labels)));
        for (int h = 0; h < HEADS.size(); h++) {
            int head = h;
            float[][] vectors = rows.stream().map(e -> e.heads()[head]).toArray(float[][]::new);
            assertThat(result.scoresOf(HEADS.get(h).id()))
                    .as(HEADS.get(h).id())
                    .containsExactly(toArray(evaluator.evaluate(vectors, labels)));
        }
        for (double[] s : result.scores()) {
            assertThat(s).hasSize(EvaluationResult.SCORE_COUNT);
            for (double v : s) {
                assertThat(v).isBetween(0.0, 1.0);
            }
        }
        assertThat(result.mode()).isEqualTo("leave-one-out");
        assertThat(result.hasSeen()).isFalse();
        assertThat(result.recallKs()).containsExactly(1, 2, 4, 8);
        for (int e = 0; e < result.embeddings().length; e++) {
            assertThat(result.recallAtK()[e]).containsExactly(Arrays.copyOf(result.scores()[e], 4));
        }
    }

    private static List<EvaluationResult> flatten(List<List<EvaluationResult>> perInput) {
        return perInput.stream().flatMap(List::stream).toList();
    }

    @Test
    void aVersionIsScoredOnceEveryEvaluationImageCarriesIt() throws Exception {
        var h = opened(1);
        // version 0: scored as soon as the table can be scored (image 3 gives a class two images)
        List<List<EvaluationResult>> v0 = sendAll(h, 0);
        for (int i = 0; i < v0.size(); i++) {
            assertThat(v0.get(i)).as("after image %d at version 0", i).hasSize(i == CLASSES ? 1 : 0);
        }
        assertThat(v0.get(CLASSES).get(0).evalImages()).isEqualTo(CLASSES + 1);

        // version 1: nothing while some images still carry version 0, one result when all carry 1
        List<List<EvaluationResult>> v1 = sendAll(h, 1);
        assertThat(flatten(v1.subList(0, v1.size() - 1))).isEmpty();
        List<EvaluationResult> last = v1.get(v1.size() - 1);
        assertThat(last).hasSize(1);
        EvaluationResult result = last.get(0);
        assertThat(result.modelVersion()).isEqualTo(1);
        assertThat(result.trainingStep()).isEqualTo(100);
        assertThat(result.imagesSeen()).isEqualTo(1_000);
        assertThat(result.modelCreatedAt()).isEqualTo(10_001);
        assertThat(result.evalImages()).isEqualTo(CLASSES * PER_CLASS);
        assertThat(result.evalClasses()).isEqualTo(CLASSES);
        assertThat(result.computedAt())
                .isCloseTo(System.currentTimeMillis(), org.assertj.core.api.Assertions.within(60_000L));
        assertScoresOfTable(result);
    }

    @Test
    void aScoredVersionIsNotScoredAgainAndOlderEmbeddingsAreIgnored() throws Exception {
        var h = opened(1);
        sendAll(h, 0);
        assertThat(flatten(sendAll(h, 1))).hasSize(1);

        // redeliveries of version 1 and a late version 0 change nothing
        assertThat(send(h, embedding(id(0), label(0), 1))).isEmpty();
        assertThat(send(h, embedding(id(5), label(5), 0))).isEmpty();
        // a new evaluation image at the scored version is not a reason to score it again
        assertThat(send(h, embedding("new", label(1), 1))).isEmpty();

        // version 2 waits for the new image too; the late version-0 embedding does not hold it back
        assertThat(flatten(sendAll(h, 2))).isEmpty();
        assertThat(send(h, embedding("new", label(1), 2))).hasSize(1).allSatisfy(this::assertScoresOfTable);
    }

    @Test
    void nothingIsScoredBeforeTheMinimumNumberOfEvaluationImages() throws Exception {
        var h = ProcessFunctionTestHarnesses.forCoProcessFunction(
                new RetrievalMetricsFunction(HEADS, 1, CLASSES * PER_CLASS, SEED));
        harnesses.add(h);
        List<List<EvaluationResult>> results = sendAll(h, 0);
        for (int i = 0; i < results.size() - 1; i++) {
            assertThat(results.get(i)).as("after %d images", i + 1).isEmpty();
        }
        assertThat(results.get(results.size() - 1))
                .singleElement()
                .satisfies(r -> assertThat(r.evalImages()).isEqualTo(CLASSES * PER_CLASS));
    }

    @Test
    void aTableOfOneClassOrOfSingletonsIsNotScored() throws Exception {
        var h = opened(1);
        for (int i = 0; i < 5; i++) {
            assertThat(send(h, embedding("a" + i, "Greek/character01", 0))).isEmpty();
        }
        assertThat(send(h, embedding("b0", "Greek/character02", 0)))
                .hasSize(1)
                .allSatisfy(r -> assertThat(r.evalClasses()).isEqualTo(2));

        var singletons = opened(1);
        table.clear();
        assertThat(send(singletons, embedding("x", "Latin/character01", 0))).isEmpty();
        assertThat(send(singletons, embedding("y", "Latin/character02", 0))).isEmpty();
        assertThat(send(singletons, embedding("z", "Latin/character03", 0))).isEmpty();
        List<EvaluationResult> out = send(singletons, embedding("x2", "Latin/character01", 0));
        assertThat(out).hasSize(1);
        assertScoresOfTable(out.get(0));
    }

    @Test
    void onlyEveryNthVersionIsReportedButVersionZeroAlways() throws Exception {
        var h = opened(2);
        List<Long> reported = new ArrayList<>();
        for (long v = 0; v <= 4; v++) {
            for (EvaluationResult r : flatten(sendAll(h, v))) {
                reported.add(r.modelVersion());
            }
        }
        assertThat(reported).containsExactly(0L, 2L, 4L);
    }

    @Test
    void restoreKeepsTheTableAndTheLastScoredVersion() throws Exception {
        var h = opened(1);
        sendAll(h, 0);
        assertThat(flatten(sendAll(h, 1))).hasSize(1);
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);

        var r = restored(snapshot);
        // every image carries version 1, which was scored before the checkpoint
        assertThat(send(r, embedding(id(0), label(0), 1))).isEmpty();
        assertThat(send(r, embedding(id(4), label(4), 2))).isEmpty();
        List<EvaluationResult> out = new ArrayList<>();
        for (int i = 0; i < CLASSES * PER_CLASS; i++) {
            if (i != 4) {
                assertThat(out)
                        .as("scored before image %d carries version 2", i)
                        .isEmpty();
                out.addAll(send(r, embedding(id(i), label(i), 2)));
            }
        }
        // without the restored table, version 2 would have been scored on a partial table
        assertThat(out).hasSize(1);
        assertThat(out.get(0).modelVersion()).isEqualTo(2);
        assertThat(out.get(0).evalImages()).isEqualTo(CLASSES * PER_CLASS);
        assertScoresOfTable(out.get(0));
    }
}
