package io.divastream.offline;

import io.divastream.model.DivaHead;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.ObjectiveSpec;
import java.util.List;

/**
 * One row of the paper's ablation: a subset of the four tasks, with or without decorrelation.
 *
 * @param name the row's name
 * @param heads the enabled heads, discriminative first
 * @param decorrelate whether the heads are decorrelated
 */
public record AblationVariant(String name, List<DivaHead> heads, boolean decorrelate) {

    /** Copies the heads. */
    public AblationVariant {
        heads = List.copyOf(heads);
    }

    /**
     * The ablation rows: discriminative only, each single extra task (decorrelated from
     * the discriminative head), all four tasks without decorrelation, and full DiVA.
     *
     * @return the rows in table order
     */
    public static List<AblationVariant> standard() {
        DivaHead d = DivaHead.DISCRIMINATIVE;
        return List.of(
                new AblationVariant("discriminative only", List.of(d), false),
                new AblationVariant("+ selfsim (DaNCE)", List.of(d, DivaHead.SELFSIM), true),
                new AblationVariant("+ shared", List.of(d, DivaHead.SHARED), true),
                new AblationVariant("+ intra", List.of(d, DivaHead.INTRA), true),
                new AblationVariant("all four, no decorrelation", List.of(DivaHead.values()), false),
                new AblationVariant("DiVA (all four + decorrelation)", List.of(DivaHead.values()), true));
    }

    /**
     * Applies this row to a base configuration.
     *
     * @param base the configuration of full DiVA
     * @param seed the run's seed
     * @return the row's configuration
     */
    public DivaConfig apply(DivaConfig base, long seed) {
        return base.withHeads(heads)
                .withObjective(decorrelate ? ObjectiveSpec.published() : ObjectiveSpec.withoutDecorrelation())
                .withSeed(seed);
    }
}
