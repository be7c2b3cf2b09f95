package io.divastream.producer;

/**
 * The parameters of a publication order.
 *
 * @param seed the seed of every shuffle and draw
 * @param waveSize classes per wave of the {@code class-incremental} order (at least 1)
 * @param zipfExponent exponent s of the {@code long-tail} order's class sizes, proportional to rank^-s (0 to 4)
 */
public record OrderParameters(long seed, int waveSize, double zipfExponent) {

    /** Default classes per wave. */
    public static final int DEFAULT_WAVE_SIZE = 20;

    /** Default Zipf exponent. */
    public static final double DEFAULT_ZIPF_EXPONENT = 1.0;

    /** Largest Zipf exponent accepted. */
    public static final double MAX_ZIPF_EXPONENT = 4.0;

    /** Checks the fields. */
    public OrderParameters {
        if (waveSize < 1) {
            throw new IllegalArgumentException("--wave-size must be at least 1: " + waveSize);
        }
        if (!(zipfExponent >= 0 && zipfExponent <= MAX_ZIPF_EXPONENT)) {
            throw new IllegalArgumentException(
                    "--zipf-exponent must be between 0 and " + MAX_ZIPF_EXPONENT + ": " + zipfExponent);
        }
    }

    /**
     * The default wave size and exponent with a seed.
     *
     * @param seed the seed
     * @return the parameters
     */
    public static OrderParameters of(long seed) {
        return new OrderParameters(seed, DEFAULT_WAVE_SIZE, DEFAULT_ZIPF_EXPONENT);
    }
}
