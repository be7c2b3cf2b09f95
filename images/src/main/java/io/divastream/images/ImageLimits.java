package io.divastream.images;

import java.io.Serializable;

/**
 * Bounds on one encoded image, checked before any pixel is allocated: its encoded size, and the
 * width x height and the decoded bytes (width x height x channels x bytes per sample) its header
 * declares. Everything that decodes untrusted images (the job, the search service's uploads, the
 * dataset readers) applies them; {@code docs/operations.md} lists the defaults.
 *
 * @param maxEncodedBytes the largest encoded image, in bytes
 * @param maxPixels the largest width x height
 * @param maxDecodedBytes the largest width x height x channels x bytes per sample
 */
public record ImageLimits(long maxEncodedBytes, long maxPixels, long maxDecodedBytes) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** 10 MiB encoded. */
    public static final long DEFAULT_ENCODED_BYTES = 10L << 20;
    /** 16 Mpx, e.g. 4096 x 4096. */
    public static final long DEFAULT_PIXELS = 1L << 24;
    /** 64 MiB decoded: 16 Mpx of 8-bit RGBA. */
    public static final long DEFAULT_DECODED_BYTES = 64L << 20;

    /** The defaults. */
    public static final ImageLimits DEFAULT =
            new ImageLimits(DEFAULT_ENCODED_BYTES, DEFAULT_PIXELS, DEFAULT_DECODED_BYTES);

    /** Validates the bounds. */
    public ImageLimits {
        if (maxEncodedBytes < 1
                || maxPixels < (long) ImageDecoder.MIN_SIDE * ImageDecoder.MIN_SIDE
                || maxDecodedBytes < maxPixels) {
            throw new IllegalArgumentException("image limits must be positive, with at least "
                    + ImageDecoder.MIN_SIDE * ImageDecoder.MIN_SIDE + " pixels and at least a byte per pixel: "
                    + maxEncodedBytes + " encoded bytes, " + maxPixels + " pixels, " + maxDecodedBytes
                    + " decoded bytes");
        }
    }

    /**
     * Checks the encoded size.
     *
     * @param encodedBytes the encoded image's length
     * @throws InvalidImageException ({@link InvalidImageException.Reason#INVALID}) beyond the bound
     */
    public void checkEncoded(long encodedBytes) {
        if (encodedBytes > maxEncodedBytes) {
            throw new InvalidImageException(
                    InvalidImageException.Reason.INVALID,
                    "the encoded image has " + encodedBytes + " bytes, the limit is " + maxEncodedBytes);
        }
    }

    /**
     * Checks what a header declares.
     *
     * @param format the format's name, for the message
     * @param width the declared width
     * @param height the declared height
     * @param channels the declared channels (bands)
     * @param bytesPerSample the bytes of one sample, at least 1
     * @throws InvalidImageException ({@link InvalidImageException.Reason#INVALID}) naming the declared
     *     size and the bound it exceeds
     */
    public void checkDeclared(String format, int width, int height, int channels, int bytesPerSample) {
        long pixels = (long) width * height;
        String declared = format + " image declares " + width + "x" + height;
        if (pixels > maxPixels) {
            throw new InvalidImageException(
                    InvalidImageException.Reason.INVALID,
                    declared + " = " + pixels + " pixels, the limit is " + maxPixels);
        }
        long decoded = pixels * channels * bytesPerSample;
        if (decoded > maxDecodedBytes) {
            throw new InvalidImageException(
                    InvalidImageException.Reason.INVALID,
                    declared + " x " + channels + " channels x " + bytesPerSample + " bytes = " + decoded
                            + " decoded bytes, the limit is " + maxDecodedBytes);
        }
    }
}
