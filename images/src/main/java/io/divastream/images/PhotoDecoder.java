package io.divastream.images;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.util.Objects;

/**
 * Decodes encoded photos (JPEG, PNG, GIF, BMP) into an {@link RgbImage} as a catalogue shows them: gray images are
 * replicated into three channels from their raw samples (no linear-gray conversion; 16-bit samples scaled to 8),
 * palette and RGB images go through sRGB, CMYK and YCCK JPEGs are converted with their ICC profile (TwelveMonkeys'
 * reader), transparency is composited over white, and a JPEG's EXIF orientation is applied.
 *
 * <p>The encoded size, and the dimensions and decoded size the header declares, are checked against {@link
 * ImageLimits} before any pixel is allocated; decoder warnings (a truncated JPEG) count as corruption. Stateless
 * and thread-safe.
 */
public final class PhotoDecoder {

    private PhotoDecoder() {}

    /**
     * Decodes one photo within the default limits.
     *
     * @param encoded the encoded file contents
     * @return the RGB image
     * @throws InvalidImageException as {@link #decode(byte[], ImageLimits)}
     */
    public static RgbImage decode(byte[] encoded) {
        return decode(encoded, ImageLimits.DEFAULT);
    }

    /**
     * Decodes one photo.
     *
     * @param encoded the encoded file contents
     * @param limits the bounds on the image
     * @return the RGB image
     * @throws InvalidImageException {@link InvalidImageException.Reason#UNDECODABLE} for empty,
     *     unrecognised, truncated or corrupt bytes, and
     *     {@link InvalidImageException.Reason#INVALID} for sides under the minimum or sizes beyond the limits
     */
    public static RgbImage decode(byte[] encoded, ImageLimits limits) {
        Objects.requireNonNull(encoded, "encoded");
        RgbImage stored = toRgb(ImageDecoder.read(encoded, Objects.requireNonNull(limits, "limits")));
        return ExifOrientation.read(encoded).apply(stored);
    }

    /**
     * Converts a decoded image to packed RGB.
     *
     * @param image the image
     * @return the RGB image
     */
    static RgbImage toRgb(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] rgb = new byte[3 * width * height];
        ColorModel model = image.getColorModel();
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && image.getRaster().getDataBuffer() instanceof DataBufferByte buffer
                && buffer.getData().length == rgb.length) {
            byte[] bgr = buffer.getData();
            for (int i = 0; i < rgb.length; i += 3) {
                rgb[i] = bgr[i + 2];
                rgb[i + 1] = bgr[i + 1];
                rgb[i + 2] = bgr[i];
            }
        } else if (model instanceof ComponentColorModel
                && model.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && model.getNumColorComponents() == 1) {
            Raster raster = image.getRaster();
            double max = (1L << model.getComponentSize(0)) - 1;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    byte v = (byte) Math.round(raster.getSample(x, y, 0) * 255.0 / max);
                    int i = 3 * (y * width + x);
                    rgb[i] = v;
                    rgb[i + 1] = v;
                    rgb[i + 2] = v;
                }
            }
        } else {
            int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
            boolean alpha = model.hasAlpha();
            for (int p = 0; p < argb.length; p++) {
                int a = alpha ? argb[p] >>> 24 : 255;
                rgb[3 * p] = onWhite(argb[p] >> 16, a);
                rgb[3 * p + 1] = onWhite(argb[p] >> 8, a);
                rgb[3 * p + 2] = onWhite(argb[p], a);
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** A sample composited over white: {@code round((a c + (255 - a) 255) / 255)} for alpha a, both 0 to 255. */
    static byte onWhite(int sample, int alpha) {
        int c = sample & 0xFF;
        return (byte) ((alpha * c + (255 - alpha) * 255 + 127) / 255);
    }
}
