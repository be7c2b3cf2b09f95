package io.divastream.connectors.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics if they do not exist. Existing topics are left as they are (their
 * partitions and configs are not altered), so calling it again is harmless.
 */
public final class TopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    /** How long to wait for the cluster to create the topics. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TopicAdmin() {}

    /**
     * The seven pipeline topics with 1 partition and replication factor 1; {@code diva.embeddings}
     * is compacted.
     *
     * @return the topic specs
     */
    public static List<TopicSpec> defaultTopics() {
        return defaultTopics(1, 1);
    }

    /**
     * The seven pipeline topics; {@code diva.embeddings} is compacted.
     *
     * @param partitions partitions per topic
     * @param replicationFactor replication factor per topic
     * @return the topic specs, in the order of {@link KafkaTopics#ALL}
     */
    public static List<TopicSpec> defaultTopics(int partitions, int replicationFactor) {
        List<TopicSpec> topics = new ArrayList<>();
        for (String name : KafkaTopics.ALL) {
            TopicSpec spec = TopicSpec.of(name, partitions, replicationFactor);
            topics.add(name.equals(KafkaTopics.EMBEDDINGS) ? spec.compacted() : spec);
        }
        return List.copyOf(topics);
    }

    /**
     * Creates the topics that do not exist yet.
     *
     * @param settings where Kafka is
     * @param topics the topics to ensure
     * @return the names of the topics that were created by this call
     * @throws IllegalStateException if a topic could not be created
     */
    public static List<String> ensureTopics(KafkaSettings settings, List<TopicSpec> topics) {
        Objects.requireNonNull(settings, "settings");
        try (Admin admin = Admin.create(settings.toProperties())) {
            return ensureTopics(admin, topics);
        }
    }

    /**
     * Creates the topics that do not exist yet, with an existing admin client.
     *
     * @param admin the admin client
     * @param topics the topics to ensure
     * @return the names of the topics that were created by this call
     * @throws IllegalStateException if a topic could not be created
     */
    public static List<String> ensureTopics(Admin admin, List<TopicSpec> topics) {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(topics, "topics");
        if (topics.isEmpty()) {
            return List.of();
        }
        List<NewTopic> newTopics = new ArrayList<>();
        for (TopicSpec spec : topics) {
            newTopics.add(
                    new NewTopic(spec.name(), spec.partitions(), spec.replicationFactor()).configs(spec.configs()));
        }
        CreateTopicsResult result = admin.createTopics(newTopics);
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> entry : result.values().entrySet()) {
            String name = entry.getKey();
            try {
                entry.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                created.add(name);
                LOG.info("Created topic {}", name);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    LOG.debug("Topic {} already exists", name);
                } else {
                    throw new IllegalStateException(
                            "could not create topic " + name + ": "
                                    + e.getCause().getMessage(),
                            e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("timed out after " + TIMEOUT + " creating topic " + name, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + name, e);
            }
        }
        return List.copyOf(created);
    }
}
