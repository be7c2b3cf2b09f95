package io.divastream.model.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes encoded images (PNG, JPEG, GIF, BMP, anything with a {@code javax.imageio} reader) into model
 * input: a row-major {@code size * size} float array of grayscale values in [0, 1].
 *
 * <p>Steps: the format is sniffed from the bytes, the dimensions are read from the header and checked
 * against [{@value #MIN_SIDE}, {@value #MAX_SIDE}] before any pixel is decoded, the first frame is
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
    /** Largest accepted source width or height in pixels. */
    public static final int MAX_SIDE = 8192;

    /** Output size and polarity. */
    private final ImageSpec spec;

    /**
     * Creates a decoder.
     *
     * @param spec output size and polarity
     */
    public ImageDecoder(ImageSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /**
     * Returns the output spec.
     *
     * @return the spec
     */
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
     *     dimensions outside [{@value #MIN_SIDE}, {@value #MAX_SIDE}]
     */
    public float[] decode(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        BufferedImage image = read(encoded, false);
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
     * bytes and sides outside [MIN_SIDE, MAX_SIDE].
     *
     * @param encoded the encoded bytes
     * @param rejectCmyk also reject four-component (CMYK / YCCK) JPEGs, which Java decodes to wrong
     *     colours without a warning
     * @return the decoded image
     * @throws InvalidImageException naming the problem
     */
    static BufferedImage read(byte[] encoded, boolean rejectCmyk) {
        if (encoded.length == 0) {
            throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE, "empty image bytes");
        }
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE,
                        "unrecognised image format (" + encoded.length + " bytes)");
            }
            ImageReader reader = readers.next();
            String format = reader.getFormatName();
            try {
                reader.setInput(input, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width < MIN_SIDE || height < MIN_SIDE || width > MAX_SIDE || height > MAX_SIDE) {
                    throw new InvalidImageException(InvalidImageException.Reason.INVALID,
                            format + " image is " + width + "x" + height + ", sides must be in ["
                                    + MIN_SIDE + ", " + MAX_SIDE + "]");
                }
                if (rejectCmyk) {
                    ImageTypeSpecifier raw = reader.getRawImageType(0);
                    if (raw == null || !reader.getImageTypes(0).hasNext()
                            || (format.equalsIgnoreCase("jpeg") && raw.getNumBands() == 4)) {
                        throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE, format
                                + " image with " + (raw == null ? "an unsupported colour model" : raw.getNumBands()
                                + " colour components") + " (CMYK or YCCK JPEG?) is not supported");
                    }
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                if (image == null || !warnings.isEmpty()) {
                    throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE,
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
            String hint = rejectCmyk && String.valueOf(e.getMessage()).contains("Unsupported Image Type")
                    ? " (CMYK or YCCK JPEG?)" : "";
            throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE,
                    "cannot decode image (" + encoded.length + " bytes): " + e + hint, e);
        }
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
