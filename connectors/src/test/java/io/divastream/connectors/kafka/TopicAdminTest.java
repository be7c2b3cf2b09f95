package io.divastream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicAdminTest {

    @Test
    void defaultTopicsAreTheSevenPipelineTopicsWithCompactedEmbeddings() {
        List<TopicSpec> topics = TopicAdmin.defaultTopics();

        assertThat(topics)
                .extracting(TopicSpec::name)
                .containsExactly(
                        "diva.images",
                        "diva.embeddings",
                        "diva.metrics",
                        "diva.model-versions",
                        "diva.promotions",
                        "diva.promotion-commands",
                        "diva.images.dlq");
        assertThat(topics).allSatisfy(t -> {
            assertThat(t.partitions()).isEqualTo(1);
            assertThat(t.replicationFactor()).isEqualTo((short) 1);
        });
        assertThat(topics)
                .filteredOn(TopicSpec::isCompacted)
                .extracting(TopicSpec::name)
                .containsExactly(KafkaTopics.EMBEDDINGS);
        assertThat(topics.get(1).configs()).containsEntry("cleanup.policy", "compact");
    }

    @Test
    void defaultTopicsTakePartitionsAndReplication() {
        assertThat(TopicAdmin.defaultTopics(4, 3)).allSatisfy(t -> {
            assertThat(t.partitions()).isEqualTo(4);
            assertThat(t.replicationFactor()).isEqualTo((short) 3);
        });
    }

    @Test
    void topicSpecValidates() {
        assertThatThrownBy(() -> TopicSpec.of(" ", 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopicSpec.of("t", 0, 1)).hasMessageContaining("partitions");
        assertThatThrownBy(() -> TopicSpec.of("t", 1, 0)).hasMessageContaining("replication");
        TopicSpec spec = TopicSpec.of("t", 2, 1).withConfig("retention.ms", "1000");
        assertThat(spec.isCompacted()).isFalse();
        assertThat(spec.compacted().configs()).isEqualTo(Map.of("retention.ms", "1000", "cleanup.policy", "compact"));
    }
}
