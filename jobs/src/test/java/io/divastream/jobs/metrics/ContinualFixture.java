package io.divastream.jobs.metrics;

import io.divastream.jobs.events.EvaluationResult;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.jobs.events.PromotionDecision;
import io.divastream.jobs.events.Role;
import io.divastream.model.DivaHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;

/**
 * Embeddings for the scorer's continual and promotion tests: training classes arriving in order and held-out
 * classes, near their class centres or scrambled, and a naive Recall@1 to check the scores against.
 */
final class ContinualFixture {

    static final int DIM = 8;
    static final int TRAIN_CLASSES = 9;
    static final int TRAIN_PER_CLASS = 3;
    static final int EVAL_CLASSES = 4;
    static final int EVAL_PER_CLASS = 6;

    private ContinualFixture() {}

    /**
     * The scorers' protocol in these tests: every version, leave-one-out, 3 sampled images per seen class.
     *
     * @param queryFraction the hashed query share (cross-version scores)
     * @param groupSize classes per group
     * @param policy the promotion policy
     * @return the protocol
     */
    static MetricsProtocol protocol(double queryFraction, int groupSize, PromotionPolicy policy) {
        return new MetricsProtocol(
                1,
                2,
                EvaluationMode.LEAVE_ONE_OUT,
                queryFraction,
                List.of(1, 2, 4, 8),
                3,
                1_000,
                7,
                groupSize,
                100,
                policy);
    }

    /** The scorer harnesses a test opened, closed by {@link #close()}. */
    static final class Scorers implements AutoCloseable {
        private final List<TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult>>
                open = new ArrayList<>();

        /**
         * Opens a scorer of the discriminative head, from a snapshot or afresh.
         *
         * @param protocol the protocol
         * @param from the snapshot, or null
         * @return the opened harness
         * @throws Exception if it cannot open
         */
        TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> open(
                MetricsProtocol protocol, OperatorSubtaskState from) throws Exception {
            var h = new TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult>(
                    new CoProcessOperator<>(new RetrievalMetricsFunction(List.of(DivaHead.DISCRIMINATIVE), protocol)));
            open.add(h);
            h.initializeState(from);
            h.open();
            return h;
        }

        @Override
        public void close() throws Exception {
            for (var h : open) {
                h.close();
            }
        }
    }

    /**
     * An image's unit embedding: near its class's centre, or (noise 1) anywhere; continuous, so no ties.
     */
    static ImageEmbedding embedding(String id, String label, Role role, long version, double noise) {
        Random centre = new Random(StableHash.of(label));
        Random image = new Random(StableHash.of(id + "@" + version));
        float[] v = new float[DIM];
        double norm = 0;
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) ((1 - noise) * centre.nextGaussian()
                    + noise * 3 * image.nextGaussian()
                    + 0.1 * image.nextGaussian());
            norm += v[d] * v[d];
        }
        for (int d = 0; d < DIM; d++) {
            v[d] /= (float) Math.sqrt(norm);
        }
        return new ImageEmbedding(id, label, role, version, 10 * version, 0, 0, v, new float[][] {v.clone()}, 0, 0);
    }

    /** A version: the training classes in arrival order, then the held-out images; groups matching get noise. */
    static List<ImageEmbedding> version(long v, Predicate<Integer> scrambledClass, double evalNoise) {
        List<ImageEmbedding> out = new ArrayList<>();
        for (int c = 0; c < TRAIN_CLASSES; c++) {
            for (int i = 0; i < TRAIN_PER_CLASS; i++) {
                out.add(embedding("t" + c + "-" + i, "train" + c, Role.TRAIN, v, scrambledClass.test(c) ? 1 : 0));
            }
        }
        for (int c = 0; c < EVAL_CLASSES; c++) {
            for (int i = 0; i < EVAL_PER_CLASS; i++) {
                out.add(embedding("e" + c + "-" + i, "eval" + c, Role.EVAL, v, evalNoise));
            }
        }
        return out;
    }

    /** Naive Recall@1: for each query, is the most similar gallery row (not itself) of its class. */
    static double recallAt1(List<ImageEmbedding> queries, List<ImageEmbedding> gallery) {
        int hits = 0;
        for (ImageEmbedding q : queries) {
            double best = Double.NEGATIVE_INFINITY;
            String label = null;
            for (ImageEmbedding g : gallery) {
                if (g.imageId().equals(q.imageId())) {
                    continue;
                }
                double dot = 0;
                for (int d = 0; d < DIM; d++) {
                    dot += q.combined()[d] * g.combined()[d];
                }
                if (dot > best) {
                    best = dot;
                    label = g.label();
                }
            }
            hits += q.label().equals(label) ? 1 : 0;
        }
        return (double) hits / queries.size();
    }

    static List<EvaluationResult> feed(
            TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> h,
            List<ImageEmbedding> rows)
            throws Exception {
        for (ImageEmbedding e : rows) {
            h.processElement1(e, 0);
        }
        List<EvaluationResult> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    /**
     * Takes the decisions the scorer wrote to its side output since the last call.
     *
     * @param h the scorer
     * @return the decisions, in order
     */
    static List<PromotionDecision> decisions(
            TwoInputStreamOperatorTestHarness<ImageEmbedding, OperatorCommand.Applied, EvaluationResult> h) {
        List<PromotionDecision> out = new ArrayList<>();
        var queue = h.getSideOutput(RetrievalMetricsFunction.PROMOTIONS);
        if (queue != null) {
            for (StreamRecord<PromotionDecision> r : queue) {
                out.add(r.getValue());
            }
            queue.clear();
        }
        return out;
    }
}
