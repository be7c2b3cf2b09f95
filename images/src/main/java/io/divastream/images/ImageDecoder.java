package io.divastream.images;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes encoded images (PNG, JPEG, GIF or BMP, with {@code javax.imageio}) into model
 * input: a row-major {@code size * size} float array of grayscale values in [0, 1].
 *
 * <p>Steps: the encoded size is checked against the {@link ImageLimits}, the format is sniffed from the
 * bytes, the dimensions, channels and sample depth are read from the header and checked (sides at
 * least {@value #MIN_SIDE}, pixels and decoded bytes within the limits) before any pixel is
 * allocated, the first frame is
 * decoded (any decoder warning, such as a JPEG ending early, counts as corruption), converted to
 * luminance (colour via Rec. 601 weights, transparency over white), resized to {@code size x size} by
 * exact area averaging (aspect ratio is not kept; thin strokes keep their ink mass rather than
 * vanishing), and inverted if {@link ImageSpec#invert()} is set. No temporary files are used.
 *
 * <p>{@link #toBytes(float[])} and {@link #fromBytes(byte[])} quantise decoded images to one unsigned
 * byte per pixel for compact storage. Instances are immutable, thread-safe and {@link Serializable}.
 */
public final class ImageDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Smallest accepted source width or height in pixels. */
    public static final int MIN_SIDE = 8;

    /**
     * The accepted formats, by ImageIO's format name. TIFF (a large parser for a format no catalogue
     * streams) and WBMP (no signature, so stray bytes can parse as one) are not accepted.
     */
    public static final List<String> FORMATS = List.of("PNG", "JPEG", "GIF", "BMP");

    /** Output size and polarity. */
    private final ImageSpec spec;

    private final ImageLimits limits;

    /**
     * Creates a decoder with the default limits.
     *
     * @param spec output size and polarity
     */
    public ImageDecoder(ImageSpec spec) {
        this(spec, ImageLimits.DEFAULT);
    }

    /**
     * Creates a decoder.
     *
     * @param spec output size and polarity
     * @param limits the bounds on an input image
     */
    public ImageDecoder(ImageSpec spec, ImageLimits limits) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ImageSpec spec() {
        return spec;
    }

    /**
     * Decodes one image.
     *
     * @param encoded the encoded file contents
     * @return {@code size * size} values in [0, 1], row-major
     * @throws InvalidImageException with {@link InvalidImageException.Reason#UNDECODABLE} for empty,
     *     unrecognised, truncated or corrupt bytes, and {@link InvalidImageException.Reason#INVALID} for
     *     sides under {@value #MIN_SIDE} or sizes beyond the limits
     */
    public float[] decode(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        BufferedImage image = read(encoded, limits);
        float[] gray = Grayscale.of(image);
        float[] out = AreaResampler.resize(gray, image.getWidth(), image.getHeight(), spec.size(), spec.size());
        for (int i = 0; i < out.length; i++) {
            float v = Math.min(1f, Math.max(0f, out[i]));
            out[i] = spec.invert() ? 1f - v : v;
        }
        return out;
    }

    /**
     * Decodes encoded image bytes with ImageIO, rejecting empty, unrecognised, corrupt or truncated
     * bytes, sides under MIN_SIDE and, from the header before any pixel is allocated, sizes beyond the
     * limits.
     *
     * @param encoded the encoded bytes
     * @param limits the bounds
     * @return the decoded image
     * @throws InvalidImageException naming the problem
     */
    static BufferedImage read(byte[] encoded, ImageLimits limits) {
        if (encoded.length == 0) {
            throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE, "empty image bytes");
        }
        limits.checkEncoded(encoded.length);
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw new InvalidImageException(
                        InvalidImageException.Reason.UNDECODABLE,
                        "unrecognised image format (" + encoded.length + " bytes)");
            }
            ImageReader detected = readers.next();
            String format = detected.getFormatName().toUpperCase(Locale.ROOT);
            // JPEGs go to TwelveMonkeys' reader, which also decodes CMYK and YCCK ones
            ImageReader reader = format.equals("JPEG") ? JpegReaders.newReader() : detected;
            if (reader != detected) {
                detected.dispose();
            }
            try {
                if (!FORMATS.contains(format)) {
                    throw new InvalidImageException(
                            InvalidImageException.Reason.UNDECODABLE,
                            format + " images are not accepted (only " + String.join(", ", FORMATS) + ")");
                }
                reader.setInput(input, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width < MIN_SIDE || height < MIN_SIDE) {
                    throw new InvalidImageException(
                            InvalidImageException.Reason.INVALID,
                            format + " image is " + width + "x" + height + ", sides must be at least " + MIN_SIDE);
                }
                ImageTypeSpecifier raw = reader.getRawImageType(0);
                checkDeclared(limits, format, width, height, raw);
                List<String> warnings = new ArrayList<>();
                // a warning is corruption (a truncated JPEG), except the notes on colour conversion of CMYK JPEGs
                reader.addIIOReadWarningListener((source, warning) -> {
                    if (!isColourNote(warning)) {
                        warnings.add(warning);
                    }
                });
                BufferedImage image = reader.read(0);
                if (image == null || !warnings.isEmpty()) {
                    throw new InvalidImageException(
                            InvalidImageException.Reason.UNDECODABLE,
                            "corrupt or truncated " + format + " image: "
                                    + (warnings.isEmpty() ? "no image" : warnings.get(0)));
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(
                    InvalidImageException.Reason.UNDECODABLE,
                    "cannot decode image (" + encoded.length + " bytes): " + e,
                    e);
        }
    }

    /** TwelveMonkeys' notes on colour conversion (no embedded ICC profile, a profile it corrected): not damage. */
    private static boolean isColourNote(String warning) {
        String text = String.valueOf(warning).toLowerCase(Locale.ROOT);
        return text.contains("icc") || text.contains("color profile") || text.contains("colour profile");
    }

    /**
     * Checks the size a header declares: the raw image type gives the channels and the bits of each
     * (an unknown type counts as four 8-bit channels, the most a JPEG declares).
     */
    private static void checkDeclared(
            ImageLimits limits, String format, int width, int height, ImageTypeSpecifier raw) {
        int channels = 4;
        int bytesPerSample = 1;
        if (raw != null) {
            channels = raw.getNumBands();
            for (int b = 0; b < channels; b++) {
                bytesPerSample = Math.max(bytesPerSample, (raw.getBitsPerBand(b) + 7) / 8);
            }
        }
        limits.checkDeclared(format, width, height, Math.max(1, channels), bytesPerSample);
    }

    /**
     * Quantises values in [0, 1] to unsigned bytes {@code round(v * 255)}; values outside are clamped
     * and NaN becomes 0. The round trip through {@link #fromBytes(byte[])} is off by at most 1/510.
     *
     * @param values grayscale values
     * @return one byte per value, to be read as unsigned
     */
    public static byte[] toBytes(float[] values) {
        Objects.requireNonNull(values, "values");
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            float clamped = v > 1f ? 1f : (v >= 0f ? v : 0f);
            out[i] = (byte) Math.round(clamped * 255f);
        }
        return out;
    }

    /**
     * Expands unsigned bytes to values {@code b / 255} in [0, 1].
     *
     * @param bytes quantised values, read as unsigned
     * @return one float per byte
     */
    public static float[] fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        float[] out = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (bytes[i] & 0xFF) / 255f;
        }
        return out;
    }
}
