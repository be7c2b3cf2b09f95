package io.divastream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.dev.LocalKafkaBroker;
import io.divastream.schemas.ImageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class LocalKafkaBrokerTest {

    @Test
    void runsTopicsRecordsCompactionAndTransactionsThenCleansUp() throws Exception {
        Path logDirectory;
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start()) {
            logDirectory = kafka.logDirectory();
            assertThat(logDirectory).isDirectory();
            assertThat(logDirectory.resolve("meta.properties")).isRegularFile();
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
            KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());

            List<String> created = TopicAdmin.ensureTopics(settings, TopicAdmin.defaultTopics());
            assertThat(created).containsExactlyInAnyOrderElementsOf(KafkaTopics.ALL);
            assertThat(TopicAdmin.ensureTopics(settings, TopicAdmin.defaultTopics()))
                    .isEmpty();

            try (Admin admin = Admin.create(settings.toProperties())) {
                assertThat(admin.listTopics().names().get()).containsAll(KafkaTopics.ALL);
                ConfigResource embeddings = new ConfigResource(ConfigResource.Type.TOPIC, KafkaTopics.EMBEDDINGS);
                ConfigResource images = new ConfigResource(ConfigResource.Type.TOPIC, KafkaTopics.IMAGES);
                Map<ConfigResource, Config> configs =
                        admin.describeConfigs(List.of(embeddings, images)).all().get();
                assertThat(configs.get(embeddings).get("cleanup.policy").value())
                        .isEqualTo("compact");
                assertThat(configs.get(images).get("cleanup.policy").value()).isEqualTo("delete");
            }

            AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
            ImageEvent event = ImageEvent.newBuilder()
                    .setImageId("omniglot/Korean/character07/0512_03.png")
                    .setLabel("Korean/character07")
                    .setContentType("image/png")
                    .setImage(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G'}))
                    .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                    .setSource("test")
                    .build();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(settings, null))) {
                producer.send(new ProducerRecord<>(KafkaTopics.IMAGES, bytes(event.getImageId()), codec.encode(event)))
                        .get();
            }
            List<ConsumerRecord<byte[], byte[]>> consumed = consume(settings, KafkaTopics.IMAGES, 1);
            assertThat(consumed).hasSize(1);
            assertThat(new String(consumed.get(0).key(), StandardCharsets.UTF_8))
                    .isEqualTo(event.getImageId());
            assertThat(codec.decode(consumed.get(0).value())).isEqualTo(event);

            String topic = "transactions";
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(producerProps(settings, "local-broker-test"))) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("committed")));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("aborted")));
                producer.flush();
                producer.abortTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("committed-2")));
                producer.commitTransaction();
            }
            List<String> values = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : consume(settings, topic, 2)) {
                values.add(new String(record.value(), StandardCharsets.UTF_8));
            }
            assertThat(values).containsExactly("committed", "committed-2");
        }
        assertThat(logDirectory).doesNotExist();
    }

    @Test
    void keepsAGivenLogDirectoryAndRestartsOnIt() throws Exception {
        Path directory = Files.createTempDirectory("local-kafka-test-");
        try {
            LocalKafkaBroker.Config config = LocalKafkaBroker.Config.defaults().withLogDirectory(directory);
            try (LocalKafkaBroker kafka = LocalKafkaBroker.start(config)) {
                TopicAdmin.ensureTopics(
                        KafkaSettings.of(kafka.bootstrapServers()),
                        List.of(io.divastream.connectors.kafka.TopicSpec.of("kept", 1, 1)));
            }
            assertThat(directory.resolve("meta.properties")).isRegularFile();
            try (LocalKafkaBroker kafka = LocalKafkaBroker.start(config);
                    Admin admin = Admin.create(
                            KafkaSettings.of(kafka.bootstrapServers()).toProperties())) {
                assertThat(admin.listTopics().names().get()).contains("kept");
            }
        } finally {
            org.apache.kafka.common.utils.Utils.delete(directory.toFile());
        }
    }

    @Test
    void stopAndRestartKeepThePortTheRecordsAndAnOpenTransaction() throws Exception {
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start()) {
            KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
            String topic = "outage";
            TopicAdmin.ensureTopics(settings, List.of(io.divastream.connectors.kafka.TopicSpec.of(topic, 1, 1)));
            int port = kafka.port();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(settings, "outage-test"))) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("before")));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, bytes("k"), bytes("across")))
                        .get();

                kafka.stop();
                assertThat(kafka.isRunning()).isFalse();
                kafka.stop(); // idempotent
                kafka.restart();
                assertThat(kafka.isRunning()).isTrue();
                assertThat(kafka.port()).isEqualTo(port);
                org.assertj.core.api.Assertions.assertThatThrownBy(kafka::restart)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("running");

                // the transaction opened before the outage is committed after it (as a Flink sink's is)
                producer.commitTransaction();
            }
            List<String> values = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : consume(settings, topic, 2)) {
                values.add(new String(record.value(), StandardCharsets.UTF_8));
            }
            assertThat(values).containsExactly("before", "across");
        }
    }

    @Test
    void failsClearlyWhenTheRequestedPortIsTaken() throws Exception {
        try (java.net.ServerSocket taken =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            LocalKafkaBroker.Config config = LocalKafkaBroker.Config.defaults().withPort(taken.getLocalPort());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalKafkaBroker.start(config))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("local Kafka broker failed to start")
                    .hasMessageContaining(Integer.toString(taken.getLocalPort()));
        }
    }

    @Test
    void configValidatesThePort() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> LocalKafkaBroker.Config.defaults().withPort(70000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(LocalKafkaBroker.Config.defaults()
                        .withBrokerProperty("num.partitions", "3")
                        .brokerProperties())
                .containsEntry("num.partitions", "3");
    }

    private static Properties producerProps(KafkaSettings settings, String transactionalId) {
        Properties props = settings.toProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        if (transactionalId != null) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return props;
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(KafkaSettings settings, String topic, int expected) {
        Properties props = settings.toProperties();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                if (records.size() >= expected) {
                    TopicPartition partition = new TopicPartition(topic, 0);
                    if (!consumer.assignment().contains(partition)
                            || consumer.position(partition)
                                    >= consumer.endOffsets(Set.of(partition)).get(partition)) {
                        break;
                    }
                }
            }
        }
        return records;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
