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

    /**
     * The published objective (DIVA_SPEC sections 2 and 3): margin 0.2, beta 1.2, each auxiliary task's weight 0.3,
     * rho 1500, DaNCE temperature 0.01 with the original column-normalised weighting, and the published cutoffs.
     *
     * @return the constants
     */
    public static LossSpec published() {
        return new LossSpec(
                0.2, 1.2, PUBLISHED_MINER_LOWER_CUTOFF, 0.3, 0.3, 0.3, 1500, 0.01, PUBLISHED_DANCE_UPPER_CUTOFF, false);
    }

    /**
     * Returns these constants with other weights of the auxiliary tasks.
     *
     * @param selfsim weight of the DaNCE loss
     * @param shared weight of the class-shared loss
     * @param intra weight of the intra-class loss
     * @return the constants
     */
    public LossSpec withAlphas(double selfsim, double shared, double intra) {
        return new LossSpec(
                margin,
                betaInit,
                minerLowerCutoff,
                selfsim,
                shared,
                intra,
                rho,
                temperature,
                danceUpperCutoff,
                danceFixed);
    }

    /**
     * Returns these constants with another decorrelation weight.
     *
     * @param newRho weight of each decorrelation pair
     * @return the constants
     */
    public LossSpec withRho(double newRho) {
        return new LossSpec(
                margin,
                betaInit,
                minerLowerCutoff,
                alphaSelfsim,
                alphaShared,
                alphaIntra,
                newRho,
                temperature,
                danceUpperCutoff,
                danceFixed);
    }

    /**
     * Returns these constants with the original or the row-normalised DaNCE weighting.
     *
     * @param fixed true for the row-normalised {@code --diva_fixed} variant
     * @return the constants
     */
    public LossSpec withDanceFixed(boolean fixed) {
        return new LossSpec(
                margin,
                betaInit,
                minerLowerCutoff,
                alphaSelfsim,
                alphaShared,
                alphaIntra,
                rho,
                temperature,
                danceUpperCutoff,
                fixed);
    }

    private static void requireNonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
        }
    }
}
