package io.divastream.images;

/**
 * Bilinear resampling of a crop of an {@link RgbImage} in the manner of PIL's {@code BILINEAR} resize
 * (which torchvision uses on PIL images): a triangle filter whose support widens with the downscale
 * factor, so downscaling averages (antialiases) instead of skipping pixels. Output pixel {@code o} of
 * an axis resized from {@code n} to {@code m} samples the crop at {@code (o + 0.5) n / m}; weights are
 * {@code max(0, 1 - |x + 0.5 - center| / s)} over source pixels {@code x} within the crop, with
 * {@code s = max(1, n / m)}, normalised to sum 1. Unlike PIL, nothing is rounded to 8 bits between
 * the two passes. Separable (rows, then columns). Package-private.
 */
final class TriangleResampler {

    private TriangleResampler() {}

    /**
     * Resizes {@code box} of {@code image} to {@code outWidth x outHeight} and returns the window of
     * {@code windowWidth x windowHeight} output pixels starting at ({@code windowLeft}, {@code windowTop}),
     * as three channel planes (R, G, B) of 0..255 values, channels-first.
     */
    static float[] resize(
            RgbImage image,
            CropBox box,
            int outWidth,
            int outHeight,
            int windowLeft,
            int windowTop,
            int windowWidth,
            int windowHeight) {
        Axis horizontal = Axis.of(box.width(), outWidth, windowLeft, windowWidth);
        Axis vertical = Axis.of(box.height(), outHeight, windowTop, windowHeight);
        // horizontal pass over the rows the vertical pass needs
        int rowFirst = vertical.minFirst();
        int rowCount = vertical.maxEnd() - rowFirst;
        double[] rows = new double[3 * rowCount * windowWidth];
        byte[] rgb = image.rgb();
        for (int r = 0; r < rowCount; r++) {
            int y = box.top() + rowFirst + r;
            int rowOffset = 3 * (y * image.width() + box.left());
            for (int ox = 0; ox < windowWidth; ox++) {
                double red = 0;
                double green = 0;
                double blue = 0;
                double[] w = horizontal.weights[ox];
                int at = rowOffset + 3 * horizontal.first[ox];
                for (int i = 0; i < w.length; i++, at += 3) {
                    red += w[i] * (rgb[at] & 0xFF);
                    green += w[i] * (rgb[at + 1] & 0xFF);
                    blue += w[i] * (rgb[at + 2] & 0xFF);
                }
                int o = r * windowWidth + ox;
                rows[o] = red;
                rows[rowCount * windowWidth + o] = green;
                rows[2 * rowCount * windowWidth + o] = blue;
            }
        }
        int plane = windowWidth * windowHeight;
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            int base = c * rowCount * windowWidth;
            for (int oy = 0; oy < windowHeight; oy++) {
                double[] w = vertical.weights[oy];
                int first = vertical.first[oy] - rowFirst;
                for (int ox = 0; ox < windowWidth; ox++) {
                    double sum = 0;
                    for (int i = 0; i < w.length; i++) {
                        sum += w[i] * rows[base + (first + i) * windowWidth + ox];
                    }
                    out[c * plane + oy * windowWidth + ox] = (float) sum;
                }
            }
        }
        return out;
    }

    /** Per output index of the window: first source index (relative to the crop) and weights. */
    private record Axis(int[] first, double[][] weights) {

        static Axis of(int in, int out, int windowStart, int windowLength) {
            double scale = (double) in / out;
            double support = Math.max(1.0, scale);
            int[] first = new int[windowLength];
            double[][] weights = new double[windowLength][];
            for (int k = 0; k < windowLength; k++) {
                double center = (windowStart + k + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(center - support + 0.5));
                int hi = Math.min(in, (int) Math.floor(center + support + 0.5));
                if (hi <= lo) {
                    hi = Math.min(in, lo + 1);
                    lo = hi - 1;
                }
                double[] w = new double[hi - lo];
                double total = 0;
                for (int x = lo; x < hi; x++) {
                    double t = Math.abs((x + 0.5 - center) / support);
                    w[x - lo] = t < 1 ? 1 - t : 0;
                    total += w[x - lo];
                }
                if (total == 0) {
                    w[Math.max(0, Math.min(w.length - 1, (int) Math.floor(center) - lo))] = 1;
                    total = 1;
                }
                for (int i = 0; i < w.length; i++) {
                    w[i] /= total;
                }
                first[k] = lo;
                weights[k] = w;
            }
            return new Axis(first, weights);
        }

        int minFirst() {
            int m = Integer.MAX_VALUE;
            for (int f : first) {
                m = Math.min(m, f);
            }
            return m;
        }

        int maxEnd() {
            int m = 0;
            for (int i = 0; i < first.length; i++) {
                m = Math.max(m, first[i] + weights[i].length);
            }
            return m;
        }
    }
}
