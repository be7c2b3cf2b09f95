package io.divastream.search.http;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.avro.RecordDecodingException;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.model.export.ArtefactStore;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.search.index.CommittedReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code diva.model-versions} into a {@link ModelDirectory} in committed mode: one consumer with
 * {@code isolation.level=read_committed} (a version the job published but never committed, because it failed
 * before the checkpoint, is never seen), every partition from the beginning, until {@link #close()}. Each
 * record's (version, parameter SHA-256) is {@link ModelDirectory#commit committed}; after every poll the
 * directory is asked to load the newest committed version's artefact ({@link ModelDirectory#preloadNewest}),
 * so it retries until the artefact appears. A record that does not decode is logged and counted. Runs on its
 * own daemon thread.
 */
public final class ModelVersionsFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelVersionsFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaSettings settings;
    private final String topic;
    private final ModelDirectory directory;
    private final AvroCodec<ModelVersionRecord> codec = AvroCodec.of(ModelVersionRecord.class);
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
     * @param topic the model-versions topic
     * @param directory the directory to tell about committed versions; must be in committed mode
     */
    public ModelVersionsFollower(KafkaSettings settings, String topic, ModelDirectory directory) {
        if (!directory.committedOnly()) {
            throw new IllegalArgumentException("the model directory must accept committed versions only");
        }
        this.settings = settings;
        this.topic = topic;
        this.directory = directory;
        this.thread = new Thread(this::run, "model-versions-follower");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(CommittedReader.properties(settings))) {
            consumer = c;
            if (closed) {
                return;
            }
            List<TopicPartition> partitions = CommittedReader.partitions(c, topic, () -> closed, LOG);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                    apply(r);
                }
                directory.preloadNewest();
            }
        } catch (WakeupException e) {
            if (!closed) {
                failure = e;
            }
        } catch (RuntimeException | InterruptedException e) {
            failure = e;
            LOG.error("following {} failed", topic, e);
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        records.incrementAndGet();
        if (r.value() == null) {
            return;
        }
        try {
            ModelVersionRecord v = codec.decode(r.value());
            String sha = v.getParameterSha256();
            ArtefactStore.name(v.getModelVersion(), sha); // a version and SHA-256 an artefact can be named by
            LOG.info("model version {} committed (step {}, parameters sha256 {})", v.getModelVersion(),
                    v.getTrainingStep(), sha);
            directory.commit(v.getModelVersion(), sha);
        } catch (RecordDecodingException | IllegalArgumentException e) {
            undecodable.incrementAndGet();
            LOG.warn("skipping {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    /**
     * Returns the number of records read.
     *
     * @return records
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
