package io.divastream.model.miner;

import java.util.ArrayList;
import java.util.List;

/**
 * Pearson's chi-square goodness-of-fit test for the sampling tests, with the upper tail of the
 * chi-square distribution from the Wilson-Hilferty approximation: (X/v)^(1/3) is approximately
 * normal with mean 1 - 2/(9v) and variance 2/(9v). The normal tail uses the Abramowitz-Stegun
 * 7.1.26 approximation of erfc (absolute error below 1.5e-7). Both are far more accurate than needed
 * to tell p = 0.001 from p = 0.01.
 */
final class ChiSquare {

    /** Cells whose expected count is below this are pooled (in order) until they reach it. */
    static final double MIN_EXPECTED = 5;

    private ChiSquare() {}

    /** Outcome of a test: statistic, degrees of freedom (pooled cells - 1) and p-value. */
    record Result(double statistic, int degreesOfFreedom, double pValue) {}

    /**
     * Tests observed counts against probabilities. Cells with probability 0 must have count 0
     * (else the p-value is 0); the others are pooled, in index order, into groups of expected count
     * at least {@link #MIN_EXPECTED} (a short last group joins the previous one).
     *
     * @param observed counts per cell
     * @param probabilities expected probabilities per cell, summing to 1
     * @return the test result
     */
    static Result test(long[] observed, double[] probabilities) {
        long total = 0;
        for (long o : observed) {
            total += o;
        }
        List<double[]> groups = new ArrayList<>(); // {observed, expected}
        double[] current = {0, 0};
        for (int i = 0; i < observed.length; i++) {
            if (probabilities[i] == 0) {
                if (observed[i] != 0) {
                    return new Result(Double.POSITIVE_INFINITY, 0, 0);
                }
                continue;
            }
            current[0] += observed[i];
            current[1] += probabilities[i] * total;
            if (current[1] >= MIN_EXPECTED) {
                groups.add(current);
                current = new double[] {0, 0};
            }
        }
        if (current[1] > 0) {
            if (groups.isEmpty()) {
                groups.add(current);
            } else {
                double[] last = groups.get(groups.size() - 1);
                last[0] += current[0];
                last[1] += current[1];
            }
        }
        double statistic = 0;
        for (double[] g : groups) {
            statistic += (g[0] - g[1]) * (g[0] - g[1]) / g[1];
        }
        int dof = groups.size() - 1;
        return new Result(statistic, dof, dof == 0 ? 1.0 : upperTail(statistic, dof));
    }

    /** P(X &gt; x) for X chi-square with v degrees of freedom (Wilson-Hilferty). */
    static double upperTail(double x, int v) {
        if (x <= 0) {
            return 1;
        }
        double s = 2.0 / (9.0 * v);
        double z = (Math.cbrt(x / v) - (1 - s)) / Math.sqrt(s);
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /** Complementary error function, Abramowitz-Stegun 7.1.26 (odd extension for x &lt; 0). */
    static double erfc(double x) {
        if (x < 0) {
            return 2 - erfc(-x);
        }
        double t = 1 / (1 + 0.3275911 * x);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        return poly * Math.exp(-x * x);
    }
}
