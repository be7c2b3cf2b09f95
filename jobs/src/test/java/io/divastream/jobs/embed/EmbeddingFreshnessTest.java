package io.divastream.jobs.embed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EmbeddingFreshnessTest {

    @Test
    void nothingIsStaleWithoutAModelOrWhenEveryImageIsOnTheNewestVersion() {
        EmbeddingFreshness f = new EmbeddingFreshness();
        assertThat(f.noArrivals()).isTrue();
        f.noModel();
        assertThat(f.ageMs(1_000)).isZero();
        f.arrived(3, 100);
        assertThat(f.noArrivals()).isFalse();
        f.update(3, 3);
        assertThat(f.ageMs(1_000)).isZero();
        f.update(Long.MAX_VALUE, 3); // an empty catalogue
        assertThat(f.ageMs(1_000)).isZero();
    }

    @Test
    void theStalestImageBecameStaleWhenTheFirstVersionAfterItsOwnArrived() {
        EmbeddingFreshness f = new EmbeddingFreshness();
        f.arrived(1, 100);
        f.arrived(2, 250);
        f.arrived(3, 400);
        f.update(1, 3); // the oldest stored image is on version 1: stale since version 2 arrived
        assertThat(f.ageMs(1_000)).isEqualTo(750);
        assertThat(f.arrivals()).containsOnlyKeys(2L, 3L); // version 1's arrival is no longer needed
        f.update(2, 3);
        assertThat(f.ageMs(1_000)).isEqualTo(600);
        assertThat(f.arrivals()).containsOnlyKeys(3L);
        f.update(3, 3);
        assertThat(f.ageMs(1_000)).isZero();
        assertThat(f.arrivals()).isEmpty();
    }

    @Test
    void anImageNeverEmbeddedIsStaleSinceTheFirstKnownVersionAndClocksNeverGoNegative() {
        EmbeddingFreshness f = new EmbeddingFreshness();
        f.arrived(5, 2_000);
        f.update(CatalogueEntry.NOT_EMBEDDED, 5);
        assertThat(f.ageMs(2_500)).isEqualTo(500);
        assertThat(f.ageMs(1_000)).isZero();
        assertThat(f.arrivals()).containsOnlyKeys(5L);
    }

    @Test
    void withoutTheArrivalOfAnyNewerVersionNothingCountsAsStale() {
        EmbeddingFreshness f = new EmbeddingFreshness();
        f.update(1, 4); // restored with no arrival recorded
        assertThat(f.ageMs(9_000)).isZero();
    }
}
