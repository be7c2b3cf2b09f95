package io.divastream.search.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class VersionedIndexTest {

    private static final float[][] V = Vectors.clustered(200, 16, 5, 0.7, 9);

    private static VersionedIndex.Entry entry(int i, long version) {
        return new VersionedIndex.Entry("img-" + i, "c" + (i % 5), version, V[i]);
    }

    private static List<String> ids(VersionedIndex index, float[] q, int k) {
        return index.search(q, k).orElseThrow().neighbours().stream()
                .map(VersionedIndex.Neighbour::imageId)
                .toList();
    }

    @Test
    void anEmptyIndexServesNothing() {
        VersionedIndex index = VersionedIndex.exact();
        assertThat(index.refresh()).isFalse();
        assertThat(index.search(V[0], 3)).isEmpty();
        assertThat(index.searchById("img-0", 3)).isEmpty();
        assertThat(index.status().servedVersion()).isEqualTo(-1);
    }

    @Test
    void startsOnTheVersionHoldingMostImagesAndSwitchesAtTheCoverageThreshold() {
        VersionedIndex index = new VersionedIndex(SearchMode.EXACT, 0.9, 0.05, GraphSearch.Params.DEFAULT);
        // the compacted topic from the beginning: a few stragglers at version 1, the bulk at version 2
        for (int i = 0; i < 100; i++) {
            index.put(entry(i, i < 10 ? 1 : 2));
        }
        assertThat(index.refresh()).isTrue();
        assertThat(index.status().servedVersion()).isEqualTo(2);
        assertThat(index.status().servedImages()).isEqualTo(90);
        assertThat(index.searchById("img-50", 5).orElseThrow().modelVersion()).isEqualTo(2);
        assertThat(ids(index, V[3], 100)).doesNotContain("img-3"); // version 1 images are not served

        // version 3 re-embeds the catalogue: not served until 90 % of the 90 served images are covered
        for (int i = 10; i < 90; i++) {
            index.put(entry(i, 3));
            index.refresh();
        }
        assertThat(index.status().servedVersion()).isEqualTo(2);
        assertThat(index.status().pendingVersion()).isEqualTo(3);
        assertThat(index.status().pendingImages()).isEqualTo(80);
        // queries still see version 2 only, all 90 of them
        assertThat(ids(index, V[0], 1000)).hasSize(90);
        index.put(entry(90, 3)); // 81 of 90 = 90 %
        assertThat(index.refresh()).isTrue();
        assertThat(index.status().servedVersion()).isEqualTo(3);
        assertThat(index.search(V[0], 1000).orElseThrow().modelVersion()).isEqualTo(3);
        assertThat(ids(index, V[0], 1000)).hasSize(81);
        // a late record of the old version is ignored
        index.put(entry(95, 2));
        index.refresh();
        assertThat(ids(index, V[0], 1000)).hasSize(81).doesNotContain("img-95");
    }

    @Test
    void aNewerPendingVersionOvertakesAnAbandonedOne() {
        VersionedIndex index = new VersionedIndex(SearchMode.EXACT, 1.0, 0.05, GraphSearch.Params.DEFAULT);
        for (int i = 0; i < 20; i++) {
            index.put(entry(i, 1));
        }
        index.refresh();
        for (int i = 0; i < 10; i++) {
            index.put(entry(i, 2));
        }
        for (int i = 0; i < 19; i++) {
            index.put(entry(i, 3));
        }
        index.put(entry(15, 2)); // older than the newest pending version: ignored
        index.refresh();
        assertThat(index.status().servedVersion()).isEqualTo(1);
        assertThat(index.status().pendingVersion()).isEqualTo(3);
        assertThat(index.status().pendingImages()).isEqualTo(19);
        index.put(entry(19, 3));
        assertThat(index.refresh()).isTrue();
        assertThat(index.status().servedVersion()).isEqualTo(3);
        assertThat(index.status().pendingVersion()).isEqualTo(-1);
    }

    @Test
    void changesAtTheServedVersionAreVisibleBeforeTheGraphIsRebuilt() {
        VersionedIndex index = new VersionedIndex(SearchMode.APPROXIMATE, 0.95, 0.5, GraphSearch.Params.DEFAULT);
        for (int i = 0; i < 150; i++) {
            index.put(entry(i, 4));
        }
        index.refresh();
        ExactSearch truth = new ExactSearch(java.util.Arrays.copyOf(V, 150), false);
        assertThat(ids(index, V[7], 5))
                .isEqualTo(truth.search(V[7], 5).stream()
                        .map(h -> "img-" + h.row())
                        .toList());
        // a new image, a moved image and a tombstone: in the delta, searched exactly
        index.put(new VersionedIndex.Entry("new", "c0", 4, V[160]));
        index.put(new VersionedIndex.Entry("img-1", "c1", 4, V[161]));
        index.remove("img-2");
        index.refresh(); // 3 changes < 0.5 x 150: no rebuild
        assertThat(ids(index, V[160], 1)).containsExactly("new");
        assertThat(ids(index, V[161], 1)).containsExactly("img-1");
        assertThat(ids(index, V[2], 150)).hasSize(150).doesNotContain("img-2");
        assertThat(index.searchById("new", 3).orElseThrow().neighbours())
                .extracting(VersionedIndex.Neighbour::imageId)
                .doesNotContain("new")
                .hasSize(3);
        assertThatThrownBy(() -> index.searchById("img-2", 3))
                .isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("img-2");
        assertThatThrownBy(() -> index.search(new float[3], 3)).hasMessageContaining("dimension 3");
        assertThatThrownBy(() -> index.put(new VersionedIndex.Entry("x", "c", 4, new float[3])))
                .hasMessageContaining("image x")
                .hasMessageContaining("3-d");
    }

    @Test
    void aGatedIndexServesOnlyPromotedVersions() {
        VersionedIndex index = new VersionedIndex(SearchMode.EXACT, 1.0, 0.05, GraphSearch.Params.DEFAULT, true);
        for (int i = 0; i < 20; i++) {
            index.put(entry(i, 1));
        }
        assertThat(index.refresh()).isFalse();
        assertThat(index.status().servedVersion())
                .as("version 1 is not promoted yet")
                .isEqualTo(-1);
        assertThat(index.promotionPending()).isFalse();
        index.promote(1);
        assertThat(index.promotionPending()).isTrue();
        assertThat(index.refresh()).isTrue();
        assertThat(index.promotionPending()).isFalse();
        assertThat(index.status().servedVersion()).isEqualTo(1);
        assertThat(index.status().promotedVersion()).isEqualTo(1);

        // version 2 re-embeds every image but is refused (never promoted): version 1 keeps serving
        for (int i = 0; i < 20; i++) {
            index.put(entry(i, 2));
        }
        assertThat(index.refresh()).isFalse();
        assertThat(index.status().servedVersion()).isEqualTo(1);
        assertThat(index.status().pendingVersion()).isEqualTo(2);
        assertThat(index.search(V[0], 3).orElseThrow().modelVersion()).isEqualTo(1);

        // version 3 is promoted before its embeddings cover the served images, then switches when they do
        index.promote(3);
        for (int i = 0; i < 19; i++) {
            index.put(entry(i, 3));
        }
        assertThat(index.refresh()).isFalse();
        index.put(entry(19, 3));
        assertThat(index.refresh()).isTrue();
        assertThat(index.status().servedVersion()).isEqualTo(3);

        // without the gate the same stream serves version 2 as soon as it covers
        VersionedIndex open = new VersionedIndex(SearchMode.EXACT, 1.0, 0.05, GraphSearch.Params.DEFAULT);
        for (int i = 0; i < 20; i++) {
            open.put(entry(i, 1));
        }
        open.refresh();
        for (int i = 0; i < 20; i++) {
            open.put(entry(i, 2));
        }
        assertThat(open.refresh()).isTrue();
        assertThat(open.status().servedVersion()).isEqualTo(2);
        assertThat(open.status().promotedVersion()).isEqualTo(-1);
    }
}
