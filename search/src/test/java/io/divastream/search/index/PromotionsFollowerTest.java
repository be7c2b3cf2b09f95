package io.divastream.search.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.schemas.PromotionDecisionType;
import io.divastream.schemas.PromotionRecord;
import io.divastream.search.testing.EmbeddingRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The search index behind the promotion gate, on a real broker: it serves a version once a committed promotion says
 * so, keeps answering from it while a refused version re-embeds the catalogue, and never sees an aborted promotion.
 */
class PromotionsFollowerTest {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private static final float[][] V = Vectors.clustered(30, 8, 3, 0.7, 5);

    private static ProducerRecord<byte[], byte[]> embedding(String topic, int i, long version) {
        return EmbeddingRecords.record(topic, i, V[i], version);
    }

    private static ProducerRecord<byte[], byte[]> decision(String topic, long version, boolean promoted) {
        return decision(topic, version, promoted ? PromotionDecisionType.PROMOTED : PromotionDecisionType.REFUSED);
    }

    private static ProducerRecord<byte[], byte[]> decision(String topic, long version, PromotionDecisionType type) {
        boolean promoted = type == PromotionDecisionType.PROMOTED || type == PromotionDecisionType.ROLLED_BACK;
        PromotionRecord p = PromotionRecord.newBuilder()
                .setModelVersion(version)
                .setDecision(type)
                .setPromotedVersion(promoted ? version : version - 1)
                .setPreviousVersion(version - 1)
                .setCandidateRecallAt1(0.5)
                .setPromotedRecallAt1(0.6)
                .setImages(30)
                .setTolerance(0.01)
                .setMinImages(10)
                .setReason("test")
                .setTrainingStep(version * 250)
                .setDecidedAt(Instant.ofEpochMilli(3))
                .build();
        return new ProducerRecord<>(
                topic,
                Long.toString(version).getBytes(StandardCharsets.UTF_8),
                AvroCodec.of(PromotionRecord.class).encode(p));
    }

    private static KafkaProducer<byte[], byte[]> producer(String id) {
        Properties p = KAFKA.settings().toProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        producer.initTransactions();
        return producer;
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records) {
        producer.beginTransaction();
        records.forEach(producer::send);
        producer.commitTransaction();
    }

    private static List<ProducerRecord<byte[], byte[]>> catalogue(String topic, long version) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add(embedding(topic, i, version));
        }
        return records;
    }

    @Test
    void servesPromotedVersionsOnlyAndKeepsServingThroughARefusal() throws Exception {
        String embeddings = "gated-embeddings";
        String promotions = "gated-promotions";
        try (Admin admin = Admin.create(KAFKA.settings().toProperties())) {
            admin.createTopics(List.of(
                            new NewTopic(embeddings, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                            new NewTopic(promotions, 1, (short) 1)))
                    .all()
                    .get();
        }
        VersionedIndex index = new VersionedIndex(SearchMode.EXACT, 0.95, 0.05, GraphSearch.Params.DEFAULT, true);
        try (KafkaProducer<byte[], byte[]> job = producer("gated-job");
                PromotionsFollower gate = new PromotionsFollower(KAFKA.settings(), promotions, index);
                EmbeddingsFollower follower = new EmbeddingsFollower(KAFKA.settings(), embeddings, index)) {
            send(job, catalogue(embeddings, 1));
            assertThat(follower.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
            Thread.sleep(500);
            assertThat(index.status().servedVersion()).as("not promoted yet").isEqualTo(-1);

            // the promotion arrives after the embeddings: served without another embedding
            send(job, List.of(decision(promotions, 1, true)));
            await(() -> index.status().servedVersion() == 1);

            // version 2 re-embeds the catalogue and is refused: searches keep answering from version 1
            send(job, catalogue(embeddings, 2));
            send(job, List.of(decision(promotions, 2, false)));
            await(() -> gate.refused() == 1 && index.status().pendingImages() == 30);
            assertThat(index.status().servedVersion()).isEqualTo(1);
            assertThat(index.search(V[0], 5).orElseThrow().modelVersion()).isEqualTo(1);

            // an aborted promotion of version 2 is never seen
            job.beginTransaction();
            job.send(decision(promotions, 2, true));
            job.flush();
            job.abortTransaction();
            // version 3 is promoted and re-embeds the catalogue: served
            send(job, List.of(decision(promotions, 3, true)));
            send(job, catalogue(embeddings, 3));
            await(() -> index.status().servedVersion() == 3);
            assertThat(index.status().promotedVersion()).isEqualTo(3);

            // an operator's pin changes nothing served; a rollback's version serves once re-embedded
            send(job, List.of(decision(promotions, 3, PromotionDecisionType.PINNED)));
            send(job, catalogue(embeddings, 4));
            send(job, List.of(decision(promotions, 4, PromotionDecisionType.ROLLED_BACK)));
            await(() -> index.status().servedVersion() == 4);
            assertThat(gate.refused()).isEqualTo(1);
            assertThat(gate.failure()).isNull();
            assertThat(gate.records()).isEqualTo(5);
        }
    }
}
