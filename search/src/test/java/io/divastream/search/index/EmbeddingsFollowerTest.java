package io.divastream.search.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.search.testing.EmbeddingRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

class EmbeddingsFollowerTest {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private static final float[][] V = Vectors.clustered(50, 8, 3, 0.7, 5);

    private static ProducerRecord<byte[], byte[]> record(String topic, int i, long version) {
        return EmbeddingRecords.record(topic, i, V[i], version);
    }

    private static byte[] key(int i) {
        return EmbeddingRecords.key(i);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = KAFKA.settings().toProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "follower-test");
        return new KafkaProducer<>(p);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void followsCommittedRecordsTombstonesAndVersionSwitches() throws Exception {
        String topic = "embeddings-follower";
        try (Admin admin = Admin.create(KAFKA.settings().toProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all()
                    .get();
        }
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 30; i++) {
                producer.send(record(topic, i, 1));
            }
            producer.send(new ProducerRecord<>(topic, key(31), "garbage".getBytes(StandardCharsets.UTF_8)));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(record(topic, 40, 1)); // aborted: never seen
            producer.flush();
            producer.abortTransaction();

            VersionedIndex index = VersionedIndex.exact();
            try (EmbeddingsFollower follower = new EmbeddingsFollower(KAFKA.settings(), topic, index)) {
                assertThat(follower.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
                assertThat(index.status().servedVersion()).isEqualTo(1);
                assertThat(index.status().servedImages()).isEqualTo(30);
                assertThat(follower.undecodable()).isEqualTo(1);
                assertThat(index.searchById("img-0", 100).orElseThrow().neighbours())
                        .extracting(VersionedIndex.Neighbour::imageId)
                        .hasSize(29)
                        .doesNotContain("img-40");

                // live: a tombstone, then version 2 for every remaining image
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, key(29), null));
                producer.commitTransaction();
                await(() -> index.status().servedImages() == 29);
                producer.beginTransaction();
                for (int i = 0; i < 29; i++) {
                    producer.send(record(topic, i, 2));
                }
                producer.commitTransaction();
                await(() -> index.status().servedVersion() == 2);
                assertThat(index.status().servedImages()).isEqualTo(29);
                assertThat(index.search(V[3], 1)
                                .orElseThrow()
                                .neighbours()
                                .get(0)
                                .imageId())
                        .isEqualTo("img-3");
                assertThat(follower.failure()).isNull();
            }
        }
    }
}
