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
    void cmykJpegsAreRejectedClearly() {
        // a JPEG whose frame has four components (Adobe CMYK without the APP14 marker is read as CMYK)
        byte[] cmyk = CmykJpeg.bytes();
        assertThatThrownBy(() -> PhotoDecoder.decode(cmyk))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("CMYK");
    }
}
