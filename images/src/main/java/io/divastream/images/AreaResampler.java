package io.divastream.images;

/**
 * Resizes a grayscale image by exact area averaging: every output pixel is the mean of the source image
 * over the output pixel's footprint, with source pixels treated as constant unit squares and partial
 * pixels weighted by their covered fraction. Total ink is preserved, so strokes thinner than the
 * downscale factor fade proportionally instead of disappearing. Upscaling gives blocky output with
 * blended edges. Separable (rows, then columns). Package-private.
 */
final class AreaResampler {

    private AreaResampler() {}

    /**
     * Resamples a {@code width x height} row-major image to {@code outWidth x outHeight}.
     */
    static float[] resize(float[] source, int width, int height, int outWidth, int outHeight) {
        AxisWeights horizontal = AxisWeights.of(width, outWidth);
        AxisWeights vertical = AxisWeights.of(height, outHeight);
        double[] rows = new double[height * outWidth];
        for (int y = 0; y < height; y++) {
            int rowOffset = y * width;
            for (int ox = 0; ox < outWidth; ox++) {
                double sum = 0.0;
                double[] w = horizontal.weights[ox];
                int first = horizontal.first[ox];
                for (int i = 0; i < w.length; i++) {
                    sum += w[i] * source[rowOffset + first + i];
                }
                rows[y * outWidth + ox] = sum;
            }
        }
        float[] out = new float[outWidth * outHeight];
        for (int oy = 0; oy < outHeight; oy++) {
            double[] w = vertical.weights[oy];
            int first = vertical.first[oy];
            for (int ox = 0; ox < outWidth; ox++) {
                double sum = 0.0;
                for (int i = 0; i < w.length; i++) {
                    sum += w[i] * rows[(first + i) * outWidth + ox];
                }
                out[oy * outWidth + ox] = (float) sum;
            }
        }
        return out;
    }

    /** For each output index: first contributing source index and the normalised coverage weights. */
    private static final class AxisWeights {
        final int[] first;
        final double[][] weights;

        private AxisWeights(int[] first, double[][] weights) {
            this.first = first;
            this.weights = weights;
        }

        static AxisWeights of(int sourceLength, int outLength) {
            double scale = (double) sourceLength / outLength;
            int[] first = new int[outLength];
            double[][] weights = new double[outLength][];
            for (int o = 0; o < outLength; o++) {
                double start = o * scale;
                double end = o == outLength - 1 ? sourceLength : (o + 1) * scale;
                int lo = (int) Math.floor(start);
                int hi = Math.min(sourceLength, (int) Math.ceil(end));
                double[] w = new double[hi - lo];
                double total = 0.0;
                for (int s = lo; s < hi; s++) {
                    double covered = Math.min(end, s + 1.0) - Math.max(start, s);
                    w[s - lo] = Math.max(0.0, covered);
                    total += w[s - lo];
                }
                for (int i = 0; i < w.length; i++) {
                    w[i] /= total;
                }
                first[o] = lo;
                weights[o] = w;
            }
            return new AxisWeights(first, weights);
        }
    }
}
