package io.divastream.model.train;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Draws without replacement, as the P x K batches of the method take their classes and images. */
public final class Draws {

    private Draws() {}

    /**
     * Draws k distinct values of 0..n-1 by a partial Fisher-Yates shuffle, in draw order.
     *
     * @param n the number of values
     * @param k how many to draw, at most n
     * @param random the generator
     * @return the values drawn
     */
    public static int[] distinct(int n, int k, RandomGenerator random) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("cannot draw " + k + " distinct values of " + n);
        }
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
        return Arrays.copyOf(values, k);
    }
}
