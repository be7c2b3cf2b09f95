package io.divastream.images;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Test helper: four-component JPEGs as Photoshop writes them, an Adobe APP14 segment naming the transform and the
 * samples stored inverted (255 means no ink). The inks: cyan rises with x, magenta with y, yellow 40, black 10.
 */
final class CmykJpeg {

    static final int SIDE = 32;

    private CmykJpeg() {}

    /** The inks of a pixel, 0 to 255. */
    static int[] inks(int x, int y) {
        return new int[] {x * 8, y * 8, 40, 10};
    }

    /** Adobe CMYK (transform 0). */
    static byte[] cmyk() {
        return adobe(0, (x, y) -> {
            int[] ink = inks(x, y);
            return new int[] {255 - ink[0], 255 - ink[1], 255 - ink[2], 255 - ink[3]};
        });
    }

    /**
     * Adobe YCCK (transform 2): the YCbCr of C, M, Y taken as R, G, B, and K inverted (a decoder's YCbCr-to-RGB
     * conversion gives the inks, which it inverts into Adobe's inverted CMYK).
     */
    static byte[] ycck() {
        return adobe(2, (x, y) -> {
            int[] ink = inks(x, y);
            double r = ink[0];
            double g = ink[1];
            double b = ink[2];
            double luma = 0.299 * r + 0.587 * g + 0.114 * b;
            double cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
            double cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
            return new int[] {clamp(luma), clamp(cb), clamp(cr), 255 - ink[3]};
        });
    }

    /** A four-component JPEG without any marker naming its colours (neither JFIF nor Adobe). */
    static byte[] unmarked() {
        return write((x, y) -> inks(x, y));
    }

    private interface Pixels {
        int[] at(int x, int y);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private static byte[] adobe(int transform, Pixels pixels) {
        byte[] plain = write(pixels);
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(plain, 0, 2);
        out.writeBytes(app14);
        out.write(plain, 2, plain.length - 2);
        return out.toByteArray();
    }

    private static byte[] write(Pixels pixels) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, SIDE, SIDE, 4, null);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                raster.setPixel(x, y, pixels.at(x, y));
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(raster, null, null), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
