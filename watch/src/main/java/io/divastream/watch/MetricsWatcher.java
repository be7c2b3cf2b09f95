package io.divastream.watch;

import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.RecordDecodingException;
import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the metrics topic (and optionally the model-versions topic) into a {@link RecallHistory}.
 * The consumer runs with {@code isolation.level=read_committed}, no group id and manual assignment of
 * every partition, so it commits no offsets and sees only committed transactions. A record that does
 * not decode is reported on the error stream with its topic, partition and offset and skipped.
 *
 * <p>Not thread-safe, except {@link #wakeup()}, which another thread may call to interrupt a
 * blocking call (it then throws {@link org.apache.kafka.common.errors.WakeupException}).
 */
public final class MetricsWatcher implements AutoCloseable {

    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String metricsTopic;
    private final Optional<String> modelVersionsTopic;
    private final boolean fromBeginning;
    private final PrintStream err;
    private final RecordCodec<MetricsRecord> metricsCodec;
    private final RecordCodec<ModelVersionRecord> versionCodec;

    private List<TopicPartition> partitions = List.of();
    private RecallHistory history = RecallHistory.empty();
    private long skipped;

    /**
     * Creates the consumer; it connects on the first call.
     *
     * @param settings where Kafka is
     * @param metricsTopic the metrics topic
     * @param modelVersionsTopic the model-versions topic, or empty to read no losses
     * @param fromBeginning whether to read from the earliest offsets (else only new records)
     * @param err where undecodable records and missing optional topics are reported
     * @param format the topics' wire format
     */
    public MetricsWatcher(
            KafkaSettings settings,
            String metricsTopic,
            Optional<String> modelVersionsTopic,
            boolean fromBeginning,
            PrintStream err,
            SerdeFormat format) {
        this.metricsCodec = format.codec(MetricsRecord.class, metricsTopic);
        this.versionCodec = format.codec(ModelVersionRecord.class, modelVersionsTopic.orElse(metricsTopic));
        this.metricsTopic = Objects.requireNonNull(metricsTopic, "metricsTopic");
        this.modelVersionsTopic = Objects.requireNonNull(modelVersionsTopic, "modelVersionsTopic");
        this.fromBeginning = fromBeginning;
        this.err = Objects.requireNonNull(err, "err");
        this.consumer = new KafkaConsumer<>(consumerProperties(settings));
    }

    /**
     * The consumer configuration: read_committed, no group, no auto-commit, no topic creation, byte
     * arrays.
     *
     * @param settings where Kafka is
     * @return the properties
     */
    static Properties consumerProperties(KafkaSettings settings) {
        Properties properties = settings.toProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "diva-watch");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return properties;
    }

    /**
     * Assigns the topics' partitions once the metrics topic exists, and seeks to the beginning or
     * the end. Waits (retrying while the broker is unreachable or the topic missing) until the
     * deadline.
     *
     * @param timeout how long to wait; {@code null} waits forever
     * @return true when assigned, false if the deadline passed first
     */
    public boolean assign(Duration timeout) {
        long deadline = deadline(timeout);
        while (true) {
            List<TopicPartition> metrics = partitionsOf(metricsTopic, metadataTimeout(deadline));
            if (!metrics.isEmpty()) {
                List<TopicPartition> all = new ArrayList<>(metrics);
                if (modelVersionsTopic.isPresent()) {
                    List<TopicPartition> versions = partitionsOf(modelVersionsTopic.get(), METADATA_TIMEOUT);
                    if (versions.isEmpty()) {
                        err.println("watch: topic " + modelVersionsTopic.get() + " not found; showing no losses");
                    }
                    all.addAll(versions);
                }
                partitions = List.copyOf(all);
                consumer.assign(partitions);
                if (fromBeginning) {
                    consumer.seekToBeginning(partitions);
                } else {
                    consumer.seekToEnd(partitions);
                }
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            sleep(Math.min(500, Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    /**
     * Reads until every partition reaches the end offset it had when this call started (for
     * read_committed, the last stable offset: open transactions are not waited for).
     *
     * @param timeout how long to try; {@code null} forever
     * @return true when the end was reached, false on the deadline
     * @throws IllegalStateException if the partitions are not assigned yet
     */
    public boolean readToEnd(Duration timeout) {
        requireAssigned();
        long deadline = deadline(timeout);
        Map<TopicPartition, Long> end = null;
        while (end == null) {
            try {
                end = consumer.endOffsets(partitions, metadataTimeout(deadline));
            } catch (TimeoutException e) {
                if (System.nanoTime() >= deadline) {
                    return false;
                }
            }
        }
        while (!reached(end)) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            poll(Duration.ofMillis(200));
        }
        return true;
    }

    /**
     * Polls once and adds what arrived.
     *
     * @param timeout the poll timeout
     * @return whether the history changed
     * @throws IllegalStateException if the partitions are not assigned yet
     */
    public boolean poll(Duration timeout) {
        requireAssigned();
        RecallHistory before = history;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            accept(record);
        }
        return !history.equals(before);
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        try {
            if (record.topic().equals(metricsTopic)) {
                history = history.with(metricsCodec.decode(record.value()));
            } else {
                history = history.with(versionCodec.decode(record.value()));
            }
        } catch (RecordDecodingException e) {
            skipped++;
            err.printf(
                    "watch: skipped undecodable record %s-%d@%d: %s%n",
                    record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition, METADATA_TIMEOUT) < end.get(partition)) {
                return false;
            }
        }
        return true;
    }

    public RecallHistory history() {
        return history;
    }

    public long skipped() {
        return skipped;
    }

    /** Interrupts a blocking call from another thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }

    private List<TopicPartition> partitionsOf(String topic, Duration timeout) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, timeout);
        } catch (TimeoutException e) {
            return List.of();
        } catch (KafkaException e) {
            if (e instanceof org.apache.kafka.common.errors.WakeupException) {
                throw e;
            }
            return List.of();
        }
        List<TopicPartition> result = new ArrayList<>();
        if (infos != null) {
            infos.forEach(i -> result.add(new TopicPartition(i.topic(), i.partition())));
        }
        result.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
        return result;
    }

    private void requireAssigned() {
        if (partitions.isEmpty()) {
            throw new IllegalStateException("no partitions assigned; call assign first");
        }
    }

    /** The metadata timeout: what is left until the deadline, between 0.1 and 5 seconds. */
    private static Duration metadataTimeout(long deadline) {
        long left = deadline - System.nanoTime();
        return Duration.ofNanos(Math.max(100_000_000L, Math.min(METADATA_TIMEOUT.toNanos(), left)));
    }

    private static long deadline(Duration timeout) {
        return timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        }
    }
}
