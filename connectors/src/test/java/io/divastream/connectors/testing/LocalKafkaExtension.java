package io.divastream.connectors.testing;

import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.dev.LocalKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension running one {@link LocalKafkaBroker} per test class. Register it on a static
 * field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();
 * }</pre>
 */
public final class LocalKafkaExtension implements BeforeAllCallback, AfterAllCallback {

    private final LocalKafkaBroker.Config config;
    private LocalKafkaBroker broker;

    /** An extension starting a broker with the default configuration. */
    public LocalKafkaExtension() {
        this(LocalKafkaBroker.Config.defaults());
    }

    /**
     * An extension starting a broker with the given configuration.
     *
     * @param config the broker configuration
     */
    public LocalKafkaExtension(LocalKafkaBroker.Config config) {
        this.config = config;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = LocalKafkaBroker.start(config);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /**
     * The running broker.
     *
     * @return the broker
     * @throws IllegalStateException outside the test class's lifetime
     */
    public LocalKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("the local Kafka broker is not running");
        }
        return broker;
    }

    /**
     * Takes the broker down for a while and brings it back on the same ports and log directory (its
     * topics, offsets and transactions survive): a broker outage for recovery tests.
     *
     * @param downtime how long it stays down
     * @throws InterruptedException if interrupted while it is down (it is restarted nonetheless)
     */
    public void restartBroker(Duration downtime) throws InterruptedException {
        LocalKafkaBroker running = broker();
        running.stop();
        try {
            Thread.sleep(downtime.toMillis());
        } finally {
            running.restart();
        }
    }

    /**
     * The broker's address.
     *
     * @return {@code 127.0.0.1:<port>}
     */
    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /**
     * Client settings for the broker.
     *
     * @return the settings
     */
    public KafkaSettings settings() {
        return new KafkaSettings(broker().bootstrapServers(), broker().clientProperties());
    }

    /**
     * Reads a topic from the beginning with {@code isolation.level=read_committed}: polls until at
     * least {@code expectedAtLeast} records arrived and the consumer reached the end of every
     * partition, or until the timeout. Returns what it has at that point (possibly fewer records).
     *
     * @param topic the topic
     * @param expectedAtLeast the number of records to wait for
     * @param timeout the maximum time to wait
     * @return the records, in partition then offset order per poll
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expectedAtLeast, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties properties = settings().toProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = awaitPartitions(consumer, topic, deadline);
            if (partitions.isEmpty()) {
                return records;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                if (records.size() >= expectedAtLeast && atEnd(consumer, partitions)) {
                    break;
                }
            }
        }
        return records;
    }

    private static List<TopicPartition> awaitPartitions(
            KafkaConsumer<byte[], byte[]> consumer, String topic, long deadline) {
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> partitions = new ArrayList<>();
                infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
                return partitions;
            }
            if (System.nanoTime() >= deadline) {
                return List.of();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
    }

    private static boolean atEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition) < end.get(partition)) {
                return false;
            }
        }
        return true;
    }
}
