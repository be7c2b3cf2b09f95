package io.divastream.images;

import java.io.Serializable;
import java.util.Objects;

/**
 * A decoded photo held in memory: width, height and packed 8-bit RGB samples, row-major,
 * {@code rgb[3 * (y * width + x) + c]} with c = 0 red, 1 green, 2 blue. Decoding once and keeping
 * this lets each training step draw new random views without decoding again. The array is not
 * copied; treat it as read-only.
 *
 * @param width width in pixels, positive
 * @param height height in pixels, positive
 * @param rgb {@code 3 * width * height} samples, read as unsigned
 */
public record RgbImage(int width, int height, byte[] rgb) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Validates the size.
     *
     * @param width width in pixels
     * @param height height in pixels
     * @param rgb packed samples
     */
    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + 3L * width * height
                    + " bytes, got " + rgb.length);
        }
    }

    /**
     * Returns one sample.
     *
     * @param x column
     * @param y row
     * @param channel 0 red, 1 green, 2 blue
     * @return the sample, 0..255
     */
    public int sample(int x, int y, int channel) {
        return rgb[3 * (y * width + x) + channel] & 0xFF;
    }
}
