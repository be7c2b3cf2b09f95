package io.divastream.model.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GlyphAugmenterTest {

    private static final int SIZE = 28;

    private static float[] randomImage(long seed, int size) {
        Random random = new Random(seed);
        float[] image = new float[size * size];
        for (int i = 0; i < image.length; i++) {
            image[i] = random.nextFloat();
        }
        return image;
    }

    @Test
    void identityReturnsTheInputExactly() {
        float[] image = randomImage(1, SIZE);
        assertThat(GlyphAugmenter.transform(image, SIZE, AffineParams.identity()))
                .containsExactly(image);
        GlyphAugmenter none = new GlyphAugmenter(AugmentationSpec.none());
        assertThat(none.augment(image, SIZE, new Random(3))).containsExactly(image);
    }

    @Test
    void integerTranslationShiftsPixelsAndFillsWithZero() {
        float[] image = randomImage(2, SIZE);
        float[] shifted = GlyphAugmenter.transform(image, SIZE, new AffineParams(0, 1, 3, -2, 0));
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int sx = x - 3;
                int sy = y + 2;
                float expected = sx >= 0 && sy < SIZE ? image[sy * SIZE + sx] : 0f;
                assertThat(shifted[y * SIZE + x]).as("(%d, %d)", x, y).isEqualTo(expected);
            }
        }
    }

    @Test
    void ninetyDegreesTurnsCounterClockwiseAboutTheCentre() {
        // 5x5, centre (2, 2): a bar to the right of the centre ends up above it
        float[] bar = new float[25];
        bar[2 * 5 + 3] = 1f;
        bar[2 * 5 + 4] = 0.5f;
        float[] turned = GlyphAugmenter.transform(bar, 5, new AffineParams(90, 1, 0, 0, 0));
        float[] expected = new float[25];
        expected[5 + 2] = 1f;
        expected[2] = 0.5f;
        assertThat(turned).containsExactly(expected, within(1e-6f));

        // on a full random image: input (x, y) lands on (y, size - 1 - x)
        float[] image = randomImage(4, SIZE);
        float[] rotated = GlyphAugmenter.transform(image, SIZE, new AffineParams(90, 1, 0, 0, 0));
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                assertThat(rotated[(SIZE - 1 - x) * SIZE + y]).isCloseTo(image[y * SIZE + x], within(1e-5f));
            }
        }
    }

    @Test
    void scaleAndShearMoveKnownPixels() {
        // 7x7, centre (3, 3)
        float[] dot = new float[49];
        dot[3 * 7 + 4] = 1f; // (4, 3): one right of centre
        float[] doubled = GlyphAugmenter.transform(dot, 7, new AffineParams(0, 2, 0, 0, 0));
        assertThat(doubled[3 * 7 + 5]).isEqualTo(1f); // (5, 3)
        assertThat(doubled[3 * 7 + 4]).isEqualTo(0.5f); // halfway between the dot and the centre
        float[] low = new float[49];
        low[5 * 7 + 3] = 1f; // (3, 5): two below centre
        float[] sheared = GlyphAugmenter.transform(low, 7, new AffineParams(0, 1, 0, 0, 45));
        assertThat(sheared[5 * 7 + 5]).isCloseTo(1f, within(1e-6f)); // x += tan(45) * 2
        assertThat(sum(sheared)).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void outputStaysInTheUnitInterval() {
        GlyphAugmenter augmenter = new GlyphAugmenter(new AugmentationSpec(180, 0.5, 6, 30));
        Random random = new Random(5);
        float[] image = randomImage(6, SIZE);
        image[0] = 1.7f; // out-of-range input is clamped too
        for (int i = 0; i < 200; i++) {
            for (float v : augmenter.augment(image, SIZE, random)) {
                assertThat(v).isBetween(0f, 1f);
            }
        }
    }

    @Test
    void sameSeedGivesTheSameOutput() {
        GlyphAugmenter augmenter = new GlyphAugmenter(AugmentationSpec.omniglotDefault());
        float[] image = randomImage(7, SIZE);
        assertThat(augmenter.augment(image, SIZE, new Random(11)))
                .containsExactly(augmenter.augment(image, SIZE, new Random(11)))
                .isNotEqualTo(augmenter.augment(image, SIZE, new Random(12)));
        assertThat(augmenter.augment(image, SIZE, new SplittableRandom(11)))
                .containsExactly(augmenter.augment(image, SIZE, new SplittableRandom(11)));
    }

    @Test
    void sampledParametersCoverTheSpecRanges() {
        AugmentationSpec spec = AugmentationSpec.omniglotDefault();
        GlyphAugmenter augmenter = new GlyphAugmenter(spec);
        SplittableRandom random = new SplittableRandom(8);
        double[] min = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        double[] max = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (int i = 0; i < 2000; i++) {
            AffineParams p = augmenter.sample(random);
            double[] v = {p.rotationDeg(), p.scale() - 1.0, p.translateX(), p.translateY(), p.shearDeg()};
            for (int j = 0; j < 5; j++) {
                min[j] = Math.min(min[j], v[j]);
                max[j] = Math.max(max[j], v[j]);
            }
        }
        double[] limit = {
            spec.maxRotationDeg(), spec.maxScale(), spec.maxTranslatePx(), spec.maxTranslatePx(), spec.maxShearDeg()
        };
        for (int j = 0; j < 5; j++) {
            assertThat(min[j]).isBetween(-limit[j], -0.95 * limit[j]);
            assertThat(max[j]).isBetween(0.95 * limit[j], limit[j]);
        }
        // always five draws, whatever the spec
        SplittableRandom a = new SplittableRandom(9);
        SplittableRandom b = new SplittableRandom(9);
        new GlyphAugmenter(AugmentationSpec.none()).sample(a);
        for (int i = 0; i < 5; i++) {
            b.nextDouble();
        }
        assertThat(a.nextLong()).isEqualTo(b.nextLong());
    }

    @Test
    void survivesJavaSerialization() throws IOException, ClassNotFoundException {
        GlyphAugmenter augmenter = new GlyphAugmenter(AugmentationSpec.omniglotDefault());
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
            out.writeObject(augmenter);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray()))) {
            assertThat(((GlyphAugmenter) in.readObject()).spec()).isEqualTo(augmenter.spec());
        }
    }

    @Test
    void rejectsInvalidSpecsAndShapes() {
        assertThatThrownBy(() -> new AugmentationSpec(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AugmentationSpec(0, 1.0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AugmentationSpec(0, 0, Double.NaN, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AffineParams(0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GlyphAugmenter.transform(new float[10], 3, AffineParams.identity()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static double sum(float[] values) {
        double s = 0.0;
        for (float v : values) {
            s += v;
        }
        return s;
    }
}
