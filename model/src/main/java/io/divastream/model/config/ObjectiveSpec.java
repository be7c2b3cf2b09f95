package io.divastream.model.config;

import io.divastream.model.DivaHead;
import io.divastream.model.loss.baseline.BaselineSpec;
import io.divastream.model.miner.SharedMining;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Which variant of the DiVA objective is trained: the tasks are the enabled heads of the {@link
 * NetworkSpec}; this adds whether the heads are decorrelated, and with which pairs and weights.
 * Together with the heads it expresses the paper's ablations (any subset of the four tasks, with
 * or without decorrelation).
 *
 * @param decorrelate whether the adversarial decorrelation L_sep is part of the objective
 * @param pairs explicit decorrelation pairs; empty means the original code's pairs for the
 *     enabled heads ({@link DecorrelationPair#defaults}) with the loss's rho
 * @param baseline null for DiVA; otherwise the baseline loss trained on the single
 *     (discriminative) embedding instead of the margin loss
 * @param sharedMining the class-shared task's miner: {@code random} label shuffling as published,
 *     or the {@code standard} / {@code full} cross-class variants of the original code
 * @param excludeDegenerateIntra false (published) keeps the intra miner's degenerate triplets
 *     (p = a or n = a); true redraws them
 */
public record ObjectiveSpec(
        boolean decorrelate,
        List<DecorrelationPair> pairs,
        BaselineSpec baseline,
        SharedMining sharedMining,
        boolean excludeDegenerateIntra)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Creates a DiVA objective.
     *
     * @param decorrelate whether L_sep is part of the objective
     * @param pairs explicit decorrelation pairs, or empty for the original ones
     */
    public ObjectiveSpec(boolean decorrelate, List<DecorrelationPair> pairs) {
        this(decorrelate, pairs, null, SharedMining.RANDOM, false);
    }

    /**
     * Returns a copy with another shared-task miner.
     *
     * @param mining the miner
     * @return the new objective
     */
    public ObjectiveSpec withSharedMining(SharedMining mining) {
        return new ObjectiveSpec(decorrelate, pairs, baseline, mining, excludeDegenerateIntra);
    }

    /**
     * Returns a copy that keeps or redraws the intra miner's degenerate triplets.
     *
     * @param exclude true to redraw them
     * @return the new objective
     */
    public ObjectiveSpec withExcludeDegenerateIntra(boolean exclude) {
        return new ObjectiveSpec(decorrelate, pairs, baseline, sharedMining, exclude);
    }

    /**
     * A baseline: one loss on one embedding, no auxiliary task and no decorrelation.
     *
     * @param baseline the loss
     * @return the objective
     */
    public static ObjectiveSpec baseline(BaselineSpec baseline) {
        return new ObjectiveSpec(
                false, List.of(), Objects.requireNonNull(baseline, "baseline"), SharedMining.RANDOM, false);
    }

    /**
     * Tells whether this is a baseline rather than DiVA.
     *
     * @return true with a baseline loss
     */
    public boolean isBaseline() {
        return baseline != null;
    }

    /** Copies the pairs. */
    public ObjectiveSpec {
        Objects.requireNonNull(sharedMining, "sharedMining");
        pairs = List.copyOf(Objects.requireNonNull(pairs, "pairs"));
        if (pairs.stream()
                        .map(p -> p.source().name() + ">" + p.target().name())
                        .distinct()
                        .count()
                != pairs.size()) {
            throw new IllegalArgumentException("decorrelation pairs must not repeat, got " + pairs);
        }
    }

    /**
     * DiVA as published: decorrelation with the original pairs.
     *
     * @return the published objective
     */
    public static ObjectiveSpec published() {
        return new ObjectiveSpec(true, List.of());
    }

    /**
     * The ablation without decorrelation.
     *
     * @return an objective without L_sep
     */
    public static ObjectiveSpec withoutDecorrelation() {
        return new ObjectiveSpec(false, List.of());
    }

    /**
     * The decorrelation pairs this objective trains for a set of heads.
     *
     * @param heads the enabled heads
     * @param rho the default pair weight
     * @return the pairs (empty without decorrelation)
     * @throws IllegalArgumentException if an explicit pair names a head that is not enabled
     */
    public List<DecorrelationPair> pairsFor(List<DivaHead> heads, double rho) {
        if (baseline != null && !heads.equals(List.of(DivaHead.DISCRIMINATIVE))) {
            throw new IllegalArgumentException("a baseline trains one embedding: the heads must be just "
                    + "discriminative (of the total size), got " + heads);
        }
        if (!decorrelate) {
            return List.of();
        }
        if (pairs.isEmpty()) {
            return DecorrelationPair.defaults(heads, rho);
        }
        for (DecorrelationPair pair : pairs) {
            if (!heads.contains(pair.source()) || !heads.contains(pair.target())) {
                throw new IllegalArgumentException(
                        "decorrelation pair " + pair + " names a head that is not enabled " + heads);
            }
        }
        return pairs;
    }
}
