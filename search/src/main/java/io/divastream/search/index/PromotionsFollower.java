package io.divastream.search.index;

import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.schemas.PromotionDecisionType;
import io.divastream.schemas.PromotionRecord;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the promotion gate's decisions ({@code diva.promotions}) into a {@link VersionedIndex} that serves promoted
 * versions only: one committed-mode consumer from the beginning, as the other followers. A promoted version may be
 * served once its embeddings cover the served images; a refused one is logged and never served. Runs on its own
 * daemon thread.
 */
public final class PromotionsFollower extends CommittedTopicFollower {

    private static final Logger LOG = LoggerFactory.getLogger(PromotionsFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final VersionedIndex index;
    private final RecordCodec<PromotionRecord> codec;
    private final AtomicLong refused = new AtomicLong();

    /**
     * Starts following.
     *
     * @param settings the Kafka client settings
     * @param topic the promotions topic
     * @param index the index to tell about promoted versions
     */
    public PromotionsFollower(KafkaSettings settings, String topic, VersionedIndex index) {
        this(settings, topic, index, SerdeFormat.SINGLE_OBJECT);
    }

    /**
     * Starts following.
     *
     * @param settings the Kafka client settings
     * @param topic the promotions topic
     * @param index the index to tell about promoted versions
     * @param format the topic's wire format
     */
    public PromotionsFollower(KafkaSettings settings, String topic, VersionedIndex index, SerdeFormat format) {
        super(settings, topic, POLL, "promotions-follower", LOG);
        this.codec = format.codec(PromotionRecord.class, topic);
        this.index = index;
        start();
    }

    @Override
    protected void apply(ConsumerRecord<byte[], byte[]> r) {
        PromotionRecord p = codec.decode(r.value());
        PromotionDecisionType decision = p.getDecision();
        if (decision == PromotionDecisionType.PROMOTED || decision == PromotionDecisionType.ROLLED_BACK) {
            LOG.info("model version {} {}: {}", p.getModelVersion(), decision, p.getReason());
            index.promote(p.getModelVersion());
        } else {
            if (decision == PromotionDecisionType.REFUSED) {
                refused.incrementAndGet();
            }
            // pins, unpins and rejected commands change nothing the index serves
            LOG.info("model version {} {}: {}", p.getModelVersion(), decision, p.getReason());
        }
    }

    @Override
    protected void polled(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> batch) {
        // the embeddings follower, the index's writer, refreshes it when it sees the promotion pending
    }

    /**
     * The number of refusals read.
     *
     * @return the count
     */
    public long refused() {
        return refused.get();
    }
}
