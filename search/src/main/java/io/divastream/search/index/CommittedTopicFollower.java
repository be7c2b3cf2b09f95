package io.divastream.search.index;

import io.divastream.connectors.avro.RecordDecodingException;
import io.divastream.connectors.kafka.KafkaSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

/**
 * What the service's topic followers share: one {@link CommittedReader} consumer on a daemon thread of
 * its own, every partition of the topic assigned manually and read from the beginning, polling until
 * {@link #close()}. Every record is counted; a tombstone goes to {@link #tombstone}; any other record to
 * {@link #apply}, where a {@link RecordDecodingException} or {@link IllegalArgumentException} skips the
 * record (logged and counted as undecodable) instead of stopping the follower. Any other failure stops
 * it and is kept for {@link #failure()}.
 *
 * <p>A subclass sets its own fields, then calls {@link #start()} at the end of its constructor.
 */
public abstract class CommittedTopicFollower implements AutoCloseable {

    private final KafkaSettings settings;
    private final String topic;
    private final Duration poll;
    private final Logger log;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean closed;
    private volatile Throwable failure;

    /**
     * Prepares the follower; {@link #start()} starts it.
     *
     * @param settings the Kafka client settings
     * @param topic the topic to follow
     * @param poll the longest wait of one poll
     * @param threadName the name of the follower's thread
     * @param log where to log
     */
    protected CommittedTopicFollower(
            KafkaSettings settings, String topic, Duration poll, String threadName, Logger log) {
        this.settings = settings;
        this.topic = topic;
        this.poll = poll;
        this.log = log;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
    }

    /** Starts the follower's thread; called once, at the end of the subclass's constructor. */
    protected final void start() {
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(CommittedReader.properties(settings))) {
            consumer = c;
            if (closed) {
                return;
            }
            List<TopicPartition> partitions = CommittedReader.partitions(c, topic, () -> closed, log);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            started(c, partitions);
            while (!closed) {
                ConsumerRecords<byte[], byte[]> batch = c.poll(poll);
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    accept(r);
                }
                polled(c, batch);
            }
        } catch (WakeupException e) {
            if (!closed) {
                failure = e;
            }
        } catch (RuntimeException | InterruptedException e) {
            failure = e;
            log.error("following {} failed", topic, e);
        } finally {
            stopped();
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        records.incrementAndGet();
        if (r.value() == null) {
            tombstone(r);
            return;
        }
        try {
            apply(r);
        } catch (RecordDecodingException | IllegalArgumentException e) {
            undecodable.incrementAndGet();
            log.warn("skipping {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    /**
     * Takes one record with a value.
     *
     * @param r the record
     * @throws RecordDecodingException if the value does not decode (the record is skipped)
     */
    protected abstract void apply(ConsumerRecord<byte[], byte[]> r);

    /**
     * Takes one tombstone (a record without a value); ignored unless overridden.
     *
     * @param r the record
     */
    protected void tombstone(ConsumerRecord<byte[], byte[]> r) {}

    /**
     * Called once the partitions are assigned and positioned at their beginning, before the first poll.
     *
     * @param c the consumer
     * @param partitions the topic's partitions
     */
    protected void started(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {}

    /**
     * Called after every poll, once its records were taken.
     *
     * @param c the consumer
     * @param batch the poll's records (possibly none)
     */
    protected abstract void polled(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> batch);

    /** Called on the follower's thread when it ends, however it ends. */
    protected void stopped() {}

    /**
     * Returns the followed topic.
     *
     * @return the topic
     */
    protected final String topic() {
        return topic;
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
