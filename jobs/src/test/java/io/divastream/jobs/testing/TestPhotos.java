package io.divastream.jobs.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small generated JPEG photos for the photo path's pipeline tests: a colour per class, a random stripe, noise. */
public final class TestPhotos {

    private TestPhotos() {}

    /**
     * A 200 x 150 JPEG of a class.
     *
     * @param klass the class number (its colour)
     * @param random the stripe's and the noise's source
     * @return the JPEG bytes
     */
    public static byte[] photo(int klass, Random random) {
        BufferedImage image = new BufferedImage(200, 150, BufferedImage.TYPE_3BYTE_BGR);
        int base = (0x9E3779B9 * (klass + 1)) & 0xE0E0E0;
        int stripe = random.nextInt(150);
        for (int y = 0; y < 150; y++) {
            for (int x = 0; x < 200; x++) {
                int noise = random.nextInt(32);
                int rgb = Math.abs(y - stripe) < 10 ? 0xF0F0F0 : base;
                image.setRGB(x, y, (rgb + noise * 0x010101) & 0xFFFFFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
