package io.divastream.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.divastream.model.net.backbone.InputSpec;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PhotoTransformsTest {

    /** An image whose samples are given functions of (x, y) per channel. */
    private static RgbImage image(
            int w,
            int h,
            java.util.function.IntBinaryOperator r,
            java.util.function.IntBinaryOperator g,
            java.util.function.IntBinaryOperator b) {
        byte[] rgb = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = 3 * (y * w + x);
                rgb[i] = (byte) r.applyAsInt(x, y);
                rgb[i + 1] = (byte) g.applyAsInt(x, y);
                rgb[i + 2] = (byte) b.applyAsInt(x, y);
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private static double triangle(double t) {
        return Math.max(0, 1 - Math.abs(t));
    }

    /**
     * Direct 2-D evaluation of the bilinear (triangle, widened by the downscale factor) resize of the
     * whole image to (outW, outH), at one output pixel: sum over all source pixels of the product of
     * the two axis weights, divided by the sum of the products.
     */
    private static double naiveResized(RgbImage img, int channel, int outW, int outH, int ox, int oy) {
        double sx = (double) img.width() / outW;
        double sy = (double) img.height() / outH;
        double supportX = Math.max(1, sx);
        double supportY = Math.max(1, sy);
        double cx = (ox + 0.5) * sx;
        double cy = (oy + 0.5) * sy;
        double sum = 0;
        double weights = 0;
        for (int y = 0; y < img.height(); y++) {
            double wy = triangle((y + 0.5 - cy) / supportY);
            if (wy == 0) {
                continue;
            }
            for (int x = 0; x < img.width(); x++) {
                double w = wy * triangle((x + 0.5 - cx) / supportX);
                sum += w * img.sample(x, y, channel);
                weights += w;
            }
        }
        return sum / weights;
    }

    @Test
    void evalViewEqualsANaiveResizeAndCenterCropWithNormalisation() {
        // 300 x 200 (landscape): shorter side 200 -> 64, longer 300 -> floor(64 * 300 / 200) = 96
        RgbImage img =
                image(300, 200, (x, y) -> (x * 7 + y * 3) % 256, (x, y) -> (x * y) % 251, (x, y) -> 255 - (y % 256));
        InputSpec spec = new InputSpec(
                3, 56, 64, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, 255.0, false);
        float[] view = new PhotoTransforms(spec).evalView(img);
        assertThat(view).hasSize(3 * 56 * 56);
        int left = (int) Math.rint((96 - 56) / 2.0);
        int top = (int) Math.rint((64 - 56) / 2.0);
        float[] mean = spec.mean();
        float[] std = spec.std();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 56; y += 5) {
                for (int x = 0; x < 56; x += 3) {
                    double expected = (naiveResized(img, c, 96, 64, x + left, y + top) / 255.0 - mean[c]) / std[c];
                    assertThat((double) view[(c * 56 + y) * 56 + x])
                            .as("c%d y%d x%d", c, y, x)
                            .isCloseTo(expected, within(1e-4));
                }
            }
        }
    }

    @Test
    void aLinearRampStaysLinearAwayFromTheBorders() {
        // value 2x at column x: the triangle filter is symmetric, so an interior output pixel equals the
        // ramp at its sample position (ox + 0.5) * scale - 0.5
        RgbImage img = image(120, 100, (x, y) -> 2 * x, (x, y) -> 2 * x, (x, y) -> 2 * x);
        InputSpec raw = new InputSpec(3, 40, 50, new float[] {0, 0, 0}, new float[] {1, 1, 1}, 1.0, false);
        float[] view = new PhotoTransforms(raw).evalView(img);
        // 120 x 100 -> 60 x 50, crop 40 at left 10, top 5; scale 2, support 2
        for (int x = 2; x < 38; x++) {
            double expected = 2 * ((x + 10 + 0.5) * 2.0 - 0.5);
            assertThat((double) view[20 * 40 + x]).isCloseTo(expected, within(1e-3));
        }
    }

    @Test
    void normalisationAndChannelOrderFollowTheInputSpec() {
        RgbImage img = image(40, 30, (x, y) -> 200, (x, y) -> 100, (x, y) -> 50);
        float[] imagenet = new PhotoTransforms(new InputSpec(
                        3,
                        16,
                        20,
                        new float[] {0.485f, 0.456f, 0.406f},
                        new float[] {0.229f, 0.224f, 0.225f},
                        255.0,
                        false))
                .trainView(img, new SplittableRandom(1));
        float[] bgr = new PhotoTransforms(new InputSpec(
                        3,
                        16,
                        20,
                        new float[] {0.4078f, 0.4588f, 0.502f},
                        new float[] {0.0039f, 0.0039f, 0.0039f},
                        255.0,
                        true))
                .evalView(img);
        float[] minusOne = new PhotoTransforms(InputSpec.minusOneToOne())
                .evalView(image(300, 300, (x, y) -> 255, (x, y) -> 0, (x, y) -> 51));
        float[] gray = new PhotoTransforms(InputSpec.glyph(16)).evalView(img);
        for (int i = 0; i < 256; i++) {
            assertThat(imagenet[i]).isCloseTo((200f / 255 - 0.485f) / 0.229f, within(1e-4f));
            assertThat(imagenet[256 + i]).isCloseTo((100f / 255 - 0.456f) / 0.224f, within(1e-4f));
            assertThat(imagenet[512 + i]).isCloseTo((50f / 255 - 0.406f) / 0.225f, within(1e-4f));
            assertThat(bgr[i]).as("blue first").isCloseTo((50f / 255 - 0.4078f) / 0.0039f, within(1e-2f));
            assertThat(bgr[512 + i]).as("red last").isCloseTo((200f / 255 - 0.502f) / 0.0039f, within(1e-2f));
            assertThat(gray[i]).isCloseTo((0.299f * 200 + 0.587f * 100 + 0.114f * 50) / 255f, within(1e-4f));
        }
        assertThat(minusOne).hasSize(3 * 224 * 224);
        assertThat(minusOne[0]).isCloseTo(1f, within(1e-5f));
        assertThat(minusOne[224 * 224]).isCloseTo(-1f, within(1e-5f));
        assertThat(minusOne[2 * 224 * 224]).isCloseTo(51f / 127.5f - 1f, within(1e-5f));
    }

    @Test
    void randomResizedCropsStayWithinTheScaleAndRatioRanges() {
        SplittableRandom random = new SplittableRandom(42);
        int w = 500;
        int h = 375;
        double minArea = 1;
        double maxArea = 0;
        double minRatio = 10;
        double maxRatio = 0;
        for (int i = 0; i < 20_000; i++) {
            CropBox box = PhotoTransforms.randomResizedCrop(w, h, random);
            assertThat(box.fitsIn(w, h)).isTrue();
            double area = (double) box.width() * box.height() / (w * h);
            double ratio = (double) box.width() / box.height();
            // rounding each side to whole pixels moves area and ratio by at most about one pixel
            assertThat(area).isBetween(0.08 * 0.97, 1.0);
            assertThat(ratio).isBetween(0.75 * 0.97, 4.0 / 3.0 * 1.03);
            minArea = Math.min(minArea, area);
            maxArea = Math.max(maxArea, area);
            minRatio = Math.min(minRatio, ratio);
            maxRatio = Math.max(maxRatio, ratio);
        }
        // the draws cover the ranges, not just a corner of them
        assertThat(minArea).isLessThan(0.085);
        assertThat(maxArea).isGreaterThan(0.95);
        assertThat(minRatio).isLessThan(0.77);
        assertThat(maxRatio).isGreaterThan(1.30);
    }

    @Test
    void impossibleShapesFallBackToTheCenteredClampedBox() {
        // 1000 x 10: a box of area >= 0.08 * 10,000 with ratio <= 4/3 cannot be 10 high, so all ten
        // attempts fail; the fallback keeps the height and clamps the width to round(10 * 4/3) = 13
        Random random = new Random(1);
        for (int i = 0; i < 100; i++) {
            assertThat(PhotoTransforms.randomResizedCrop(1000, 10, random)).isEqualTo(new CropBox(493, 0, 13, 10));
            assertThat(PhotoTransforms.randomResizedCrop(10, 1000, random)).isEqualTo(new CropBox(0, 493, 10, 13));
        }
    }

    @Test
    void halfOfTheTrainingViewsAreMirrored() {
        // a horizontal ramp: a view is mirrored exactly when its left column is brighter than its right
        RgbImage img = image(256, 200, (x, y) -> x, (x, y) -> x, (x, y) -> x);
        PhotoTransforms t =
                new PhotoTransforms(new InputSpec(3, 24, 24, new float[] {0, 0, 0}, new float[] {1, 1, 1}, 1.0, false));
        SplittableRandom random = new SplittableRandom(9);
        int n = 4000;
        int mirrored = 0;
        for (int i = 0; i < n; i++) {
            float[] v = t.trainView(img, random);
            assertThat(v[0]).isNotEqualTo(v[23]);
            mirrored += v[0] > v[23] ? 1 : 0;
        }
        // Binomial(4000, 0.5): sd 31.6; 4.5 sd leaves a false alarm rate below 1e-5
        assertThat((double) mirrored).isCloseTo(n / 2.0, within(4.5 * Math.sqrt(n * 0.25)));
    }
}
