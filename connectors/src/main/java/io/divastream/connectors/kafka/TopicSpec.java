package io.divastream.connectors.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * A topic to create: name, partitions, replication factor and topic-level configs.
 *
 * @param name topic name, not blank
 * @param partitions number of partitions, at least 1
 * @param replicationFactor replication factor, at least 1
 * @param configs topic configs, e.g. {@code cleanup.policy=compact}
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {

    /** Validates and copies the arguments. */
    public TopicSpec {
        RawRecordSources.requireNonBlank(name, "topic name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1: " + replicationFactor);
        }
        configs = configs == null ? Map.of() : Map.copyOf(configs);
    }

    /**
     * A topic with default (delete) cleanup.
     *
     * @param name topic name
     * @param partitions number of partitions
     * @param replicationFactor replication factor
     * @return the spec
     */
    public static TopicSpec of(String name, int partitions, int replicationFactor) {
        return new TopicSpec(name, partitions, toShort(replicationFactor), Map.of());
    }

    /**
     * A copy with {@code cleanup.policy=compact}.
     *
     * @return the compacted spec
     */
    public TopicSpec compacted() {
        return withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /**
     * A copy with one topic config added or replaced.
     *
     * @param key the topic config name
     * @param value its value
     * @return the new spec
     */
    public TopicSpec withConfig(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(configs);
        copy.put(key, value);
        return new TopicSpec(name, partitions, replicationFactor, copy);
    }

    /**
     * Whether the topic's cleanup policy includes compaction.
     *
     * @return true if compacted
     */
    public boolean isCompacted() {
        String policy = configs.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        return policy != null && policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    private static short toShort(int replicationFactor) {
        if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException("replication factor must be at least 1: " + replicationFactor);
        }
        return (short) replicationFactor;
    }
}
