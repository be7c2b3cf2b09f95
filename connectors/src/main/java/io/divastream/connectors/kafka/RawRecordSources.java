package io.divastream.connectors.kafka;

import java.util.Objects;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Factory of Flink {@link KafkaSource}s that emit undecoded {@link RawRecord}s. Consumers read with
 * {@code isolation.level=read_committed} unless the settings say otherwise.
 */
public final class RawRecordSources {

    private RawRecordSources() {}

    /**
     * An unbounded source of one topic.
     *
     * @param settings where Kafka is, plus extra consumer properties
     * @param topic the topic to read
     * @param groupId the consumer group (offsets are committed on checkpoints)
     * @param startingOffsets where to start when the group has no usable state
     * @return the source
     */
    public static KafkaSource<RawRecord> unbounded(
            KafkaSettings settings, String topic, String groupId, OffsetsInitializer startingOffsets) {
        return builder(settings, topic, groupId, startingOffsets).build();
    }

    /**
     * A bounded source of one topic that finishes at the given stopping offsets (for tests and
     * batch replays).
     *
     * @param settings where Kafka is, plus extra consumer properties
     * @param topic the topic to read
     * @param groupId the consumer group
     * @param startingOffsets where to start
     * @param stoppingOffsets where to stop, e.g. {@link OffsetsInitializer#latest()}
     * @return the source
     */
    public static KafkaSource<RawRecord> bounded(
            KafkaSettings settings,
            String topic,
            String groupId,
            OffsetsInitializer startingOffsets,
            OffsetsInitializer stoppingOffsets) {
        Objects.requireNonNull(stoppingOffsets, "stoppingOffsets");
        return builder(settings, topic, groupId, startingOffsets)
                .setBounded(stoppingOffsets)
                .build();
    }

    private static KafkaSourceBuilder<RawRecord> builder(
            KafkaSettings settings, String topic, String groupId, OffsetsInitializer startingOffsets) {
        Objects.requireNonNull(settings, "settings");
        requireNonBlank(topic, "topic");
        requireNonBlank(groupId, "groupId");
        Objects.requireNonNull(startingOffsets, "startingOffsets");
        Properties properties = settings.toProperties();
        properties.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return KafkaSource.<RawRecord>builder()
                .setProperties(properties)
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(topic)
                .setGroupId(groupId)
                .setClientIdPrefix(groupId + "-" + topic)
                .setStartingOffsets(startingOffsets)
                .setDeserializer(new RawRecordDeserializationSchema());
    }

    static void requireNonBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
