package io.divastream.model.config;

import io.divastream.model.DivaHead;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Everything that defines one DiVA model and how it is trained.
 *
 * @param network the network's shape
 * @param loss the objective's weights and constants
 * @param optimizer the Adam parameter groups
 * @param momentum the key encoder and its queue
 * @param objective the variant of the objective: decorrelation and its pairs
 * @param seed seed of every random choice the trainer makes (miners, augmentation, init)
 */
public record DivaConfig(
        NetworkSpec network,
        LossSpec loss,
        OptimizerSpec optimizer,
        MomentumSpec momentum,
        ObjectiveSpec objective,
        long seed)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Checks that no part is missing. */
    public DivaConfig {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(momentum, "momentum");
        Objects.requireNonNull(objective, "objective");
        objective.pairsFor(network.heads(), loss.rho());
    }

    /**
     * Creates a configuration of the published objective (decorrelation with the original pairs).
     *
     * @param network the network's shape
     * @param loss the objective's weights and constants
     * @param optimizer the Adam parameter groups
     * @param momentum the key encoder and its queue
     * @param seed seed of every random choice the trainer makes
     */
    public DivaConfig(NetworkSpec network, LossSpec loss, OptimizerSpec optimizer, MomentumSpec momentum, long seed) {
        this(network, loss, optimizer, momentum, ObjectiveSpec.published(), seed);
    }

    /**
     * The decorrelation pairs trained with this configuration.
     *
     * @return the pairs, empty without decorrelation or with a single head
     */
    public List<DecorrelationPair> decorrelationPairs() {
        return objective.pairsFor(network.heads(), loss.rho());
    }

    /**
     * The settings this project uses for Omniglot glyphs: a four-block CNN trained from scratch at
     * 28 px, the four DiVA heads of 128 dimensions, DiVA's loss constants (gamma 0.2, beta 1.2,
     * cutoffs 0.5 / 1.4, temperature 0.01, momentum 0.9) and learning rates suited to training a
     * small network from scratch rather than fine-tuning an ImageNet ResNet.
     *
     * @return the Omniglot defaults
     */
    public static DivaConfig omniglotDefaults() {
        return new DivaConfig(
                new NetworkSpec(
                        28,
                        List.of(64, 64, 64, 64),
                        128,
                        List.of(DivaHead.values()),
                        NetworkSpec.PUBLISHED_DECORRELATION_HIDDEN),
                LossSpec.published(),
                new OptimizerSpec(1e-3, 4e-4, 5e-4, 1e-3),
                new MomentumSpec(0.9, 1024),
                0L);
    }

    /**
     * Returns a copy with other heads; decorrelation pairs and task weights follow the heads.
     *
     * @param heads the heads, starting with discriminative
     * @return the new configuration
     */
    public DivaConfig withHeads(List<DivaHead> heads) {
        return new DivaConfig(network.withHeads(heads), loss, optimizer, momentum, objective, seed);
    }

    /**
     * Returns a copy with another objective variant.
     *
     * @param newObjective the objective
     * @return the new configuration
     */
    public DivaConfig withObjective(ObjectiveSpec newObjective) {
        return new DivaConfig(network, loss, optimizer, momentum, newObjective, seed);
    }

    /**
     * Returns a copy with another seed.
     *
     * @param newSeed the seed
     * @return the new configuration
     */
    public DivaConfig withSeed(long newSeed) {
        return new DivaConfig(network, loss, optimizer, momentum, objective, newSeed);
    }
}
