package io.divastream.images;

import io.divastream.model.net.backbone.InputSpec;
import java.io.Serializable;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * DiVA's photo views (DIVA_SPEC 4.2) as network input: channels-first float arrays
 * {@code [C * crop * crop]}, normalised and channel-ordered as the backbone's {@link InputSpec} says.
 *
 * <ul>
 *   <li>Training view: torchvision's {@code RandomResizedCrop(crop)} with scale (0.08, 1) and ratio
 *       (3/4, 4/3) ({@link #randomResizedCrop}), bilinear resize of the box to crop x crop, then
 *       {@code RandomHorizontalFlip(0.5)}.
 *   <li>Evaluation view: {@code Resize(resizeSize)} of the shorter side (bilinear), then
 *       {@code CenterCrop(crop)}.
 * </ul>
 *
 * <p>Resizing is {@link TriangleResampler}'s PIL-style antialiased bilinear filter. A one-channel spec
 * gets the Rec. 601 luma of the RGB samples. Random draws per training view, in order: the crop
 * (torchvision's rule, two to forty draws), then one flip draw. Instances are immutable and
 * thread-safe; generators are passed per call.
 */
public final class PhotoTransforms implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Smallest fraction of the image area a random crop covers. */
    public static final double MIN_SCALE = 0.08;
    /** Largest fraction of the image area a random crop covers. */
    public static final double MAX_SCALE = 1.0;
    /** Smallest aspect ratio (width / height) of a random crop. */
    public static final double MIN_RATIO = 3.0 / 4.0;
    /** Largest aspect ratio (width / height) of a random crop. */
    public static final double MAX_RATIO = 4.0 / 3.0;
    /** Attempts at a random box before the center-crop fallback. */
    public static final int ATTEMPTS = 10;

    private final InputSpec input;

    /**
     * Creates the transforms for a backbone's input.
     *
     * @param input crop, resize, normalisation and channel order
     */
    public PhotoTransforms(InputSpec input) {
        this.input = Objects.requireNonNull(input, "input");
    }

    public InputSpec input() {
        return input;
    }

    /**
     * Draws one training view: random resized crop, horizontal flip with probability 0.5,
     * normalisation.
     *
     * @param image the decoded photo
     * @param random source of randomness
     * @return {@code channels * crop * crop} values, channels-first
     */
    public float[] trainView(RgbImage image, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        CropBox box = randomResizedCrop(image.width(), image.height(), random);
        boolean flip = random.nextDouble() < 0.5;
        int crop = input.cropSize();
        float[] planes = TriangleResampler.resize(image, box, crop, crop, 0, 0, crop, crop);
        return normalise(planes, crop, flip);
    }

    /**
     * Makes the evaluation view: the shorter side resized to {@code resizeSize} (the longer one to
     * {@code floor(resizeSize * long / short)}, as torchvision), then the center crop, normalised.
     *
     * @param image the decoded photo
     * @return {@code channels * crop * crop} values, channels-first
     */
    public float[] evalView(RgbImage image) {
        int w = image.width();
        int h = image.height();
        int size = input.resizeSize();
        int outW;
        int outH;
        if (w <= h) {
            outW = size;
            outH = (int) ((long) size * h / w);
        } else {
            outH = size;
            outW = (int) ((long) size * w / h);
        }
        int crop = input.cropSize();
        int top = (int) Math.rint((outH - crop) / 2.0);
        int left = (int) Math.rint((outW - crop) / 2.0);
        float[] planes = TriangleResampler.resize(image, new CropBox(0, 0, w, h), outW, outH, left, top, crop, crop);
        return normalise(planes, crop, false);
    }

    /**
     * torchvision's {@code RandomResizedCrop.get_params} with scale (0.08, 1) and ratio (3/4, 4/3): up
     * to {@value #ATTEMPTS} times draw an area fraction uniformly in the scale range and a log-uniform
     * aspect ratio, round width {@code sqrt(area * ratio)} and height {@code sqrt(area / ratio)} half to
     * even, and accept the box if it fits, at a uniformly drawn position (draws: scale, ratio, then top
     * and left only on acceptance). Otherwise fall back to a centered box of the whole image with its
     * aspect ratio clamped into the range.
     *
     * @param width image width
     * @param height image height
     * @param random source of randomness
     * @return the box, inside the image
     */
    public static CropBox randomResizedCrop(int width, int height, RandomGenerator random) {
        double area = (double) width * height;
        double logMin = Math.log(MIN_RATIO);
        double logMax = Math.log(MAX_RATIO);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double target = area * (MIN_SCALE + (MAX_SCALE - MIN_SCALE) * random.nextDouble());
            double ratio = Math.exp(logMin + (logMax - logMin) * random.nextDouble());
            int w = (int) Math.rint(Math.sqrt(target * ratio));
            int h = (int) Math.rint(Math.sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = random.nextInt(height - h + 1);
                int left = random.nextInt(width - w + 1);
                return new CropBox(left, top, w, h);
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < MIN_RATIO) {
            w = width;
            h = (int) Math.rint(w / MIN_RATIO);
        } else if (inRatio > MAX_RATIO) {
            h = height;
            w = (int) Math.rint(h * MAX_RATIO);
        } else {
            w = width;
            h = height;
        }
        return new CropBox((width - w) / 2, (height - h) / 2, w, h);
    }

    private float[] normalise(float[] rgbPlanes, int crop, boolean flip) {
        int plane = crop * crop;
        int channels = input.channels();
        float[] out = new float[channels * plane];
        for (int y = 0; y < crop; y++) {
            for (int x = 0; x < crop; x++) {
                int src = y * crop + (flip ? crop - 1 - x : x);
                int dst = y * crop + x;
                if (channels == 1) {
                    double luma = 0.299 * rgbPlanes[src]
                            + 0.587 * rgbPlanes[plane + src]
                            + 0.114 * rgbPlanes[2 * plane + src];
                    out[dst] = input.normalize(luma, 0);
                } else {
                    for (int c = 0; c < 3; c++) {
                        int from = input.bgr() ? 2 - c : c;
                        out[c * plane + dst] = input.normalize(rgbPlanes[from * plane + src], c);
                    }
                }
            }
        }
        return out;
    }
}
