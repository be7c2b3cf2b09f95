package io.divastream.images;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;

/**
 * Converts a decoded image to row-major grayscale in [0, 1] (0 = black, 1 = white). Package-private.
 *
 * <p>Single-channel gray images (8- or 16-bit gray PNG, gray JPEG) use their raw samples divided by the
 * maximum sample value, avoiding Java2D's linear-gray to sRGB conversion. Everything else (palette,
 * 1-bit, RGB) goes through sRGB and is reduced with the Rec. 601 luma weights
 * {@code 0.299 R + 0.587 G + 0.114 B}. Transparency is composited over white (paper).
 */
final class Grayscale {

    private static final double RED = 0.299;
    private static final double GREEN = 0.587;
    private static final double BLUE = 0.114;

    private Grayscale() {}

    static float[] of(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        float[] out = new float[width * height];
        ColorModel model = image.getColorModel();
        if (model instanceof ComponentColorModel
                && model.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && model.getNumColorComponents() == 1) {
            Raster raster = image.getRaster();
            double grayMax = (1L << model.getComponentSize(0)) - 1;
            boolean alpha = model.hasAlpha();
            double alphaMax = alpha ? (1L << model.getComponentSize(1)) - 1 : 1.0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double v = raster.getSample(x, y, 0) / grayMax;
                    if (alpha) {
                        double a = raster.getSample(x, y, 1) / alphaMax;
                        v = v * a + (1.0 - a);
                    }
                    out[y * width + x] = (float) v;
                }
            }
            return out;
        }
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            double a = (p >>> 24) / 255.0;
            double luma = (RED * ((p >> 16) & 0xFF) + GREEN * ((p >> 8) & 0xFF) + BLUE * (p & 0xFF)) / 255.0;
            out[i] = (float) Math.min(1.0, luma * a + (1.0 - a));
        }
        return out;
    }
}
