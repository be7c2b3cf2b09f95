package io.divastream.search.index;

import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.schemas.EmbeddingRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted embeddings topic into a {@link VersionedIndex}: one consumer with
 * {@code isolation.level=read_committed}, every partition assigned manually (no group, no committed
 * offsets) from the beginning, polling until {@link #close()}. Each {@link EmbeddingRecord} is put with
 * its combined embedding; a tombstone (null value) removes its key's image; a record that does not
 * decode is logged and counted, not fatal.
 *
 * <p>While the brokers do not answer or the topic does not exist, it waits and retries (the service stays up,
 * with an empty index). The first {@link VersionedIndex#refresh()} happens once the consumer has reached the
 * end offsets
 * the partitions had at start ({@link #awaitCaughtUp}), so the first served version is chosen from the
 * whole topic; after that, every poll that brought records is followed by a refresh. Runs on its own
 * daemon thread, the index's only writer.
 */
public final class EmbeddingsFollower extends CommittedTopicFollower {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingsFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final VersionedIndex index;
    private final RecordCodec<EmbeddingRecord> codec;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    /** End offsets at start not yet reached; empty once caught up (the follower's thread only). */
    private Map<TopicPartition, Long> end = Map.of();

    private boolean live;

    /**
     * Starts following.
     *
     * @param settings the Kafka client settings
     * @param topic the embeddings topic
     * @param index the index to feed
     */
    public EmbeddingsFollower(KafkaSettings settings, String topic, VersionedIndex index) {
        this(settings, topic, index, SerdeFormat.SINGLE_OBJECT);
    }

    /**
     * Starts following.
     *
     * @param settings the Kafka client settings
     * @param topic the embeddings topic
     * @param index the index to feed
     * @param format the topic's wire format
     */
    public EmbeddingsFollower(KafkaSettings settings, String topic, VersionedIndex index, SerdeFormat format) {
        super(settings, topic, POLL, "embeddings-follower", LOG);
        this.codec = format.codec(EmbeddingRecord.class, topic);
        this.index = index;
        start();
    }

    @Override
    protected void started(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
        end = new HashMap<>(c.endOffsets(partitions));
    }

    @Override
    protected void polled(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> batch) {
        if (!live) {
            end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
            live = end.isEmpty();
            if (live) {
                index.refresh();
                LOG.info("caught up with {} after {} records: {}", topic(), records(), index.status());
                caughtUp.countDown();
            }
        } else if (!batch.isEmpty() || index.promotionPending()) {
            if (index.refresh()) {
                LOG.info("switched: {}", index.status());
            }
        }
    }

    @Override
    protected void stopped() {
        caughtUp.countDown();
    }

    @Override
    protected void tombstone(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() != null) {
            index.remove(new String(r.key(), StandardCharsets.UTF_8));
        }
    }

    @Override
    protected void apply(ConsumerRecord<byte[], byte[]> r) {
        EmbeddingRecord e = codec.decode(r.value());
        List<Float> combined = e.getCombined();
        float[] v = new float[combined.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = combined.get(i);
        }
        index.put(
                new VersionedIndex.Entry(e.getImageId().toString(), e.getLabel().toString(), e.getModelVersion(), v));
    }

    /**
     * Waits until the consumer has read the topic as it was at start and the index was first refreshed.
     *
     * @param timeout the longest wait
     * @return true if caught up (false on timeout or failure)
     * @throws InterruptedException if interrupted
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && failure() == null;
    }
}
