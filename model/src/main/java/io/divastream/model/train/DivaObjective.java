package io.divastream.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.divastream.model.DivaHead;
import io.divastream.model.config.DecorrelationPair;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.loss.AdversarialSeparation;
import io.divastream.model.loss.DanceLoss;
import io.divastream.model.loss.MarginLoss;
import io.divastream.model.loss.SeparationPair;
import io.divastream.model.miner.BatchMiner;
import io.divastream.model.miner.DistanceWeightedMiner;
import io.divastream.model.miner.IntraClassMiner;
import io.divastream.model.miner.Triplets;
import io.divastream.model.tensor.Scalars;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The DiVA objective on one batch (DIVA_SPEC section 2.5):
 *
 * <pre>L = L_disc + alpha_ssl L_DaNCE + alpha_shared L_shared + alpha_intra L_intra + L_sep</pre>
 *
 * with each margin loss on its own miner and beta vector, DaNCE against the state's queue, and
 * L_sep the adversarial separation through the regressors (section 3). A baseline objective
 * replaces every margin loss by the baseline's loss. Each head's mining draws from a stream of the
 * seed, the step and the head ({@link RandomStreams}).
 */
final class DivaObjective {

    /**
     * The objective's value.
     *
     * @param total the scalar objective, null if no term was asked for
     * @param value the objective's value (NaN if no term was asked for)
     * @param taskLosses each head's unweighted task loss, in the order computed
     * @param decorrelation the value of L_sep (0 if not computed)
     */
    record Value(NDArray total, double value, Map<DivaHead, Double> taskLosses, double decorrelation) {}

    private final TrainerState state;
    private final NetworkSpec spec;
    private final LossSpec lossSpec;
    private final long seed;
    private final BatchMiner discriminativeMiner;
    private final BatchMiner sharedMiner;
    private final BatchMiner intraMiner;

    /**
     * Creates the objective over a trainer's state (its betas, regressors, queue and baseline).
     *
     * @param state the state
     */
    DivaObjective(TrainerState state) {
        DivaConfig config = state.config();
        this.state = state;
        this.spec = config.network();
        this.lossSpec = config.loss();
        this.seed = config.seed();
        this.discriminativeMiner = new DistanceWeightedMiner(lossSpec.minerLowerCutoff());
        this.sharedMiner = config.objective().sharedMining().miner(lossSpec.minerLowerCutoff());
        this.intraMiner = new IntraClassMiner(config.objective().excludeDegenerateIntra());
    }

    /**
     * The whole objective of a training step: every head's task loss and L_sep, gradients reversed.
     *
     * @param e the query network's head embeddings of view A
     * @param keys the key encoder's embeddings of view B (null without the selfsim head)
     * @param classes the class index of each image
     * @param step the step being taken (its mining streams)
     * @return the value
     */
    Value compute(NDList e, NDArray keys, int[] classes, long step) {
        return compute(e, keys, classes, step, spec.heads(), true, true);
    }

    /**
     * Chosen terms of the objective: the tasks' losses weighted by their alphas, plus L_sep.
     *
     * @param e the query network's head embeddings of view A
     * @param keys the key encoder's embeddings of view B (null without the selfsim head)
     * @param classes the class index of each image
     * @param step the step being taken (its mining streams)
     * @param tasks the heads whose task loss to include
     * @param separation whether to include L_sep (if there are regressors)
     * @param reverseGradient false to compute L_sep without the gradient-reversal layer
     * @return the value
     */
    Value compute(
            NDList e,
            NDArray keys,
            int[] classes,
            long step,
            List<DivaHead> tasks,
            boolean separation,
            boolean reverseGradient) {
        Map<DivaHead, Double> taskLosses = new EnumMap<>(DivaHead.class);
        double decorrelation = 0;
        NDArray total = null;
        for (DivaHead head : tasks) {
            NDArray loss = taskLoss(head, e.get(spec.indexOf(head)), keys, classes, step);
            taskLosses.put(head, (double) loss.getFloat());
            NDArray weighted = Scalars.mul(loss, alpha(head));
            total = total == null ? weighted : total.add(weighted);
        }
        if (separation && !state.regressors().isEmpty()) {
            NDArray sep = separation(e, reverseGradient);
            decorrelation = sep.getFloat();
            total = total == null ? sep : total.add(sep);
        }
        double value = total == null ? Double.NaN : total.getFloat();
        return new Value(total, value, Collections.unmodifiableMap(taskLosses), decorrelation);
    }

    /**
     * The weight of a head's task loss in the objective.
     *
     * @param head the head
     * @return 1 for the discriminative head, else its configured alpha
     */
    double alpha(DivaHead head) {
        return switch (head) {
            case DISCRIMINATIVE -> 1.0;
            case SELFSIM -> lossSpec.alphaSelfsim();
            case SHARED -> lossSpec.alphaShared();
            case INTRA -> lossSpec.alphaIntra();
        };
    }

    private NDArray taskLoss(DivaHead head, NDArray embedding, NDArray keys, int[] classes, long step) {
        if (head == DivaHead.SELFSIM) {
            return DanceLoss.compute(
                    embedding,
                    keys,
                    state.queue().keys(),
                    lossSpec.temperature(),
                    lossSpec.minerLowerCutoff(),
                    lossSpec.danceUpperCutoff(),
                    lossSpec.danceFixed());
        }
        if (state.baseline() != null) {
            return state.baseline().compute(embedding, classes, miningStream(head, step));
        }
        BatchMiner miner = switch (head) {
            case DISCRIMINATIVE -> discriminativeMiner;
            case SHARED -> sharedMiner;
            default -> intraMiner;
        };
        Triplets triplets = miner.mine(rows(embedding), classes, miningStream(head, step));
        int[] anchorClasses = new int[triplets.size()];
        for (int t = 0; t < anchorClasses.length; t++) {
            anchorClasses[t] = classes[triplets.anchors()[t]];
        }
        return MarginLoss.compute(embedding, triplets, state.betas().get(head), anchorClasses, lossSpec.margin());
    }

    /** The stream of a head's mining (or a baseline's random choices) in a step. */
    private SplittableRandom miningStream(DivaHead head, long step) {
        return RandomStreams.of(seed, RandomStreams.Purpose.MINING, step, head.ordinal());
    }

    /** L_sep = - sum over pairs of rho * c(source, target), on gradient-reversed embeddings. */
    private NDArray separation(NDList embeddings, boolean reverseGradient) {
        List<SeparationPair> positions = new ArrayList<>(state.pairs().size());
        for (DecorrelationPair pair : state.pairs()) {
            positions.add(new SeparationPair(spec.indexOf(pair.source()), spec.indexOf(pair.target()), pair.rho()));
        }
        return AdversarialSeparation.separation(
                embeddings, positions, state.regressors(), state.parameterStore(), true, reverseGradient);
    }

    /**
     * The rows of a (n, d) array, detached from any gradient.
     *
     * @param embedding the array
     * @return its rows
     */
    static float[][] rows(NDArray embedding) {
        int n = (int) embedding.getShape().get(0);
        int d = (int) embedding.getShape().get(1);
        float[] flat = embedding.stopGradient().toFloatArray();
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }
}
