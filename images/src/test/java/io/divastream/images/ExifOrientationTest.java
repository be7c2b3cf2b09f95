package io.divastream.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A JPEG's EXIF orientation, read from its APP1 segment and applied so the photo is decoded as it is shown. */
class ExifOrientationTest {

    private static final int W = 24;
    private static final int H = 16;

    /** A JPEG of W x H, red in the stored top-left 8 x 8 block and blue in the stored top-right one, else gray. */
    private static byte[] jpeg() {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int rgb = y < 8 && x < 8 ? 0xFF0000 : y < 8 && x >= W - 8 ? 0x0000FF : 0x808080;
                image.setRGB(x, y, rgb);
            }
        }
        return ReferenceImages.encode(image, "jpg");
    }

    /** The JPEG with an APP1 Exif segment (little-endian TIFF, one IFD entry: orientation) after its SOI marker. */
    static byte[] withOrientation(byte[] jpeg, int orientation) {
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        int[] bytes = {
            'I',
            'I',
            42,
            0,
            8,
            0,
            0,
            0, // header: little-endian, IFD at offset 8
            1,
            0, // one entry
            0x12,
            0x01,
            3,
            0,
            1,
            0,
            0,
            0,
            orientation,
            0,
            0,
            0, // tag 274, SHORT, count 1, value
            0,
            0,
            0,
            0 // no next IFD
        };
        for (int b : bytes) {
            tiff.write(b);
        }
        byte[] exif = tiff.toByteArray();
        int length = 2 + 6 + exif.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(exif);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** Whether the 8 x 8 block at a corner of the image is mostly of a colour (r, g or b channel high). */
    private static boolean corner(RgbImage img, boolean right, boolean bottom, int channel) {
        int x = right ? img.width() - 4 : 3;
        int y = bottom ? img.height() - 4 : 3;
        return img.sample(x, y, channel) > 180 && img.sample(x, y, (channel + 1) % 3) < 80;
    }

    @ParameterizedTest(name = "orientation {0}")
    @CsvSource({
        // orientation, shown size swapped, where stored top-left (red) and top-right (blue) are shown
        "1, false, TL, TR",
        "2, false, TR, TL",
        "3, false, BR, BL",
        "4, false, BL, BR",
        "5, true, TL, BL",
        "6, true, TR, BR",
        "7, true, BR, TR",
        "8, true, BL, TL"
    })
    void eachOrientationShowsTheStoredCornersWhereACameraMeantThem(
            int orientation, boolean swapped, String red, String blue) {
        byte[] encoded = withOrientation(jpeg(), orientation);
        assertThat(ExifOrientation.read(encoded)).isEqualTo(ExifOrientation.of(orientation));
        RgbImage img = PhotoDecoder.decode(encoded);
        assertThat(img.width()).isEqualTo(swapped ? H : W);
        assertThat(img.height()).isEqualTo(swapped ? W : H);
        assertThat(corner(img, red.charAt(1) == 'R', red.charAt(0) == 'B', 0))
                .as("red at " + red)
                .isTrue();
        assertThat(corner(img, blue.charAt(1) == 'R', blue.charAt(0) == 'B', 2))
                .as("blue at " + blue)
                .isTrue();
    }

    @Test
    void applyingAnOrientationMovesEveryPixelAsANaiveLoopDoes() {
        byte[] rgb = new byte[3 * 5 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) i;
        }
        RgbImage stored = new RgbImage(5, 3, rgb);
        RgbImage rotated = ExifOrientation.ROTATE_90.apply(stored);
        // turned 90 degrees clockwise: shown (x, y) is stored (y, h - 1 - x)
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 3; x++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(rotated.sample(x, y, c)).isEqualTo(stored.sample(y, 2 - x, c));
                }
            }
        }
        // every orientation is a bijection of the pixels: applying it twice, or with its inverse, restores them
        for (ExifOrientation o : ExifOrientation.values()) {
            ExifOrientation inverse = o == ExifOrientation.ROTATE_90
                    ? ExifOrientation.ROTATE_270
                    : o == ExifOrientation.ROTATE_270 ? ExifOrientation.ROTATE_90 : o;
            assertThat(inverse.apply(o.apply(stored)).rgb()).isEqualTo(rgb);
        }
    }

    @Test
    void otherFormatsAndBrokenMetadataAreAsStored() {
        assertThat(ExifOrientation.read(ReferenceImages.encode(new BufferedImage(9, 9, 1), "png")))
                .isEqualTo(ExifOrientation.NORMAL);
        byte[] broken = withOrientation(jpeg(), 6);
        broken[16] = (byte) 0xFF; // the TIFF header's IFD offset (bytes 16 to 19) now points nowhere
        broken[17] = (byte) 0xFF;
        assertThat(ExifOrientation.read(broken)).isEqualTo(ExifOrientation.NORMAL);
        assertThat(PhotoDecoder.decode(broken).width()).isEqualTo(W);
        assertThat(ExifOrientation.of(0)).isEqualTo(ExifOrientation.NORMAL);
        assertThat(ExifOrientation.of(9)).isEqualTo(ExifOrientation.NORMAL);
    }
}
