package io.divastream.model.config;

import java.io.Serializable;

/**
 * Weights and constants of the DiVA objective (DIVA_SPEC sections 2 and 3).
 *
 * @param margin the margin gamma of the margin loss (0.2)
 * @param betaInit initial value of every learnable class boundary beta (1.2)
 * @param minerLowerCutoff distances below this are clamped before distance weighting (0.5)
 * @param alphaSelfsim weight of the DaNCE loss
 * @param alphaShared weight of the class-shared margin loss
 * @param alphaIntra weight of the intra-class margin loss
 * @param rho weight of each decorrelation pair
 * @param temperature DaNCE softmax temperature (0.01)
 * @param danceUpperCutoff DaNCE negatives farther than this get weight 0 (1.4)
 * @param danceFixed false for the original column-normalised DaNCE weighting, true for the
 *     row-normalised {@code --diva_fixed} variant
 */
public record LossSpec(
        double margin,
        double betaInit,
        double minerLowerCutoff,
        double alphaSelfsim,
        double alphaShared,
        double alphaIntra,
        double rho,
        double temperature,
        double danceUpperCutoff,
        boolean danceFixed)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The published lower cutoff of the distance-weighted miners (DIVA_SPEC section 2.1). */
    public static final double PUBLISHED_MINER_LOWER_CUTOFF = 0.5;

    /** The published cutoff beyond which DaNCE negatives get weight 0 (DIVA_SPEC section 2.4). */
    public static final double PUBLISHED_DANCE_UPPER_CUTOFF = 1.4;

    /** Validates the constants. */
    public LossSpec {
        requireNonNegative("margin", margin);
        requireNonNegative("minerLowerCutoff", minerLowerCutoff);
        requireNonNegative("alphaSelfsim", alphaSelfsim);
        requireNonNegative("alphaShared", alphaShared);
        requireNonNegative("alphaIntra", alphaIntra);
        requireNonNegative("rho", rho);
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        if (!(danceUpperCutoff > 0 && danceUpperCutoff <= 2)) {
            throw new IllegalArgumentException("danceUpperCutoff must be in (0, 2]");
        }
    }

    private static void requireNonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
        }
    }
}
