package io.divastream.search.index;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.avro.RecordDecodingException;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.schemas.EmbeddingRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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
 * with an empty index). The first {@link VersionedIndex#refresh()} happens once the consumer has reached the end offsets
 * the partitions had at start ({@link #awaitCaughtUp}), so the first served version is chosen from the
 * whole topic; after that, every poll that brought records is followed by a refresh. Runs on its own
 * daemon thread, the index's only writer.
 */
public final class EmbeddingsFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingsFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaSettings settings;
    private final String topic;
    private final VersionedIndex index;
    private final AvroCodec<EmbeddingRecord> codec = AvroCodec.of(EmbeddingRecord.class);
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean closed;
    private volatile Throwable failure;

    /**
     * Starts following.
     *
     * @param settings the Kafka client settings
     * @param topic the embeddings topic
     * @param index the index to feed
     */
    public EmbeddingsFollower(KafkaSettings settings, String topic, VersionedIndex index) {
        this.settings = settings;
        this.topic = topic;
        this.index = index;
        this.thread = new Thread(this::run, "embeddings-follower");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Properties p = CommittedReader.properties(settings);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            consumer = c;
            if (closed) {
                return;
            }
            List<TopicPartition> partitions = CommittedReader.partitions(c, topic, () -> closed, LOG);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(partitions));
            boolean live = false;
            while (!closed) {
                ConsumerRecords<byte[], byte[]> batch = c.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    apply(r);
                }
                if (!live) {
                    end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
                    live = end.isEmpty();
                    if (live) {
                        index.refresh();
                        LOG.info("caught up with {} after {} records: {}", topic, records.get(), index.status());
                        caughtUp.countDown();
                    }
                } else if (!batch.isEmpty()) {
                    if (index.refresh()) {
                        LOG.info("switched: {}", index.status());
                    }
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                failure = e;
            }
        } catch (RuntimeException | InterruptedException e) {
            failure = e;
            LOG.error("following {} failed", topic, e);
        } finally {
            caughtUp.countDown();
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        records.incrementAndGet();
        if (r.value() == null) {
            if (r.key() != null) {
                index.remove(new String(r.key(), StandardCharsets.UTF_8));
            }
            return;
        }
        try {
            EmbeddingRecord e = codec.decode(r.value());
            List<Float> combined = e.getCombined();
            float[] v = new float[combined.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = combined.get(i);
            }
            index.put(new VersionedIndex.Entry(e.getImageId().toString(), e.getLabel().toString(), e.getModelVersion(), v));
        } catch (RecordDecodingException | IllegalArgumentException e) {
            undecodable.incrementAndGet();
            LOG.warn("skipping {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    /**
     * Waits until the consumer has read the topic as it was at start and the index was first refreshed.
     *
     * @param timeout the longest wait
     * @return true if caught up (false on timeout or failure)
     * @throws InterruptedException if interrupted
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && failure == null;
    }

    /**
     * Returns the number of records read.
     *
     * @return records, tombstones included
     */
    public long records() {
        return records.get();
    }

    /**
     * Returns the number of records skipped because they did not decode.
     *
     * @return skipped records
     */
    public long undecodable() {
        return undecodable.get();
    }

    /**
     * Returns why the follower stopped, if it failed.
     *
     * @return the failure, or null
     */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.join(10_000);
    }
}
