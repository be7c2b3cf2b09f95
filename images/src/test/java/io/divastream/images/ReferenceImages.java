package io.divastream.images;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Test helpers: image encoding and an obviously-correct (brute-force) area-average resize. */
public final class ReferenceImages {

    private ReferenceImages() {}

    /**
     * Encodes an image with ImageIO.
     *
     * @param image the image
     * @param format the ImageIO format name
     * @return the file's bytes
     */
    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Area-average resize by supersampling: both images are refined to a common grid of
     * lcm(source, output) cells per axis, and each output pixel is the plain mean of its cells.
     */
    static float[] areaResize(float[] source, int width, int height, int outWidth, int outHeight) {
        int gridX = lcm(width, outWidth);
        int gridY = lcm(height, outHeight);
        int cellsPerOutX = gridX / outWidth;
        int cellsPerOutY = gridY / outHeight;
        int cellsPerSourceX = gridX / width;
        int cellsPerSourceY = gridY / height;
        float[] out = new float[outWidth * outHeight];
        for (int oy = 0; oy < outHeight; oy++) {
            for (int ox = 0; ox < outWidth; ox++) {
                double sum = 0.0;
                for (int gy = oy * cellsPerOutY; gy < (oy + 1) * cellsPerOutY; gy++) {
                    for (int gx = ox * cellsPerOutX; gx < (ox + 1) * cellsPerOutX; gx++) {
                        sum += source[(gy / cellsPerSourceY) * width + gx / cellsPerSourceX];
                    }
                }
                out[oy * outWidth + ox] = (float) (sum / ((double) cellsPerOutX * cellsPerOutY));
            }
        }
        return out;
    }

    private static int lcm(int a, int b) {
        int x = a;
        int y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }

    /** 8-bit gray image whose pixel (x, y) has sample value(x, y) in 0..255. */
    static BufferedImage gray(int width, int height, java.util.function.IntBinaryOperator value) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, value.applyAsInt(x, y));
            }
        }
        return image;
    }
}
