package io.divastream.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.divastream.evaluation.RetrievalScores;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.RetrievalMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's result file: its exact JSON shape, read back with a JSON parser. */
class DemoResultsTest {

    private static final List<String> METRIC_KEYS =
            List.of("recall@1", "recall@2", "recall@4", "recall@8", "nmi", "map@r");

    private static final ObjectMapper JSON = new ObjectMapper();

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

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static double[] values(RetrievalMetrics m) {
        return new double[] {
            m.getRecallAt1(), m.getRecallAt2(), m.getRecallAt4(), m.getRecallAt8(), m.getNmi(), m.getMapAtR()
        };
    }

    @Test
    void combinedComesFirstThenTheHeadsInNetworkOrderThenOthers() throws Exception {
        Map<String, RetrievalMetrics> metrics = new HashMap<>();
        metrics.put("intra", metrics(0.11));
        metrics.put("zeta", metrics(0.05));
        metrics.put("shared", metrics(0.22));
        metrics.put("combined", metrics(0.61234567));
        metrics.put("selfsim", metrics(0.33));
        metrics.put("discriminative", metrics(0.44));
        MetricsRecord record = record(metrics);

        JsonNode root = JSON.readTree(DemoResults.toJson(record));

        assertThat(root.isObject()).isTrue();
        assertThat(fieldNames(root))
                .containsExactly("combined", "discriminative", "selfsim", "shared", "intra", "zeta");
        for (String name : fieldNames(root)) {
            JsonNode entry = root.get(name);
            assertThat(fieldNames(entry)).as(name).containsExactlyElementsOf(METRIC_KEYS);
            double[] expected = values(metrics.get(name));
            for (int i = 0; i < METRIC_KEYS.size(); i++) {
                JsonNode value = entry.get(METRIC_KEYS.get(i));
                assertThat(value.isNumber())
                        .as("%s.%s", name, METRIC_KEYS.get(i))
                        .isTrue();
                assertThat(value.asDouble()).isCloseTo(expected[i], within(5e-7));
            }
        }
        assertThat(root.get("combined").get("recall@1").asDouble()).isEqualTo(0.612346);
    }

    @Test
    void onlyThePresentEmbeddingsAreWritten() throws Exception {
        JsonNode root = JSON.readTree(DemoResults.toJson(record(Map.of("combined", metrics(0.5)))));
        assertThat(fieldNames(root)).containsExactly("combined");
    }

    @Test
    void nonFiniteScoresBecomeNull() throws Exception {
        RetrievalMetrics m = metrics(0.5);
        m.setNmi(Double.NaN);
        m.setMapAtR(Double.POSITIVE_INFINITY);
        JsonNode combined =
                JSON.readTree(DemoResults.toJson(record(Map.of("combined", m)))).get("combined");
        assertThat(combined.get("nmi").isNull()).isTrue();
        assertThat(combined.get("map@r").isNull()).isTrue();
        assertThat(combined.get("recall@1").asDouble()).isEqualTo(0.5);
    }

    @Test
    void writeStoresTheSameTextAndRecallAt1ReadsItBack(@TempDir Path dir) throws Exception {
        MetricsRecord record = record(Map.of("combined", metrics(0.7), "discriminative", metrics(0.6)));
        Path file = dir.resolve("demo-results.json");
        DemoResults.write(record, file);
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(DemoResults.toJson(record));
        assertThat(DemoResults.recallAt1(record, "combined")).isEqualTo(0.7);
        assertThat(DemoResults.recallAt1(record, "discriminative")).isEqualTo(0.6);
        assertThat(DemoResults.recallAt1(record, "selfsim")).isNaN();
    }

    @Test
    void aPhotoRunNamesItsCombinedEmbeddingAndAddsThePooledBaselineLast() throws Exception {
        MetricsRecord record = record(Map.of("combined", metrics(0.7), "discriminative", metrics(0.7)));
        RetrievalScores pooled = new RetrievalScores(0.61, 0.72, 0.83, 0.94, 0.55, 0.33);
        JsonNode root = JSON.readTree(DemoResults.toJson(record, "discriminative-only", Map.of("pooled", pooled)));
        assertThat(fieldNames(root)).containsExactly("discriminative-only", "discriminative", "pooled");
        JsonNode p = root.get("pooled");
        assertThat(List.of(
                        p.get("recall@1").asDouble(),
                        p.get("recall@2").asDouble(),
                        p.get("recall@4").asDouble(),
                        p.get("recall@8").asDouble(),
                        p.get("nmi").asDouble(),
                        p.get("map@r").asDouble()))
                .containsExactly(0.61, 0.72, 0.83, 0.94, 0.55, 0.33);
        assertThat(root.get("discriminative-only").get("recall@1").asDouble()).isEqualTo(0.7);
    }

    @Test
    void aContinualRunAddsItsOldestAndNewestClassGroupsAndTheCrossVersionScores() throws Exception {
        MetricsRecord record = record(Map.of("combined", metrics(0.7)));
        record.setServingVersion(11);
        record.setCrossVersion(Map.of("combined", metrics(0.65)));
        record.setClassGroupSize(20);
        record.setClassGroups(List.of(
                io.divastream.schemas.ClassGroupMetrics.newBuilder()
                        .setGroup(0)
                        .setClasses(20)
                        .setImages(80)
                        .setRecallAt1(0.5)
                        .setMapAtR(0.2)
                        .setBestEarlierRecallAt1(0.8)
                        .setForgetting(0.3)
                        .build(),
                io.divastream.schemas.ClassGroupMetrics.newBuilder()
                        .setGroup(3)
                        .setClasses(4)
                        .setImages(16)
                        .setRecallAt1(0.9)
                        .setMapAtR(0.6)
                        .setBestEarlierRecallAt1(Double.NaN)
                        .setForgetting(0)
                        .build()));
        JsonNode json = JSON.readTree(DemoResults.toJson(record));
        assertThat(json.fieldNames())
                .toIterable()
                .containsExactly("combined", "oldest-class-group", "newest-class-group", "cross-version");
        assertThat(json.get("oldest-class-group").get("group").asInt()).isZero();
        assertThat(json.get("oldest-class-group").get("recall@1").asDouble()).isEqualTo(0.5);
        assertThat(json.get("oldest-class-group").get("best-earlier-recall@1").asDouble())
                .isEqualTo(0.8);
        assertThat(json.get("oldest-class-group").get("forgetting").asDouble()).isEqualTo(0.3);
        assertThat(json.get("newest-class-group").get("group").asInt()).isEqualTo(3);
        assertThat(json.get("newest-class-group").get("best-earlier-recall@1").isNull())
                .isTrue();
        assertThat(json.get("cross-version").get("recall@1").asDouble()).isEqualTo(0.65);
        assertThat(json.get("cross-version").get("serving-version").asLong()).isEqualTo(11);
    }
}
