package io.divastream.model.miner;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The class-shared task's mining strategy, DiVA's {@code --diva_sharing} (DIVA_SPEC section 2.2).
 */
public enum SharedMining {

    /** Label shuffling, then distance-weighted mining on the pseudo-labels (the default). */
    RANDOM("random"),
    /** Distance-weighted negative, then a uniform positive of a third class. */
    STANDARD("standard"),
    /** Distance-weighted negative, then a distance-weighted positive of a third class. */
    FULL("full");

    private final String id;

    SharedMining(String id) {
        this.id = id;
    }

    /**
     * Returns the identifier used in configuration (the original flag value).
     *
     * @return {@code random}, {@code standard} or {@code full}
     */
    public String id() {
        return id;
    }

    /**
     * Parses an identifier, ignoring case and surrounding blanks.
     *
     * @param text {@code random}, {@code standard} or {@code full}
     * @return the strategy
     * @throws IllegalArgumentException naming the value and the valid ones if it is unknown
     */
    public static SharedMining parse(String text) {
        if (text != null) {
            String key = text.trim().toLowerCase(Locale.ROOT);
            for (SharedMining mining : values()) {
                if (mining.id.equals(key)) {
                    return mining;
                }
            }
        }
        throw new IllegalArgumentException("unknown shared mining '" + text + "', expected one of "
                + Arrays.stream(values()).map(SharedMining::id).collect(Collectors.joining(", ")));
    }

    /**
     * Creates the miner of this strategy, with the antipodal guard.
     *
     * @param lowerCutoff the distance-weighting lower cutoff (0.5)
     * @return the miner
     */
    public BatchMiner miner(double lowerCutoff) {
        return miner(lowerCutoff, true);
    }

    /**
     * Creates the miner of this strategy.
     *
     * @param lowerCutoff the distance-weighting lower cutoff (0.5)
     * @param antipodalGuard see {@link DistanceWeightedMiner#DistanceWeightedMiner(double, boolean)}
     * @return the miner
     */
    public BatchMiner miner(double lowerCutoff, boolean antipodalGuard) {
        return switch (this) {
            case RANDOM -> new SharedLabelShuffleMiner(lowerCutoff, antipodalGuard);
            case STANDARD -> new SharedCrossClassMiner(lowerCutoff, antipodalGuard, false);
            case FULL -> new SharedCrossClassMiner(lowerCutoff, antipodalGuard, true);
        };
    }
}
