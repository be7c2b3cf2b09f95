package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.model.config.NetworkSpec;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainingViewsTest {

    private static final NetworkSpec SPEC = DivaTrainerTest.smallConfig().network();
    private static final int SIZE = 28 * 28;

    /** A view holding the image's number, the view's draw and the position: where it lands is visible. */
    private static final TrainingView<Integer> NUMBERED = (image, random) -> {
        float draw = random.nextInt(1000);
        float[] out = new float[SIZE];
        for (int i = 0; i < SIZE; i++) {
            out[i] = image * 1_000_000f + draw * 1000 + (i % 1000);
        }
        return out;
    };

    @Test
    void eachImagesViewsAreDrawnInTurnAndPackedImageByImage() {
        TrainingViews views = new TrainingViews(SPEC, 7, ViewAugmenter.IDENTITY);
        List<Integer> images = List.of(1, 2, 3);
        float[][] packed = views.draw(images, NUMBERED, 2, new SplittableRandom(4));
        SplittableRandom naive = new SplittableRandom(4);
        assertThat(packed).hasNumberOfRows(2);
        for (int i = 0; i < images.size(); i++) {
            for (int v = 0; v < 2; v++) {
                float[] expected = NUMBERED.make(images.get(i), naive);
                float[] got = java.util.Arrays.copyOfRange(packed[v], i * SIZE, (i + 1) * SIZE);
                assertThat(got).as("image %d view %d", i, v).containsExactly(expected);
            }
        }
    }

    @Test
    void theGlyphViewIsTheAugmenterAtTheInputSizeAndAStepHasItsOwnStream() {
        TrainingViews views =
                new TrainingViews(SPEC, 7, (image, size, random) -> new float[] {size, random.nextInt(9)});
        float[] view = views.glyph().make(new float[0], new SplittableRandom(1));
        assertThat(view[0]).isEqualTo(28f);
        assertThat(view[1]).isEqualTo(new SplittableRandom(1).nextInt(9));
        assertThat(views.streamOf(3).nextLong())
                .isEqualTo(
                        RandomStreams.of(7, RandomStreams.Purpose.VIEWS, 3, 0).nextLong())
                .isNotEqualTo(views.streamOf(4).nextLong());
    }

    @Test
    void viewsOfTheWrongSizeAreRefused() {
        TrainingViews views = new TrainingViews(SPEC, 7, ViewAugmenter.IDENTITY);
        assertThat(views.shape(5).size()).isEqualTo(5L * SIZE);
        views.checkSize(new float[2 * SIZE], 2);
        assertThatThrownBy(() -> views.checkSize(new float[2 * SIZE - 1], 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must have " + 2 * SIZE);
        TrainingView<Integer> small = (image, random) -> new float[3];
        assertThatThrownBy(() -> views.draw(List.of(1), small, 1, new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected " + SIZE);
    }
}
