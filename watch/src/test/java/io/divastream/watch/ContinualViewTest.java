package io.divastream.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.schemas.ClassGroupMetrics;
import io.divastream.schemas.MetricsRecord;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The continual scores of the metrics records in the history, the table and the chart. */
class ContinualViewTest {

    private static ClassGroupMetrics group(int g, double r1, double forgetting) {
        return ClassGroupMetrics.newBuilder()
                .setGroup(g)
                .setClasses(5)
                .setImages(20)
                .setRecallAt1(r1)
                .setMapAtR(r1 / 2)
                .setBestEarlierRecallAt1(r1 + forgetting)
                .setForgetting(forgetting)
                .build();
    }

    /** Version v: groups 0..v, the oldest forgetting 0.1 per version, and queries against version v - 1. */
    private static MetricsRecord version(long v) {
        MetricsRecord record = WatchRecords.version(v);
        List<ClassGroupMetrics> groups = new java.util.ArrayList<>();
        for (int g = (int) v; g >= 0; g--) {
            groups.add(group(g, 0.9 - 0.05 * g, g == 0 ? 0.1 * v : 0));
        }
        record.setClassGroupSize(20);
        record.setClassGroups(groups);
        if (v > 0) {
            record.setServingVersion(v - 1);
            record.setCrossVersion(Map.of("combined", WatchRecords.metrics(0.6 + 0.01 * v, 0.5)));
        }
        return record;
    }

    @Test
    void theHistoryKeepsTheNewestAndOldestGroupsAndTheCrossVersionScores() {
        RecallHistory history =
                RecallHistory.empty().with(version(2)).with(version(0)).with(version(1));
        ContinualPoint first = history.points().get(0).continual();
        assertThat(first.cross()).isEmpty();
        assertThat(first.newest().orElseThrow().group()).isZero();
        ContinualPoint last = history.points().get(2).continual();
        assertThat(last.groups()).extracting(ContinualPoint.Group::group).containsExactly(0, 1, 2);
        assertThat(last.newest().orElseThrow().group()).isEqualTo(2);
        assertThat(last.newest().orElseThrow().recallAt1()).isEqualTo(0.8);
        assertThat(last.oldest().orElseThrow().forgetting()).isEqualTo(0.2);
        assertThat(last.servingVersion()).isEqualTo(1);
        assertThat(last.cross().orElseThrow().recallAt1()).isEqualTo(0.62);
        assertThat(RecallHistory.empty()
                        .with(WatchRecords.version(3))
                        .points()
                        .get(0)
                        .continual())
                .isEqualTo(ContinualPoint.NONE);
    }

    @Test
    void theTableShowsAContinualBlockOnlyWhenThereAreScores() {
        RecallHistory history =
                RecallHistory.empty().with(version(0)).with(version(1)).with(version(2));
        String text = WatchTable.render(history, "combined", XAxis.IMAGES, false);
        assertThat(text).contains("continual scores (combined)");
        assertThat(WatchTable.continualRow(history.points().get(2)))
                .isEqualTo(String.format(
                        java.util.Locale.ROOT,
                        "%8s | %6s %7s %7s | %6s %7s %7s %7s | %7s %7s",
                        2,
                        "g2",
                        "0.8000",
                        "0.4000",
                        "g0",
                        "0.9000",
                        "0.4500",
                        "0.2000",
                        "v1",
                        "0.6200"));
        assertThat(WatchTable.continualRow(history.points().get(0))).endsWith("-       -");
        assertThat(WatchTable.render(WatchRecords.history(3), "combined", XAxis.IMAGES, false))
                .doesNotContain("continual");
    }

    @Test
    void theChartHasTheFourSeries() {
        RecallHistory history =
                RecallHistory.empty().with(version(0)).with(version(1)).with(version(2));
        List<ChartSeries> series = ChartSeries.of(history, "combined", XAxis.STEPS, false);
        assertThat(series)
                .extracting(ChartSeries::name)
                .contains(
                        "recall@1 (combined, held-out classes)",
                        "recall@1 (combined, newest class group)",
                        "recall@1 (combined, oldest class group)",
                        "recall@1 (combined, queries against the serving version)");
        ChartSeries oldest = series.stream()
                .filter(s -> s.name().contains("oldest"))
                .findFirst()
                .orElseThrow();
        assertThat(oldest.points()).extracting(p -> p[1]).containsExactly(0.9, 0.9, 0.9);
        ChartSeries cross = series.stream()
                .filter(s -> s.name().contains("serving"))
                .findFirst()
                .orElseThrow();
        assertThat(cross.points()).hasSize(2);
        BufferedImage image = PngChart.image(history, "combined", XAxis.STEPS, false, 640, 400);
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(ChartSeries.of(WatchRecords.history(3), "combined", XAxis.STEPS, false))
                .extracting(ChartSeries::name)
                .noneMatch(n -> n.contains("group") || n.contains("serving"));
    }
}
