package io.divastream.model.net.backbone;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What a backbone expects as input (DIVA_SPEC sections 1.3 and 4.2): the channel count and order,
 * the square crop fed to the network in training and evaluation, the shorter side that evaluation
 * resizes to before the center crop, and the per-channel normalisation.
 *
 * <p>A pixel sample {@code v} in 0..255 becomes {@code (v / pixelScale - mean[c]) / std[c]}, where
 * {@code c} is the channel index in the network's channel order: with {@code bgr} set, channel 0 is
 * blue and {@code mean[0]} is blue's mean.
 *
 * @param channels 1 (gray) or 3 (colour)
 * @param cropSize side of the square network input, in pixels
 * @param resizeSize evaluation: the shorter side is resized to this before the center crop; at least
 *     {@code cropSize}
 * @param mean per-channel mean, after division by {@code pixelScale}, length {@code channels}
 * @param std per-channel standard deviation, after division by {@code pixelScale}, all positive
 * @param pixelScale divisor applied to 0..255 samples first (255 for torchvision's 0..1 tensors, 1
 *     for Caffe's 0..255 inputs)
 * @param bgr whether the network takes its three channels in blue, green, red order (Caffe models)
 */
public record InputSpec(
        int channels, int cropSize, int resizeSize, float[] mean, float[] std, double pixelScale, boolean bgr)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Largest accepted crop or resize side. */
    public static final int MAX_SIDE = 4096;

    /**
     * Validates the spec and copies the arrays.
     *
     * @param channels 1 or 3
     * @param cropSize crop side
     * @param resizeSize evaluation resize of the shorter side
     * @param mean per-channel mean
     * @param std per-channel standard deviation
     * @param pixelScale divisor of 0..255 samples
     * @param bgr blue-green-red channel order
     */
    public InputSpec {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (cropSize < 1 || cropSize > MAX_SIDE) {
            throw new IllegalArgumentException("cropSize must be in [1, " + MAX_SIDE + "], got " + cropSize);
        }
        if (resizeSize < cropSize || resizeSize > MAX_SIDE) {
            throw new IllegalArgumentException(
                    "resizeSize must be in [cropSize=" + cropSize + ", " + MAX_SIDE + "], got " + resizeSize);
        }
        if (mean == null || mean.length != channels || std == null || std.length != channels) {
            throw new IllegalArgumentException("mean and std must have " + channels + " entries, got "
                    + (mean == null ? "null" : mean.length) + " and " + (std == null ? "null" : std.length));
        }
        for (int c = 0; c < channels; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean[" + c + "] is not finite: " + mean[c]);
            }
            if (!(std[c] > 0f) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("std[" + c + "] must be positive and finite, got " + std[c]);
            }
        }
        if (!(pixelScale > 0.0) || Double.isInfinite(pixelScale)) {
            throw new IllegalArgumentException("pixelScale must be positive and finite, got " + pixelScale);
        }
        if (bgr && channels != 3) {
            throw new IllegalArgumentException("bgr needs 3 channels");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * torchvision's ImageNet convention (DIVA_SPEC 4.2): RGB, crop 224, resize 256, 0..1 samples,
     * mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
     *
     * @return the spec of torchvision's ResNets
     */
    public static InputSpec imagenet() {
        return new InputSpec(
                3, 224, 256, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, 255.0, false);
    }

    /**
     * TensorFlow's [-1, 1] convention of the shared MobileNetV2: RGB, crop 224, resize 256, mean = std
     * = 0.5 on 0..1 samples, i.e. {@code v / 127.5 - 1}.
     *
     * @return the spec of the shared MobileNetV2
     */
    public static InputSpec minusOneToOne() {
        return new InputSpec(3, 224, 256, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}, 255.0, false);
    }

    /**
     * The Caffe convention of DiVA's BN-Inception (DIVA_SPEC 1.3): BGR, crop 227, resize 256, 0..255
     * samples minus the per-channel means (blue 104, green 117, red 128).
     *
     * @return the BN-Inception spec
     */
    public static InputSpec caffeBnInception() {
        // DiVA's Normalize(mean=(0.502, 0.4588, 0.4078), std=0.0039) on 0..1 RGB, then the flip to BGR
        return new InputSpec(
                3,
                227,
                256,
                new float[] {0.4078f, 0.4588f, 0.502f},
                new float[] {0.0039f, 0.0039f, 0.0039f},
                255.0,
                true);
    }

    /**
     * One gray channel in [0, 1], no resize: the glyph backbone's input.
     *
     * @param size side of the square glyph
     * @return the spec
     */
    public static InputSpec glyph(int size) {
        return new InputSpec(1, size, size, new float[] {0f}, new float[] {1f}, 255.0, false);
    }

    /**
     * Returns the per-channel mean (a copy).
     *
     * @return the mean, in network channel order
     */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /**
     * Returns the per-channel standard deviation (a copy).
     *
     * @return the standard deviation, in network channel order
     */
    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * Normalises one 0..255 sample.
     *
     * @param sample the pixel sample, 0..255 (fractional values from resampling are fine)
     * @param channel the channel index in network order
     * @return {@code (sample / pixelScale - mean[channel]) / std[channel]}
     */
    public float normalize(double sample, int channel) {
        return (float) ((sample / pixelScale - mean[channel]) / std[channel]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputSpec s
                && channels == s.channels
                && cropSize == s.cropSize
                && resizeSize == s.resizeSize
                && Arrays.equals(mean, s.mean)
                && Arrays.equals(std, s.std)
                && Double.compare(pixelScale, s.pixelScale) == 0
                && bgr == s.bgr;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * channels + cropSize) + resizeSize) + Arrays.hashCode(mean))
                + Arrays.hashCode(std)
                + Double.hashCode(pixelScale)
                + (bgr ? 1 : 0);
    }

    @Override
    public String toString() {
        return "InputSpec[channels=" + channels + ", cropSize=" + cropSize + ", resizeSize=" + resizeSize
                + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std)
                + ", pixelScale=" + pixelScale + ", bgr=" + bgr + "]";
    }
}
