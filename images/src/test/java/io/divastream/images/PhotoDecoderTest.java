package io.divastream.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PhotoDecoderTest {

    @Test
    void pngColourSamplesAreKeptExactly() {
        BufferedImage src = new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                src.setRGB(x, y, (x * 12) << 16 | (y * 25) << 8 | (x + y));
            }
        }
        RgbImage img = PhotoDecoder.decode(ReferenceImages.encode(src, "png"));
        assertThat(img.width()).isEqualTo(20);
        assertThat(img.height()).isEqualTo(10);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                assertThat(new int[] {img.sample(x, y, 0), img.sample(x, y, 1), img.sample(x, y, 2)})
                        .containsExactly(x * 12, y * 25, x + y);
            }
        }
    }

    @Test
    void grayImagesBecomeThreeEqualChannelsFromTheRawSamples() {
        BufferedImage src = new BufferedImage(16, 12, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) {
                src.getRaster().setSample(x, y, 0, x * 16 + y);
            }
        }
        RgbImage img = PhotoDecoder.decode(ReferenceImages.encode(src, "png"));
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(img.sample(x, y, c)).isEqualTo(x * 16 + y);
                }
            }
        }
    }

    @Test
    void jpegColoursSurviveWithinCompressionError() {
        BufferedImage src = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                src.setRGB(x, y, 200 << 16 | 100 << 8 | 30);
            }
        }
        RgbImage img = PhotoDecoder.decode(ReferenceImages.encode(src, "jpg"));
        assertThat(img.sample(30, 20, 0)).isBetween(194, 206);
        assertThat(img.sample(30, 20, 1)).isBetween(94, 106);
        assertThat(img.sample(30, 20, 2)).isBetween(24, 36);
    }

    @Test
    void badBytesAreRejectedWithAReason() {
        assertThatThrownBy(() -> PhotoDecoder.decode(new byte[0]))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> PhotoDecoder.decode("not an image".getBytes()))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("unrecognised");
        byte[] jpeg = ReferenceImages.encode(new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        assertThatThrownBy(() -> PhotoDecoder.decode(Arrays.copyOf(jpeg, jpeg.length / 2)))
                .isInstanceOf(InvalidImageException.class)
                .satisfies(e -> assertThat(((InvalidImageException) e).reason())
                        .isEqualTo(InvalidImageException.Reason.UNDECODABLE));
        assertThatThrownBy(() -> PhotoDecoder.decode(
                        ReferenceImages.encode(new BufferedImage(4, 100, BufferedImage.TYPE_INT_RGB), "png")))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("4x100");
    }

    @Test
    void cmykAndYcckJpegsAreConvertedToRgb() {
        // inks: cyan rises with x, magenta with y, yellow 40, black 10 (of 255)
        RgbImage cmyk = PhotoDecoder.decode(CmykJpeg.cmyk());
        assertThat(cmyk.width()).isEqualTo(CmykJpeg.SIDE);
        // more cyan takes red away, more magenta takes green away; the corner with little ink stays light
        assertThat(cmyk.sample(2, 16, 0)).isGreaterThan(cmyk.sample(29, 16, 0) + 100);
        assertThat(cmyk.sample(16, 2, 1)).isGreaterThan(cmyk.sample(16, 29, 1) + 100);
        assertThat(cmyk.sample(1, 1, 0)).isGreaterThan(200);
        assertThat(cmyk.sample(1, 1, 1)).isGreaterThan(200);
        // the same inks stored as YCCK give the same colours within compression error
        RgbImage ycck = PhotoDecoder.decode(CmykJpeg.ycck());
        double diff = 0;
        for (int i = 0; i < cmyk.rgb().length; i++) {
            diff += Math.abs((cmyk.rgb()[i] & 0xFF) - (ycck.rgb()[i] & 0xFF));
        }
        assertThat(diff / cmyk.rgb().length).isLessThan(8);
        // four components without a marker naming them still decode (as CMYK) instead of failing
        assertThat(PhotoDecoder.decode(CmykJpeg.unmarked()).width()).isEqualTo(CmykJpeg.SIDE);
    }

    @Test
    void transparencyIsCompositedOverWhite() {
        BufferedImage argb = new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00123456); // fully transparent
        argb.setRGB(1, 0, 0x80FF0000); // half-transparent red
        argb.setRGB(2, 0, 0xFF00FF00); // opaque green
        RgbImage img = PhotoDecoder.decode(ReferenceImages.encode(argb, "png"));
        assertThat(new int[] {img.sample(0, 0, 0), img.sample(0, 0, 1), img.sample(0, 0, 2)})
                .containsExactly(255, 255, 255);
        // round((128 * c + 127 * 255) / 255)
        assertThat(new int[] {img.sample(1, 0, 0), img.sample(1, 0, 1), img.sample(1, 0, 2)})
                .containsExactly(255, 127, 127);
        assertThat(new int[] {img.sample(2, 0, 0), img.sample(2, 0, 1), img.sample(2, 0, 2)})
                .containsExactly(0, 255, 0);
    }

    @Test
    void sixteenBitPngsAreScaledToEightBits() {
        java.awt.image.ColorModel model = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB),
                new int[] {16, 16, 16},
                false,
                false,
                java.awt.Transparency.OPAQUE,
                java.awt.image.DataBuffer.TYPE_USHORT);
        java.awt.image.WritableRaster raster = model.createCompatibleWritableRaster(16, 16);
        raster.setPixel(3, 4, new int[] {65535, 32896, 0}); // 255, 128, 0 in eight bits
        RgbImage img =
                PhotoDecoder.decode(ReferenceImages.encode(new BufferedImage(model, raster, false, null), "png"));
        assertThat(new int[] {img.sample(3, 4, 0), img.sample(3, 4, 1), img.sample(3, 4, 2)})
                .containsExactly(255, 128, 0);
        BufferedImage gray = new BufferedImage(16, 16, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSample(5, 6, 0, 65535);
        RgbImage g = PhotoDecoder.decode(ReferenceImages.encode(gray, "png"));
        assertThat(new int[] {g.sample(5, 6, 0), g.sample(5, 6, 1), g.sample(5, 6, 2), g.sample(0, 0, 0)})
                .containsExactly(255, 255, 255, 0);
    }

    @Test
    void cubPhotosDecodeAsTheJdksReaderDecodesThem() throws Exception {
        javax.imageio.spi.ImageReaderSpi jdk = javax.imageio.spi.IIORegistry.getDefaultInstance()
                .getServiceProviders(
                        javax.imageio.spi.ImageReaderSpi.class,
                        spi -> spi.getClass().getName().equals("com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi"),
                        false)
                .next();
        java.util.List<byte[]> jpegs = io.divastream.datasets.CubSample.firstJpegs(2000);
        assertThat(jpegs).hasSize(1701);
        int gray = 0;
        for (int i = 0; i < jpegs.size(); i++) {
            byte[] jpeg = jpegs.get(i);
            boolean grayHeader;
            javax.imageio.ImageReader header = jdk.createReaderInstance();
            try (var input = javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(jpeg))) {
                header.setInput(input);
                grayHeader = header.getRawImageType(0).getNumBands() == 1;
            } finally {
                header.dispose();
            }
            if (i % 8 != 0 && !grayHeader) {
                continue; // every gray photo and every eighth colour one are decoded in full
            }
            RgbImage ours = PhotoDecoder.decode(jpeg);
            javax.imageio.ImageReader reader = jdk.createReaderInstance();
            BufferedImage reference;
            try (var input = javax.imageio.ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(jpeg))) {
                reader.setInput(input);
                reference = reader.read(0);
            } finally {
                reader.dispose();
            }
            assertThat(ours.width()).isEqualTo(reference.getWidth());
            assertThat(ours.height()).isEqualTo(reference.getHeight());
            boolean isGray = reference.getRaster().getNumBands() == 1;
            assertThat(isGray).isEqualTo(grayHeader);
            gray += isGray ? 1 : 0;
            for (int y = 0; y < ours.height(); y += 7) {
                for (int x = 0; x < ours.width(); x += 7) {
                    int rgb = reference.getRGB(x, y);
                    int expectedRed = isGray ? reference.getRaster().getSample(x, y, 0) : (rgb >> 16) & 0xFF;
                    assertThat(ours.sample(x, y, 0)).isEqualTo(expectedRed);
                    if (!isGray) {
                        assertThat(ours.sample(x, y, 1)).isEqualTo((rgb >> 8) & 0xFF);
                        assertThat(ours.sample(x, y, 2)).isEqualTo(rgb & 0xFF);
                    }
                }
            }
        }
        assertThat(gray).as("CUB's two grayscale photos").isEqualTo(2);
    }
}
