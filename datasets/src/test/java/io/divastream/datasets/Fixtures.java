package io.divastream.datasets;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes small dataset trees for the reader tests. */
final class Fixtures {

    /** The shared data folder beside the checkout, seen from the module directory. */
    static final Path SHARED_DATA = Path.of("..", "..", "shared", "data");

    private Fixtures() {}

    /**
     * A tiny encoded image whose pixels depend on the seed.
     *
     * @param format {@code png} or {@code jpg}
     * @param seed varies the colour
     * @return the encoded bytes
     */
    static byte[] image(String format, int seed) {
        BufferedImage image = new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 12; x++) {
                image.setRGB(
                        x,
                        y,
                        new Color(
                                        Math.floorMod(seed * 37 + x * 20, 256),
                                        Math.floorMod(seed * 11 + y * 25, 256),
                                        Math.floorMod(seed, 256))
                                .getRGB());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format.equals("jpg") ? "jpeg" : format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes an image file, creating its folders.
     *
     * @param root the root
     * @param relative the path below it; the extension picks the format
     * @param seed varies the pixels
     * @return the bytes written
     */
    static byte[] writeImage(Path root, String relative, int seed) {
        String lower = relative.toLowerCase(java.util.Locale.ROOT);
        byte[] bytes = image(lower.endsWith(".png") ? "png" : "jpg", seed);
        write(root, relative, bytes);
        return bytes;
    }

    /**
     * Writes a text file (UTF-8), creating its folders.
     *
     * @param root the root
     * @param relative the path below it
     * @param lines the lines, each ended by a newline
     */
    static void writeLines(Path root, String relative, String... lines) {
        write(root, relative, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes bytes, creating folders.
     *
     * @param root the root
     * @param relative the path below it
     * @param bytes the contents
     */
    static void write(Path root, String relative, byte[] bytes) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads an image's bytes, failing the test on an I/O error.
     *
     * @param image the image
     * @return its bytes
     */
    static byte[] bytes(DatasetImage image) {
        try {
            return image.source().read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
