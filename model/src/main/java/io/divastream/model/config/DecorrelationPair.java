package io.divastream.model.config;

import io.divastream.model.DivaHead;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One pair of the adversarial decorrelation (DIVA_SPEC section 3): a regressor learns to predict
 * the target head's embedding from the source head's, and both embeddings are pushed, through
 * gradient reversal, to make that prediction fail.
 *
 * @param source the head the regressor reads
 * @param target the head the regressor predicts
 * @param rho the weight of this pair's correlation term in L_sep
 */
public record DecorrelationPair(DivaHead source, DivaHead target, double rho) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Validates the pair. */
    public DecorrelationPair {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        if (source == target) {
            throw new IllegalArgumentException("a decorrelation pair needs two different heads, got " + source.id());
        }
        if (!(rho >= 0) || Double.isInfinite(rho)) {
            throw new IllegalArgumentException("rho must be finite and >= 0, got " + rho);
        }
    }

    /**
     * The pairs the original code uses for a set of heads, each with weight {@code rho}: with four
     * heads selfsim, shared and intra each against discriminative; with three heads {disc, a, b}
     * a to disc, b to disc and b to a (for {disc, selfsim, shared}: selfsim to disc, shared to disc,
     * shared to selfsim, as in the original code); with two heads the auxiliary head against
     * discriminative; with one head none.
     *
     * @param heads the enabled heads, discriminative first, in network order
     * @param rho the weight of every pair
     * @return the pairs in the original code's order
     */
    public static List<DecorrelationPair> defaults(List<DivaHead> heads, double rho) {
        List<DecorrelationPair> pairs = new ArrayList<>();
        if (heads.size() < 2) {
            return pairs;
        }
        DivaHead target = heads.get(0);
        for (int i = 1; i < heads.size(); i++) {
            pairs.add(new DecorrelationPair(heads.get(i), target, rho));
        }
        if (heads.size() == 3) {
            pairs.add(new DecorrelationPair(heads.get(2), heads.get(1), rho));
        }
        return List.copyOf(pairs);
    }

    /**
     * Parses {@code source>target} or {@code source>target:rho}.
     *
     * @param text the pair, e.g. {@code "shared>discriminative:1500"}
     * @param defaultRho the weight when the text gives none
     * @return the pair
     */
    public static DecorrelationPair parse(String text, double defaultRho) {
        String t = text.trim();
        int arrow = t.indexOf('>');
        if (arrow < 0) {
            throw new IllegalArgumentException(
                    "decorrelation pair '" + text + "' must look like source>target or source>target:rho");
        }
        int colon = t.indexOf(':', arrow);
        DivaHead source = DivaHead.parse(t.substring(0, arrow));
        DivaHead target = DivaHead.parse(colon < 0 ? t.substring(arrow + 1) : t.substring(arrow + 1, colon));
        double rho = defaultRho;
        if (colon >= 0) {
            try {
                rho = Double.parseDouble(t.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("decorrelation pair '" + text + "': rho is not a number");
            }
        }
        return new DecorrelationPair(source, target, rho);
    }

    @Override
    public String toString() {
        return source.id() + ">" + target.id() + ":" + rho;
    }
}
