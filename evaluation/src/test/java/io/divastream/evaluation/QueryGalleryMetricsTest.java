package io.divastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The retrieval metrics in query/gallery mode on a hand-computed example. */
class QueryGalleryMetricsTest {

    // gallery labels 0, 1, 0, 2; query 0 (label 0) ranks gallery 1, 0, 3, 2; query 1 (label 1) ranks 2, 3, 1, 0
    private static final int[] QUERY_LABELS = {0, 1};
    private static final int[] GALLERY_LABELS = {0, 1, 0, 2};
    private static final int[][] NEIGHBOURS = {{1, 0, 3, 2}, {2, 3, 1, 0}};

    @Test
    void recallCountsAHitAmongTheKNearestGalleryItems() {
        RecallAtK recall = new RecallAtK(List.of(1, 2, 3, 4), RecallAtK.SingletonPolicy.COUNT_AS_MISS);
        assertThat(recall.compute(NEIGHBOURS, QUERY_LABELS, GALLERY_LABELS)).containsExactly(0.0, 0.5, 1.0, 1.0);
    }

    @Test
    void mapAtRUsesTheNumberOfGalleryItemsOfTheQueryClass() {
        // query 0: R = 2, relevant at rank 2 only: AP = (1/2) / 2, RP = 1/2; query 1: R = 1, miss: 0, 0
        MapAtRResult result = new MapAtR().compute(NEIGHBOURS, QUERY_LABELS, GALLERY_LABELS);
        assertThat(result.mapAtR()).isCloseTo(0.125, within(1e-15));
        assertThat(result.rPrecision()).isCloseTo(0.25, within(1e-15));
        assertThat(result.queries()).isEqualTo(2);
        assertThat(PrecisionAtOne.compute(NEIGHBOURS, QUERY_LABELS, GALLERY_LABELS))
                .isZero();
        assertThat(PrecisionAtOne.compute(new int[][] {{0}, {1}}, QUERY_LABELS, GALLERY_LABELS))
                .isEqualTo(1.0);
    }

    @Test
    void queriesWithoutGalleryItemsOfTheirClassAreSingletons() {
        int[] queryLabels = {0, 7};
        int[][] neighbours = {{0, 1}, {0, 1}};
        RecallAtK miss = new RecallAtK(List.of(1), RecallAtK.SingletonPolicy.COUNT_AS_MISS);
        RecallAtK exclude = new RecallAtK(List.of(1), RecallAtK.SingletonPolicy.EXCLUDE);
        assertThat(miss.compute(neighbours, queryLabels, GALLERY_LABELS)).containsExactly(0.5);
        assertThat(exclude.compute(neighbours, queryLabels, GALLERY_LABELS)).containsExactly(1.0);
        assertThat(new MapAtR().compute(neighbours, queryLabels, GALLERY_LABELS).queries())
                .isEqualTo(1);
    }

    @Test
    void rejectsListsThatDoNotFitTheGallery() {
        RecallAtK atOne = new RecallAtK(List.of(1), RecallAtK.SingletonPolicy.COUNT_AS_MISS);
        assertThatThrownBy(() -> atOne.compute(new int[][] {{4}, {0}}, QUERY_LABELS, GALLERY_LABELS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gallery index 4");
        assertThatThrownBy(() -> new MapAtR().compute(new int[][] {{0}}, QUERY_LABELS, GALLERY_LABELS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 rows");
        assertThatThrownBy(() -> new MapAtR().compute(new int[][] {{1}, {0}}, QUERY_LABELS, GALLERY_LABELS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("need R = 2");
    }
}
