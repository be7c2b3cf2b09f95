package io.divastream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.RetrievalMetrics;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's console table of metrics records. */
class MetricsTableTest {

    private static RetrievalMetrics metrics(double base) {
        return RetrievalMetrics.newBuilder()
                .setRecallAt1(base)
                .setRecallAt2(base + 0.1)
                .setRecallAt4(base + 0.2)
                .setRecallAt8(base + 0.3)
                .setNmi(base / 2)
                .setMapAtR(base / 3)
                .build();
    }

    private static MetricsRecord record(Map<String, RetrievalMetrics> metrics) {
        return MetricsRecord.newBuilder()
                .setModelVersion(12)
                .setTrainingStep(3_000)
                .setImagesSeen(4_567)
                .setEvalImages(400)
                .setEvalClasses(20)
                .setMetrics(metrics)
                .setModelCreatedAt(Instant.ofEpochMilli(1_000))
                .setComputedAt(Instant.ofEpochMilli(2_000))
                .build();
    }

    @Test
    void metricsTableRowsLineUpWithTheHeader() {
        MetricsRecord record = record(Map.of("combined", metrics(0.61234), "discriminative", metrics(0.5)));
        String header = MetricsTable.header();
        String row = MetricsTable.row(record, 65.4);

        assertThat(header.split("\\s+\\|?\\s*")).contains("version", "step", "recall@1", "NMI", "mAP@R");
        assertThat(row.indexOf('|')).isEqualTo(header.indexOf('|'));
        assertThat(row.lastIndexOf('|')).isEqualTo(header.lastIndexOf('|'));
        assertThat(row)
                .contains(" 12 ")
                .contains(" 3000 ")
                .contains(" 4567 ")
                .contains(" 400 ")
                .contains("0.6123") // combined recall@1
                .contains("0.3062") // combined NMI
                .contains("0.2041") // combined MAP@R
                .contains("0.5000") // discriminative recall@1
                .endsWith("65s");
    }

    @Test
    void metricsTableShowsNaNForAMissingEmbedding() {
        String row = MetricsTable.row(record(Map.of("combined", metrics(0.5))), 1);
        assertThat(row).contains("NaN").contains("0.5000");
    }
}
