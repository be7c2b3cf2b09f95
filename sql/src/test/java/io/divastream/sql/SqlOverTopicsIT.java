package io.divastream.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.connectors.kafka.TopicSpec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.connectors.testing.LocalRegistryExtension;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.RetrievalMetrics;
import io.divastream.schemas.Split;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shipped DDL and queries of {@code sql/ddl} run by Flink SQL over topics in the registry format (records
 * written as the job writes them, through the same codec), against a real broker and a real Apicurio Registry.
 */
class SqlOverTopicsIT {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @RegisterExtension
    static final LocalRegistryExtension REGISTRY = new LocalRegistryExtension();

    private static final Path DDL = Path.of("ddl");

    private static RetrievalMetrics metrics(double recallAt1) {
        return RetrievalMetrics.newBuilder()
                .setRecallAt1(recallAt1)
                .setRecallAt2(recallAt1 + 0.05)
                .setRecallAt4(recallAt1 + 0.1)
                .setRecallAt8(recallAt1 + 0.15)
                .setNmi(0.6)
                .setMapAtR(recallAt1 / 2)
                .setPrecisionAt1(null)
                .setRPrecision(null)
                .setF1(null)
                .setRecallAtK(Map.of())
                .build();
    }

    private static MetricsRecord metricsRecord(long version) {
        return MetricsRecord.newBuilder()
                .setModelVersion(version)
                .setTrainingStep(100 * version)
                .setImagesSeen(1000 * version)
                .setEvalImages(120)
                .setEvalClasses(20)
                .setMetrics(Map.of("combined", metrics(0.5 + 0.1 * version), "discriminative", metrics(0.3)))
                .setModelCreatedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L + version))
                .setComputedAt(java.time.Instant.ofEpochMilli(1_700_000_000_500L + version))
                .build();
    }

    private static EmbeddingRecord embedding(String imageId, long version) {
        return EmbeddingRecord.newBuilder()
                .setImageId(imageId)
                .setLabel("cls")
                .setSplit(Split.EVAL)
                .setModelVersion(version)
                .setCombined(List.of(0.1f, 0.2f, 0.3f))
                .setHeads(Map.of("discriminative", List.of(0.1f)))
                .setEventTime(java.time.Instant.ofEpochMilli(1))
                .setModelCreatedAt(java.time.Instant.ofEpochMilli(2))
                .setEmbeddedAt(java.time.Instant.ofEpochMilli(3))
                .build();
    }

    private static <T extends SpecificRecord> void publish(String topic, Class<T> type, List<T> records)
            throws Exception {
        RecordCodec<T> codec = REGISTRY.format().codec(type, topic);
        Properties p = KAFKA.settings().toProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (T record : records) {
                producer.send(new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), codec.encode(record)))
                        .get();
            }
        }
    }

    /** A shipped file with its placeholders filled in, on this test's topics, bounded by the topics' ends. */
    private static String shipped(String file) throws Exception {
        return Files.readString(DDL.resolve(file))
                .replace("${bootstrap}", KAFKA.bootstrapServers())
                .replace("${registry}", REGISTRY.registry().apiUrl())
                .replace("'topic' = 'diva.", "'topic' = 'sqlt.")
                .replace(
                        "'scan.startup.mode' = 'earliest-offset',",
                        "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',")
                .strip()
                .replaceAll(";$", "");
    }

    private static List<Row> collect(TableEnvironment tables, String query) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tables.executeSql(query).collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    void theShippedQueriesReadTheMetricsAndEmbeddingsTopics() throws Exception {
        TopicAdmin.ensureTopics(
                KAFKA.settings(), List.of(TopicSpec.of("sqlt.metrics", 1, 1), TopicSpec.of("sqlt.embeddings", 1, 1)));
        publish("sqlt.metrics", MetricsRecord.class, List.of(metricsRecord(0), metricsRecord(1), metricsRecord(2)));
        List<EmbeddingRecord> embeddings = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            embeddings.add(embedding("img-" + i, 1));
        }
        for (int i = 0; i < 3; i++) {
            embeddings.add(embedding("img-" + i, 2));
        }
        publish("sqlt.embeddings", EmbeddingRecord.class, embeddings);

        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tables.executeSql(shipped("diva-metrics.sql"));
        tables.executeSql(shipped("diva-embeddings.sql"));

        Map<Long, Double> recall = new TreeMap<>();
        for (Row row : collect(tables, shipped("recall-by-version.sql"))) {
            recall.put((Long) row.getField("modelVersion"), (Double) row.getField("recall_at_1"));
            assertThat((Double) row.getField("map_at_r")).isEqualTo((Double) row.getField("recall_at_1") / 2);
        }
        assertThat(recall).hasSize(3);
        assertThat(recall.get(0L)).isEqualTo(0.5);
        assertThat(recall.get(1L)).isEqualTo(0.6);
        assertThat(recall.get(2L)).isEqualTo(0.7);

        Map<Long, Long> imagesByVersion = new TreeMap<>();
        for (Row row : collect(tables, shipped("embeddings-by-version.sql"))) {
            imagesByVersion.put((Long) row.getField("modelVersion"), (Long) row.getField("images"));
            assertThat((Integer) row.getField("dimension")).isEqualTo(3);
        }
        assertThat(imagesByVersion).containsExactlyEntriesOf(new TreeMap<>(Map.of(1L, 4L, 2L, 3L)));
    }
}
