package io.divastream.jobs.config;

import io.divastream.connectors.kafka.KafkaTopics;
import java.util.List;

/** The job's topics: {@code topic.*}, every one different. */
public final class TopicOptions {

    public static final DivaOption<String> IMAGES =
            topic("topic.images", KafkaTopics.IMAGES, "input topic of image events");
    public static final DivaOption<String> EMBEDDINGS =
            topic("topic.embeddings", KafkaTopics.EMBEDDINGS, "output topic of embeddings (compacted)");
    public static final DivaOption<String> METRICS =
            topic("topic.metrics", KafkaTopics.METRICS, "output topic of metrics records");
    public static final DivaOption<String> MODEL_VERSIONS =
            topic("topic.model-versions", KafkaTopics.MODEL_VERSIONS, "output topic of model versions");
    public static final DivaOption<String> PROMOTIONS =
            topic("topic.promotions", KafkaTopics.PROMOTIONS, "output topic of the promotion gate's decisions");
    public static final DivaOption<String> PROMOTION_COMMANDS = topic(
            "topic.promotion-commands",
            KafkaTopics.PROMOTION_COMMANDS,
            "input topic of operators' pin, unpin and rollback commands");
    public static final DivaOption<String> DEAD_LETTERS =
            topic("topic.dead-letters", KafkaTopics.DEAD_LETTERS, "topic of rejected input records");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<String>> ALL =
            List.of(IMAGES, EMBEDDINGS, METRICS, MODEL_VERSIONS, PROMOTIONS, PROMOTION_COMMANDS, DEAD_LETTERS);

    private TopicOptions() {}

    private static DivaOption<String> topic(String key, String defaultTopic, String description) {
        return DivaOption.of(key, OptionType.text().checked(Validation::topic), defaultTopic, description);
    }
}
