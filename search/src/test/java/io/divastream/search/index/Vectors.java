package io.divastream.search.index;

import java.util.SplittableRandom;

/** Random unit vectors for the index tests. */
final class Vectors {

    private Vectors() {}

    /** {@code n} unit vectors in {@code d} dimensions around {@code clusters} random centres (spread {@code noise}). */
    static float[][] clustered(int n, int d, int clusters, double noise, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] centres = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            centres[c] = gaussian(d, random, 1.0, null);
        }
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = gaussian(d, random, noise, centres[random.nextInt(clusters)]);
        }
        return out;
    }

    static float[] gaussian(int d, SplittableRandom random, double scale, float[] centre) {
        float[] v = new float[d];
        double norm = 0;
        for (int j = 0; j < d; j++) {
            double u1 = random.nextDouble();
            double u2 = random.nextDouble();
            double g = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
            v[j] = (float) ((centre == null ? 0 : centre[j]) + scale * g / Math.sqrt(d));
            norm += v[j] * (double) v[j];
        }
        double inv = 1 / Math.sqrt(norm);
        for (int j = 0; j < d; j++) {
            v[j] = (float) (v[j] * inv);
        }
        return v;
    }
}
