package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Training views drawn from an image's precomputed feature views. */
class FeatureViewsTest {

    private static final float[][] VIEWS = {{0f}, {1f}, {2f}, {3f}};

    @Test
    void aStepsViewsAreDistinctWhileThereAreEnoughAndEachIsDrawnAsOftenAsTheOthers() {
        SplittableRandom random = new SplittableRandom(3);
        int[] counts = new int[VIEWS.length];
        int draws = 40_000;
        for (int i = 0; i < draws; i++) {
            float[][] pair = FeatureViews.INSTANCE.makeViews(VIEWS, 2, random);
            assertThat(pair[0]).isNotSameAs(pair[1]);
            counts[(int) pair[0][0]]++;
            counts[(int) pair[1][0]]++;
        }
        // each view is one of the two drawn with probability 1/2: 20,000 expected, sd about 100
        for (int c : counts) {
            assertThat(c).isBetween(19_400, 20_600);
        }
    }

    @Test
    void withTooFewViewsTheyAreDrawnWithReplacementAndWithNoneTheImageIsRefused() {
        float[][] one = {{7f}};
        float[][] pair = FeatureViews.INSTANCE.makeViews(one, 2, new SplittableRandom(1));
        assertThat(pair[0]).isSameAs(one[0]);
        assertThat(pair[1]).isSameAs(one[0]);
        assertThatThrownBy(() -> FeatureViews.INSTANCE.make(new float[0][], new SplittableRandom(1)))
                .hasMessageContaining("no feature views");
    }
}
