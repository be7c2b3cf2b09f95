package io.divastream.search.index;

import io.divastream.connectors.kafka.KafkaSettings;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;

/**
 * What the service's topic followers share: a consumer of committed records only
 * ({@code isolation.level=read_committed}, no group, no committed offsets, no topic creation) and the wait
 * for a topic's partitions while the brokers do not answer or the topic does not exist yet.
 */
public final class CommittedReader {

    private CommittedReader() {}

    /**
     * The consumer's properties.
     *
     * @param settings the Kafka client settings
     * @return read_committed, no auto-commit, no auto-creation, byte-array keys and values
     */
    public static Properties properties(KafkaSettings settings) {
        Properties p = settings.toProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    /**
     * Waits for a topic's partitions, logging and retrying every second.
     *
     * @param c the consumer
     * @param topic the topic
     * @param closed tells when to give up
     * @param log where to log the waiting
     * @return the partitions, or empty if closed first
     * @throws InterruptedException if interrupted
     */
    public static List<TopicPartition> partitions(
            KafkaConsumer<byte[], byte[]> c, String topic, BooleanSupplier closed, Logger log)
            throws InterruptedException {
        while (!closed.getAsBoolean()) {
            try {
                List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream()
                            .map(i -> new TopicPartition(i.topic(), i.partition()))
                            .toList();
                }
                log.warn("topic {} not found yet; waiting", topic);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                log.warn("no answer from the brokers about topic {} yet ({}); retrying", topic, e.getMessage());
            }
            Thread.sleep(1000);
        }
        return List.of();
    }
}
