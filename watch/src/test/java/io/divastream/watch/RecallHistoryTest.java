package io.divastream.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecallHistoryTest {

    @Test
    void keepsOnePointPerVersionInVersionOrderAndTheLastRecordOfAVersionWins() {
        var replaced = WatchRecords.version(1);
        replaced.setTrainingStep(999);
        RecallHistory history = RecallHistory.empty()
                .with(WatchRecords.version(2))
                .with(WatchRecords.version(0))
                .with(WatchRecords.version(1))
                .with(replaced);

        assertThat(history.points()).extracting(VersionPoint::modelVersion).containsExactly(0L, 1L, 2L);
        assertThat(history.points().get(1).trainingStep()).isEqualTo(999);
        assertThat(history.points().get(2).scoresOf("combined").orElseThrow().recallAt1())
                .isEqualTo(WatchRecords.recall(2));
        assertThat(history.embeddings()).containsExactly("combined", "discriminative", "selfsim");
    }

    @Test
    void ordersEmbeddingsCombinedFirstThenThePapersHeadsThenOthers() {
        var record = WatchRecords.version(0);
        var m = WatchRecords.metrics(0.5, 0.5);
        var metrics = new java.util.HashMap<String, io.divastream.schemas.RetrievalMetrics>();
        for (String name : List.of("zeta", "intra", "alpha", "shared", "combined", "selfsim", "discriminative")) {
            metrics.put(name, m);
        }
        record.setMetrics(metrics);
        RecallHistory history = RecallHistory.empty().with(record);

        List<String> expected = List.of("combined", "discriminative", "selfsim", "shared", "intra", "alpha", "zeta");
        assertThat(history.embeddings()).containsExactlyElementsOf(expected);
        assertThat(history.points().get(0).scores().keySet()).containsExactlyElementsOf(expected);
    }

    @Test
    void joinsLossesArrivingBeforeOrAfterTheirMetrics() {
        RecallHistory history = RecallHistory.empty()
                .with(WatchRecords.modelVersion(1))
                .with(WatchRecords.version(0))
                .with(WatchRecords.version(1))
                .with(WatchRecords.modelVersion(0))
                .with(WatchRecords.modelVersion(5));

        List<VersionPoint> points = history.points();
        assertThat(points).hasSize(2);
        assertThat(points.get(0).loss("total")).hasValue(2.0);
        assertThat(points.get(1).loss("total")).hasValue(1.75);
        assertThat(history.lossNames()).containsExactly("total");
    }

    @Test
    void isImmutable() {
        RecallHistory empty = RecallHistory.empty();
        RecallHistory one = empty.with(WatchRecords.version(0));

        assertThat(empty.isEmpty()).isTrue();
        assertThat(one.size()).isEqualTo(1);
        assertThat(one).isEqualTo(RecallHistory.empty().with(WatchRecords.version(0)));
        assertThat(one).isNotEqualTo(one.with(WatchRecords.modelVersion(0)));
    }
}
