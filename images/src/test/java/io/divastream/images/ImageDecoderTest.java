package io.divastream.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {

    /**
     * The Omniglot archive. In this scratch project it comes from the system property set by the pom (an
     * absolute path); inside the model module use Path.of("..", "..", "shared", ...) instead.
     */
    private static final Path OMNIGLOT_ZIP =
            Path.of("..", "..", "shared", "data", "omniglot-small", "images_background_small1.zip");

    private static final String GLYPH = "images_background_small1/Balinese/character01/0108_01.png";

    private static byte[] omniglotGlyph() throws IOException {
        assertThat(OMNIGLOT_ZIP).as("Omniglot archive").exists();
        try (ZipFile zip = new ZipFile(OMNIGLOT_ZIP.toFile())) {
            ZipEntry entry = zip.getEntry(GLYPH);
            assertThat(entry).as(GLYPH).isNotNull();
            return zip.getInputStream(entry).readAllBytes();
        }
    }

    @Test
    void decodesARealOmniglotGlyphTo28x28WithInkOnZeroBackground() throws IOException {
        byte[] png = omniglotGlyph();
        float[] glyph = new ImageDecoder(ImageSpec.omniglot()).decode(png);
        assertThat(glyph).hasSize(28 * 28);

        // reference: ink = 1 where the 105x105 source pixel is black, then brute-force area averaging
        BufferedImage source = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(source.getWidth()).isEqualTo(105);
        float[] ink = new float[105 * 105];
        int inkPixels = 0;
        for (int y = 0; y < 105; y++) {
            for (int x = 0; x < 105; x++) {
                if ((source.getRGB(x, y) & 0xFFFFFF) == 0) {
                    ink[y * 105 + x] = 1f;
                    inkPixels++;
                }
            }
        }
        assertThat(glyph).containsExactly(ReferenceImages.areaResize(ink, 105, 105, 28, 28), within(1e-5f));

        long background = 0;
        double mass = 0.0;
        float max = 0f;
        for (float v : glyph) {
            assertThat(v).isBetween(0f, 1f);
            background += v == 0f ? 1 : 0;
            mass += v;
            max = Math.max(max, v);
        }
        assertThat(background).isGreaterThan(28 * 28 / 2);
        assertThat(max).isGreaterThan(0.5f);
        // area averaging keeps the ink mass of thin strokes: 28x28 pixels each cover (105/28)^2 source pixels
        assertThat(mass * (105.0 / 28.0) * (105.0 / 28.0)).isCloseTo(inkPixels, within(0.01 * inkPixels));
        assertThat(inkPixels).isGreaterThan(50);
    }

    @Test
    void sizeEqualToTheSourceKeepsPixelsExactly() throws IOException {
        byte[] png = omniglotGlyph();
        float[] plain = new ImageDecoder(new ImageSpec(105, false)).decode(png);
        BufferedImage source = ImageIO.read(new ByteArrayInputStream(png));
        for (int y = 0; y < 105; y++) {
            for (int x = 0; x < 105; x++) {
                float expected = (source.getRGB(x, y) & 0xFFFFFF) == 0 ? 0f : 1f;
                assertThat(plain[y * 105 + x]).isEqualTo(expected);
            }
        }
    }

    @Test
    void handComputedNonIntegerDownscale() {
        // 16x16: left half black, right half white, to 5x5: output column 2 covers source [6.4, 9.6),
        // half black and half white
        BufferedImage image = ReferenceImages.gray(16, 16, (x, y) -> x < 8 ? 0 : 255);
        byte[] png = ReferenceImages.encode(image, "png");
        float[] plain = new ImageDecoder(new ImageSpec(5, false)).decode(png);
        float[] inverted = new ImageDecoder(new ImageSpec(5, true)).decode(png);
        float[] row = {0f, 0f, 0.5f, 1f, 1f};
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 5; x++) {
                assertThat(plain[y * 5 + x]).isCloseTo(row[x], within(1e-6f));
                assertThat(inverted[y * 5 + x]).isCloseTo(1f - row[x], within(1e-6f));
            }
        }
    }

    @Test
    void eightBitGrayUsesRawSamplesWithoutGammaConversion() {
        BufferedImage image = ReferenceImages.gray(30, 20, (x, y) -> (x * 7 + y * 13) % 256);
        float[] decoded = new ImageDecoder(new ImageSpec(12, false)).decode(ReferenceImages.encode(image, "png"));
        float[] source = new float[30 * 20];
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 30; x++) {
                source[y * 30 + x] = ((x * 7 + y * 13) % 256) / 255f;
            }
        }
        assertThat(decoded).containsExactly(ReferenceImages.areaResize(source, 30, 20, 12, 12), within(1e-5f));
        float[] flat = new ImageDecoder(new ImageSpec(10, false))
                .decode(ReferenceImages.encode(ReferenceImages.gray(10, 10, (x, y) -> 128), "png"));
        assertThat(flat).containsOnly(128 / 255f);
    }

    @Test
    void colourIsConvertedToLuminance() {
        BufferedImage image = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 6, 6);
        g.setColor(Color.GREEN);
        g.fillRect(6, 0, 6, 6);
        g.setColor(Color.BLUE);
        g.fillRect(0, 6, 6, 6);
        g.setColor(new Color(40, 120, 200));
        g.fillRect(6, 6, 6, 6);
        g.dispose();
        float[] decoded = new ImageDecoder(new ImageSpec(2, false)).decode(ReferenceImages.encode(image, "png"));
        assertThat(decoded)
                .containsExactly(
                        new float[] {0.299f, 0.587f, 0.114f, (float) ((0.299 * 40 + 0.587 * 120 + 0.114 * 200) / 255)},
                        within(1e-6f));
    }

    @Test
    void decodesJpegGifAndBmp() {
        BufferedImage smooth = ReferenceImages.gray(64, 64, (x, y) -> 2 * x + y);
        float[] source = new float[64 * 64];
        for (int i = 0; i < source.length; i++) {
            source[i] = (2 * (i % 64) + i / 64) / 255f;
        }
        float[] expected = ReferenceImages.areaResize(source, 64, 64, 16, 16);
        float[] jpeg = new ImageDecoder(new ImageSpec(16, false)).decode(ReferenceImages.encode(smooth, "jpg"));
        assertThat(jpeg).containsExactly(expected, within(0.03f)); // lossy

        BufferedImage binary = new BufferedImage(24, 24, BufferedImage.TYPE_BYTE_BINARY);
        float[] pattern = new float[24 * 24];
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 24; x++) {
                boolean white = (x / 3 + y / 4) % 2 == 0;
                binary.setRGB(x, y, white ? 0xFFFFFF : 0);
                pattern[y * 24 + x] = white ? 0f : 1f; // inverted
            }
        }
        float[] expectedPattern = ReferenceImages.areaResize(pattern, 24, 24, 10, 10);
        ImageDecoder decoder = new ImageDecoder(new ImageSpec(10, true));
        for (String format : new String[] {"gif", "bmp", "png"}) {
            assertThat(decoder.decode(ReferenceImages.encode(binary, format)))
                    .as(format)
                    .containsExactly(expectedPattern, within(1e-5f));
        }
    }

    @Test
    void rejectsEmptyGarbageAndTruncatedBytesAsUndecodable() throws IOException {
        ImageDecoder decoder = new ImageDecoder(ImageSpec.omniglot());
        byte[] garbage = new byte[500];
        new Random(1).nextBytes(garbage);
        byte[] png = omniglotGlyph();
        byte[] jpeg = ReferenceImages.encode(ReferenceImages.gray(64, 64, (x, y) -> (x * y) % 256), "jpg");
        byte[][] bad = {
            new byte[0],
            garbage,
            "not an image at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            Arrays.copyOf(png, png.length / 2),
            Arrays.copyOf(png, 40), // header and part of IHDR only
            Arrays.copyOf(jpeg, jpeg.length / 2)
        };
        for (byte[] bytes : bad) {
            assertRejected(() -> decoder.decode(bytes), InvalidImageException.Reason.UNDECODABLE);
        }
    }

    @Test
    void rejectsImagesOutsideTheSizeLimitsAsInvalid() {
        ImageDecoder decoder = new ImageDecoder(ImageSpec.omniglot());
        BufferedImage tiny = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_BINARY);
        BufferedImage narrow = new BufferedImage(7, 50, BufferedImage.TYPE_BYTE_BINARY);
        for (BufferedImage image : new BufferedImage[] {tiny, narrow}) {
            byte[] png = ReferenceImages.encode(image, "png");
            assertRejected(() -> decoder.decode(png), InvalidImageException.Reason.INVALID);
        }
        BufferedImage smallest = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_BINARY);
        assertThat(decoder.decode(ReferenceImages.encode(smallest, "png"))).containsOnly(1f); // all black

        byte[] png = ReferenceImages.encode(new BufferedImage(100, 50, BufferedImage.TYPE_INT_RGB), "png");
        ImageDecoder pixels = new ImageDecoder(ImageSpec.omniglot(), new ImageLimits(1 << 20, 4999, 1 << 20));
        assertThatThrownBy(() -> pixels.decode(png))
                .isInstanceOf(InvalidImageException.class)
                .hasMessage("PNG image declares 100x50 = 5000 pixels, the limit is 4999");
        ImageDecoder decoded = new ImageDecoder(ImageSpec.omniglot(), new ImageLimits(1 << 20, 5000, 14_999));
        assertThatThrownBy(() -> decoded.decode(png))
                .isInstanceOf(InvalidImageException.class)
                .hasMessage(
                        "PNG image declares 100x50 x 3 channels x 1 bytes = 15000 decoded bytes, the limit is 14999");
        assertThat(new ImageDecoder(ImageSpec.omniglot(), new ImageLimits(png.length, 5000, 15_000)).decode(png))
                .hasSize(28 * 28);
        ImageDecoder encoded = new ImageDecoder(ImageSpec.omniglot(), new ImageLimits(png.length - 1, 5000, 15_000));
        assertThatThrownBy(() -> encoded.decode(png))
                .isInstanceOf(InvalidImageException.class)
                .hasMessage("the encoded image has " + png.length + " bytes, the limit is " + (png.length - 1));
        // a 16-bit RGBA image counts two bytes for each of its four channels
        byte[] deep = HostileImages.zeroPng(64, 64, 16, HostileImages.RGBA);
        assertThatThrownBy(() ->
                        new ImageDecoder(ImageSpec.omniglot(), new ImageLimits(1 << 20, 4096, 32_767)).decode(deep))
                .hasMessage(
                        "PNG image declares 64x64 x 4 channels x 2 bytes = 32768 decoded bytes, the limit is 32767");
    }

    /**
     * Decompression bombs within the encoded-size limit: a complete 8192 x 8192 16-bit RGBA PNG of zeros
     * (about 520 KB, 512 MiB decoded), the same file cut to 1,096 bytes, a PNG declaring 60,000 x 60,000
     * and a JPEG declaring 65,000 x 65,000. Each is refused from its header, as INVALID with the declared
     * size in the message, and the refusal allocates a few MiB at most (ImageIO allocated the whole
     * raster first: 526 MiB for the cut file).
     */
    @Test
    void refusesDecompressionBombsFromTheirHeadersWithoutAllocatingTheirPixels() {
        byte[] bomb = HostileImages.zeroPng(8192, 8192, 16, HostileImages.RGBA);
        assertThat(bomb.length).isBetween(400_000, 700_000);
        byte[][] bombs = {
            bomb,
            HostileImages.cut(bomb, 1096),
            HostileImages.declaringPng(60_000, 60_000),
            HostileImages.declaringJpeg(65_000, 65_000),
        };
        String[] declared = {
            "PNG image declares 8192x8192",
            "PNG image declares 8192x8192",
            "PNG image declares 60000x60000",
            "JPEG image declares 65000x65000"
        };
        ImageDecoder glyphs = new ImageDecoder(ImageSpec.omniglot());
        for (int i = 0; i < bombs.length; i++) {
            byte[] file = bombs[i];
            int index = i;
            for (ThrowableAssert.ThrowingCallable decode : List.<ThrowableAssert.ThrowingCallable>of(
                    () -> glyphs.decode(file), () -> PhotoDecoder.decode(file))) {
                long allocated = Allocation.during(() -> assertThatThrownBy(decode)
                        .isInstanceOfSatisfying(InvalidImageException.class, e -> {
                            assertThat(e.reason()).isEqualTo(InvalidImageException.Reason.INVALID);
                            assertThat(e.getMessage()).startsWith(declared[index]);
                        }));
                assertThat(allocated).as("bytes allocated refusing bomb %d", i).isLessThan(16L << 20);
            }
        }
    }

    @Test
    void acceptsOnlyPngJpegGifAndBmp() {
        byte[] tiff = ReferenceImages.encode(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "tiff");
        assertThatThrownBy(() -> new ImageDecoder(ImageSpec.omniglot()).decode(tiff))
                .isInstanceOfSatisfying(
                        InvalidImageException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidImageException.Reason.UNDECODABLE))
                .hasMessage("TIF images are not accepted (only PNG, JPEG, GIF, BMP)");
    }

    @Test
    void quantisationRoundTripsEveryLevelAndClamps() {
        float[] levels = new float[256];
        for (int k = 0; k < 256; k++) {
            levels[k] = k / 255f;
        }
        byte[] bytes = ImageDecoder.toBytes(levels);
        for (int k = 0; k < 256; k++) {
            assertThat(bytes[k] & 0xFF).isEqualTo(k);
        }
        assertThat(ImageDecoder.fromBytes(bytes)).containsExactly(levels);

        Random random = new Random(2);
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        float[] back = ImageDecoder.fromBytes(ImageDecoder.toBytes(values));
        for (int i = 0; i < values.length; i++) {
            assertThat(back[i]).isCloseTo(values[i], within(0.5f / 255f + 1e-6f));
        }
        byte[] clamped = ImageDecoder.toBytes(new float[] {-0.5f, 1.5f, Float.NaN, 0.5f});
        assertThat(new int[] {clamped[0] & 0xFF, clamped[1] & 0xFF, clamped[2] & 0xFF, clamped[3] & 0xFF})
                .containsExactly(0, 255, 0, 128);
    }

    @Test
    void survivesJavaSerialization() throws IOException, ClassNotFoundException {
        ImageDecoder decoder = new ImageDecoder(new ImageSpec(20, true));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
            out.writeObject(decoder);
        }
        ImageDecoder copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
            copy = (ImageDecoder) in.readObject();
        }
        assertThat(copy.spec()).isEqualTo(decoder.spec());
        byte[] png = omniglotGlyph();
        assertThat(copy.decode(png)).containsExactly(decoder.decode(png));
    }

    @Test
    void specValidatesSize() {
        assertThatThrownBy(() -> new ImageSpec(0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageSpec(ImageSpec.MAX_SIZE + 1, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertRejected(ThrowableAssert.ThrowingCallable call, InvalidImageException.Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidImageException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n").doesNotContain("\r");
        });
    }
}
