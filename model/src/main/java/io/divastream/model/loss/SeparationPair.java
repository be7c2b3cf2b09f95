package io.divastream.model.loss;

import java.util.List;

/**
 * One pair of DiVA's adversarial decorrelation (DIVA_SPEC section 3) by head position: a regressor
 * predicts the target head's embedding from the source head's, and the pair enters the loss with
 * weight rho. The configuration names pairs by head ({@code config.DecorrelationPair}); the
 * trainer maps them to positions.
 *
 * @param source index of the source head (the regressor's input)
 * @param target index of the target head (compared with the regressor's output)
 * @param rho the pair's weight, finite and non-negative
 */
public record SeparationPair(int source, int target, double rho) {

    /** Head index of the discriminative head in DiVA's order [disc, ssl, shared, intra]. */
    public static final int DISCRIMINATIVE = 0;
    /** Head index of the sample-specific (DaNCE, "selfsimilarity") head. */
    public static final int SELFSIM = 1;
    /** Head index of the class-shared head. */
    public static final int SHARED = 2;
    /** Head index of the intra-class head. */
    public static final int INTRA = 3;

    /**
     * Validates the pair.
     *
     * @param source index of the source head
     * @param target index of the target head
     * @param rho the weight
     */
    public SeparationPair {
        if (source < 0 || target < 0 || source == target) {
            throw new IllegalArgumentException(
                    "decorrelation pair needs two different head indices >= 0, got " + source + " -> " + target);
        }
        if (!(rho >= 0) || Double.isInfinite(rho)) {
            throw new IllegalArgumentException("decorrelation weight rho of pair " + source + " -> " + target
                    + " must be finite and >= 0, got " + rho);
        }
    }

    /**
     * DiVA's pairs with four heads in the order [disc, ssl, shared, intra]: ssl to disc, shared to
     * disc, intra to disc, in that order (the order of {@code --diva_rho_decorrelation}).
     *
     * @param rhoSelfsim weight of ssl to disc
     * @param rhoShared weight of shared to disc
     * @param rhoIntra weight of intra to disc
     * @return the three pairs
     */
    public static List<SeparationPair> diva(double rhoSelfsim, double rhoShared, double rhoIntra) {
        return List.of(
                new SeparationPair(SELFSIM, DISCRIMINATIVE, rhoSelfsim),
                new SeparationPair(SHARED, DISCRIMINATIVE, rhoShared),
                new SeparationPair(INTRA, DISCRIMINATIVE, rhoIntra));
    }
}
