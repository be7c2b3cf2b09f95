package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DrawsTest {

    @Test
    void drawsKDistinctValuesOfNUniformly() {
        SplittableRandom random = new SplittableRandom(3);
        int[] firstCounts = new int[10];
        for (int t = 0; t < 20_000; t++) {
            int[] drawn = Draws.distinct(10, 4, random);
            assertThat(drawn).hasSize(4).doesNotHaveDuplicates();
            assertThat(Arrays.stream(drawn).allMatch(v -> v >= 0 && v < 10)).isTrue();
            firstCounts[drawn[0]]++;
        }
        // each value comes first in about a tenth of the draws
        assertThat(Arrays.stream(firstCounts).allMatch(c -> c > 1_800 && c < 2_200))
                .isTrue();
        assertThat(Draws.distinct(5, 5, new SplittableRandom(1))).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(Draws.distinct(7, 3, new SplittableRandom(9)))
                .containsExactly(Draws.distinct(7, 3, new SplittableRandom(9)));
    }

    @Test
    void refusesMoreThanThereAre() {
        assertThatThrownBy(() -> Draws.distinct(3, 4, new SplittableRandom(1)))
                .hasMessage("cannot draw 4 distinct values of 3");
    }
}
