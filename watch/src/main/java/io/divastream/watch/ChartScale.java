package io.divastream.watch;

/** Axis ranges shared by the terminal plot and the charts. */
final class ChartScale {

    private static final double STEP = 0.05;

    private ChartScale() {}

    /**
     * A y range for fractions: the values' minimum and maximum rounded out to multiples of 0.05,
     * within [0, 1], at least 0.1 wide.
     *
     * @param values finite values, at least one
     * @return {@code {low, high}}
     */
    static double[] yRange(double... values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min > max) {
            return new double[] {0, 1};
        }
        double low = Math.max(0, Math.floor(min / STEP + 1e-9) * STEP);
        double high = Math.min(1, Math.ceil(max / STEP - 1e-9) * STEP);
        if (high - low < 2 * STEP) {
            if (high + 2 * STEP - (high - low) <= 1) {
                high = low + 2 * STEP;
            } else {
                low = high - 2 * STEP;
            }
        }
        return new double[] {low, high};
    }

    /**
     * An x range: the minimum and maximum, widened by one on each side when they are equal.
     *
     * @param values finite values, at least one
     * @return {@code {low, high}}
     */
    static double[] xRange(double... values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (min > max) {
            return new double[] {0, 1};
        }
        return max > min ? new double[] {min, max} : new double[] {min - 1, max + 1};
    }
}
