package io.divastream.images;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The EXIF orientation of a JPEG (TIFF tag 274, values 1 to 8) and its application to a decoded image, so that a
 * photo a camera stored sideways is embedded the way it is shown. Read with TwelveMonkeys' metadata readers from
 * the APP1 segments only (each at most 64 KiB).
 */
public enum ExifOrientation {
    /** 1: as stored. */
    NORMAL,
    /** 2: mirrored left to right. */
    MIRROR_HORIZONTAL,
    /** 3: turned 180 degrees. */
    ROTATE_180,
    /** 4: mirrored top to bottom. */
    MIRROR_VERTICAL,
    /** 5: mirrored along the main diagonal (transposed). */
    TRANSPOSE,
    /** 6: to be turned 90 degrees clockwise for display. */
    ROTATE_90,
    /** 7: mirrored along the anti-diagonal (transversed). */
    TRANSVERSE,
    /** 8: to be turned 90 degrees counter-clockwise (270 clockwise) for display. */
    ROTATE_270;

    /**
     * The orientation for a tag value.
     *
     * @param tag the EXIF value, 1 to 8; anything else is {@link #NORMAL}
     * @return the orientation
     */
    public static ExifOrientation of(int tag) {
        return tag >= 1 && tag <= 8 ? values()[tag - 1] : NORMAL;
    }

    /**
     * Reads the orientation of encoded image bytes: a JPEG's first EXIF orientation tag, {@link #NORMAL} for any
     * other format, for a JPEG without one, or for unreadable metadata (the pixels decide whether the image is
     * valid, not its metadata).
     *
     * @param encoded the encoded bytes
     * @return the orientation
     */
    public static ExifOrientation read(byte[] encoded) {
        if (encoded.length < 4 || (encoded[0] & 0xFF) != 0xFF || (encoded[1] & 0xFF) != 0xD8) {
            return NORMAL;
        }
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            List<JPEGSegment> segments = JPEGSegmentUtil.readSegments(input, JPEG.APP1, "Exif");
            for (JPEGSegment segment : segments) {
                byte[] data = segment.data().readAllBytes();
                // the data follow the identifier "Exif\0" and a pad byte; the TIFF offsets count from after it
                try (ImageInputStream exif =
                        new MemoryCacheImageInputStream(new ByteArrayInputStream(data, 1, data.length - 1))) {
                    Directory directory = new TIFFReader().read(exif);
                    Entry entry = directory.getEntryById(TIFF.TAG_ORIENTATION);
                    if (entry != null && entry.getValue() instanceof Number value) {
                        return of(value.intValue());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return NORMAL;
        }
        return NORMAL;
    }

    /**
     * Applies the orientation: returns the image as it is meant to be shown.
     *
     * @param image the image as stored
     * @return the image as shown (the same object for {@link #NORMAL})
     */
    public RgbImage apply(RgbImage image) {
        if (this == NORMAL) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        boolean swap = ordinal() >= TRANSPOSE.ordinal();
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        byte[] in = image.rgb();
        byte[] out = new byte[in.length];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int sx;
                int sy;
                switch (this) {
                    case MIRROR_HORIZONTAL -> {
                        sx = w - 1 - x;
                        sy = y;
                    }
                    case ROTATE_180 -> {
                        sx = w - 1 - x;
                        sy = h - 1 - y;
                    }
                    case MIRROR_VERTICAL -> {
                        sx = x;
                        sy = h - 1 - y;
                    }
                    case TRANSPOSE -> {
                        sx = y;
                        sy = x;
                    }
                    case ROTATE_90 -> {
                        sx = y;
                        sy = h - 1 - x;
                    }
                    case TRANSVERSE -> {
                        sx = w - 1 - y;
                        sy = h - 1 - x;
                    }
                    case ROTATE_270 -> {
                        sx = w - 1 - y;
                        sy = x;
                    }
                    default -> throw new IllegalStateException(name());
                }
                System.arraycopy(in, 3 * (sy * w + sx), out, 3 * (y * outW + x), 3);
            }
        }
        return new RgbImage(outW, outH, out);
    }
}
