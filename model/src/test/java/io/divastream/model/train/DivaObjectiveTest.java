package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.config.DecorrelationPair;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.loss.DanceLoss;
import io.divastream.model.miner.BatchMiner;
import io.divastream.model.miner.DistanceWeightedMiner;
import io.divastream.model.miner.IntraClassMiner;
import io.divastream.model.miner.Triplets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The objective against naive loops over the same embeddings, triplets and regressors. */
class DivaObjectiveTest {

    private static final int B = 16;
    private static final int D = 16;
    private static final int[] CLASSES = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3};
    private static final long STEP = 5;

    private final DivaConfig config = DivaTrainerTest.smallConfig();
    private final LossSpec loss = config.loss();

    @BeforeEach
    void noRecording() {
        DjlRuntime.disableGradientRecording();
    }

    private static NDList unitEmbeddings(NDManager m, int heads) {
        NDList e = new NDList();
        for (int h = 0; h < heads; h++) {
            e.add(m.randomNormal(new Shape(B, D)).normalize(2, 1));
        }
        return e;
    }

    private static double norm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    private static double distance(float[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
        }
        return Math.sqrt(s + 1e-8);
    }

    /** The margin loss of the triplets that the head's miner draws from the head's stream of the step. */
    private double naiveMargin(DivaHead head, float[][] rows, float[] beta) {
        BatchMiner miner = switch (head) {
            case DISCRIMINATIVE -> new DistanceWeightedMiner(loss.minerLowerCutoff());
            case SHARED -> config.objective().sharedMining().miner(loss.minerLowerCutoff());
            default -> new IntraClassMiner(config.objective().excludeDegenerateIntra());
        };
        Triplets t = miner.mine(
                rows, CLASSES, RandomStreams.of(config.seed(), RandomStreams.Purpose.MINING, STEP, head.ordinal()));
        double sum = 0;
        int active = 0;
        for (int i = 0; i < t.size(); i++) {
            double b = beta[CLASSES[t.anchors()[i]]];
            double pos = Math.max(0, distance(rows[t.anchors()[i]], rows[t.positives()[i]]) - b + loss.margin());
            double neg = Math.max(0, b - distance(rows[t.anchors()[i]], rows[t.negatives()[i]]) + loss.margin());
            sum += pos + neg;
            active += pos > 0 || neg > 0 ? 1 : 0;
        }
        return active > 0 ? sum / active : sum;
    }

    /** L_sep = - sum over pairs of rho * mean over rows and dimensions of (t * normalize(R(s)))^2. */
    private static double naiveSeparation(TrainerState s, NDList e) {
        double total = 0;
        for (int i = 0; i < s.pairs().size(); i++) {
            DecorrelationPair pair = s.pairs().get(i);
            NDArray source = e.get(s.spec().indexOf(pair.source()));
            float[][] target = DivaObjective.rows(e.get(s.spec().indexOf(pair.target())));
            float[][] predicted = DivaObjective.rows(s.regressors()
                    .get(i)
                    .forward(s.parameterStore(), new NDList(source.normalize(2, 1, 1e-12)), true)
                    .singletonOrThrow());
            double c = 0;
            for (int r = 0; r < B; r++) {
                double pn = Math.max(norm(predicted[r]), 1e-12);
                double tn = Math.max(norm(target[r]), 1e-12);
                for (int d = 0; d < D; d++) {
                    double v = (target[r][d] / tn) * (predicted[r][d] / pn);
                    c += v * v;
                }
            }
            total -= pair.rho() * c / (B * D);
        }
        return total;
    }

    @Test
    void eachMarginLossAndTheSeparationMatchNaiveLoopsAndTheTotalIsTheirAlphaWeightedSum() {
        try (TrainerState s = new TrainerState(config, 64, Device.cpu());
                NDManager m = s.root().newSubManager()) {
            s.queue().enqueue(m.randomNormal(new Shape(32, D)).normalize(2, 1));
            NDList e = unitEmbeddings(m, DivaHead.values().length);
            NDArray keys = m.randomNormal(new Shape(B, D)).normalize(2, 1);
            DivaObjective objective = new DivaObjective(s);
            DivaObjective.Value value = objective.compute(e, keys, CLASSES, STEP);

            double expected = 0;
            for (DivaHead head : s.spec().heads()) {
                double task;
                NDArray embedding = e.get(s.spec().indexOf(head));
                if (head == DivaHead.SELFSIM) {
                    task = DanceLoss.compute(
                                    embedding,
                                    keys,
                                    s.queue().keys(),
                                    loss.temperature(),
                                    loss.minerLowerCutoff(),
                                    loss.danceUpperCutoff(),
                                    loss.danceFixed())
                            .getFloat();
                } else {
                    task = naiveMargin(
                            head,
                            DivaObjective.rows(embedding),
                            s.betas().get(head).toFloatArray());
                }
                assertThat(value.taskLosses().get(head)).as(head.id()).isCloseTo(task, within(1e-5));
                expected += objective.alpha(head) * task;
            }
            double separation = naiveSeparation(s, e);
            assertThat(separation).isNegative();
            assertThat(value.decorrelation()).isCloseTo(separation, within(1e-6 + 1e-4 * Math.abs(separation)));
            expected += separation;
            assertThat(value.value()).isCloseTo(expected, within(1e-4 * Math.max(1, Math.abs(expected))));
            assertThat(value.total().getFloat()).isEqualTo((float) value.value());
        }
    }

    @Test
    void chosenTermsOnlyAndTheSameDrawsAtTheSameStep() {
        try (TrainerState s = new TrainerState(config, 64, Device.cpu());
                NDManager m = s.root().newSubManager()) {
            NDList e = unitEmbeddings(m, DivaHead.values().length);
            DivaObjective objective = new DivaObjective(s);
            List<DivaHead> margins = List.of(DivaHead.DISCRIMINATIVE, DivaHead.INTRA);

            DivaObjective.Value none = objective.compute(e, null, CLASSES, STEP, List.of(), false, true);
            assertThat(none.total()).isNull();
            assertThat(none.value()).isNaN();
            assertThat(none.taskLosses()).isEmpty();
            assertThat(none.decorrelation()).isZero();

            DivaObjective.Value two = objective.compute(e, null, CLASSES, STEP, margins, false, true);
            assertThat(two.taskLosses().keySet()).containsExactlyElementsOf(margins);
            assertThat(two.decorrelation()).isZero();
            Map<DivaHead, Double> l = two.taskLosses();
            assertThat(two.value())
                    .isCloseTo(
                            l.get(DivaHead.DISCRIMINATIVE) + loss.alphaIntra() * l.get(DivaHead.INTRA), within(1e-5));
            assertThat(objective
                            .compute(e, null, CLASSES, STEP, margins, false, true)
                            .taskLosses())
                    .isEqualTo(two.taskLosses());

            DivaObjective.Value sepOnly = objective.compute(e, null, CLASSES, STEP, List.of(), true, false);
            assertThat(sepOnly.taskLosses()).isEmpty();
            assertThat(sepOnly.value()).isCloseTo(sepOnly.decorrelation(), within(1e-7));
            assertThat(sepOnly.decorrelation())
                    .isCloseTo(naiveSeparation(s, e), within(1e-4 * Math.abs(sepOnly.decorrelation())));
        }
    }

    @Test
    void theAlphasAreOneForTheDiscriminativeHeadAndTheConfiguredOnesElse() {
        try (TrainerState s = new TrainerState(config, 64, Device.cpu())) {
            DivaObjective objective = new DivaObjective(s);
            assertThat(objective.alpha(DivaHead.DISCRIMINATIVE)).isEqualTo(1.0);
            assertThat(objective.alpha(DivaHead.SELFSIM)).isEqualTo(loss.alphaSelfsim());
            assertThat(objective.alpha(DivaHead.SHARED)).isEqualTo(loss.alphaShared());
            assertThat(objective.alpha(DivaHead.INTRA)).isEqualTo(loss.alphaIntra());
        }
    }

    @Test
    void rowsAreTheArraysRowsInOrder() {
        try (NDManager m = DjlRuntime.engine().newBaseManager(Device.cpu())) {
            float[][] rows = DivaObjective.rows(m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(3, 2)));
            assertThat(rows).isDeepEqualTo(new float[][] {{1, 2}, {3, 4}, {5, 6}});
        }
    }
}
