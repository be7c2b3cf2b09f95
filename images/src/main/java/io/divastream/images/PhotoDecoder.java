package io.divastream.images;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.util.Objects;

/**
 * Decodes encoded photos (JPEG, PNG, anything with a {@code javax.imageio} reader) into an
 * {@link RgbImage}, as PIL's {@code convert('RGB')} does for DiVA (DIVA_SPEC 4.2): gray images are
 * replicated into three channels from their raw samples (no linear-gray conversion), palette and RGB
 * images go through sRGB, an alpha channel is dropped (not composited).
 *
 * <p>The encoded size, and the dimensions and decoded size the header declares, are checked against
 * {@link ImageLimits} before any pixel is allocated; decoder warnings (a truncated JPEG) count as corruption;
 * JPEGs that Java cannot decode, CMYK and YCCK ones in particular, are rejected with
 * {@link InvalidImageException}. Stateless and thread-safe.
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
     *     unrecognised, truncated, corrupt or unsupported (CMYK) bytes, and
     *     {@link InvalidImageException.Reason#INVALID} for sides under the minimum or sizes beyond the limits
     */
    public static RgbImage decode(byte[] encoded, ImageLimits limits) {
        Objects.requireNonNull(encoded, "encoded");
        return toRgb(ImageDecoder.read(encoded, true, Objects.requireNonNull(limits, "limits")));
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
            for (int p = 0; p < argb.length; p++) {
                rgb[3 * p] = (byte) (argb[p] >> 16);
                rgb[3 * p + 1] = (byte) (argb[p] >> 8);
                rgb[3 * p + 2] = (byte) argb[p];
            }
        }
        return new RgbImage(width, height, rgb);
    }
}
