package io.divastream.search.http;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.search.index.CommittedTopicFollower;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code diva.model-versions} into a {@link ModelDirectory} in committed mode: one consumer with
 * {@code isolation.level=read_committed} (a version the job published but never committed, because it failed
 * before the checkpoint, is never seen), every partition from the beginning, until {@link #close()}. Each
 * record's version, parameter and manifest SHA-256 and creation time are {@link ModelDirectory#commit
 * committed}; after every poll the directory is asked to load the newest committed version's artefact
 * ({@link ModelDirectory#preloadNewest}), so it retries until the artefact appears. A record that does not
 * decode is logged and counted. Runs on its
 * own daemon thread.
 */
public final class ModelVersionsFollower extends CommittedTopicFollower {

    private static final Logger LOG = LoggerFactory.getLogger(ModelVersionsFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final ModelDirectory directory;
    private final RecordCodec<ModelVersionRecord> codec;

    /**
     * Starts following.
     *
     * @param settings the Kafka client settings
     * @param topic the model-versions topic
     * @param directory the directory to tell about committed versions; must be in committed mode
     */
    public ModelVersionsFollower(KafkaSettings settings, String topic, ModelDirectory directory) {
        this(settings, topic, directory, SerdeFormat.SINGLE_OBJECT);
    }

    /**
     * Starts following.
     *
     * @param settings the Kafka client settings
     * @param topic the model-versions topic
     * @param directory the directory to tell about committed versions; must be in committed mode
     * @param format the topic's wire format
     */
    public ModelVersionsFollower(KafkaSettings settings, String topic, ModelDirectory directory, SerdeFormat format) {
        super(settings, topic, POLL, "model-versions-follower", LOG);
        this.codec = format.codec(ModelVersionRecord.class, topic);
        if (!directory.committedOnly()) {
            throw new IllegalArgumentException("the model directory must accept committed versions only");
        }
        this.directory = directory;
        start();
    }

    @Override
    protected void apply(ConsumerRecord<byte[], byte[]> r) {
        ModelVersionRecord v = codec.decode(r.value());
        String sha = v.getParameterSha256();
        ArtefactStore.name(v.getModelVersion(), sha); // a version and SHA-256 an artefact can be named by
        String manifestSha = v.getManifestSha256();
        if (manifestSha != null) {
            ArtefactStore.name(v.getModelVersion(), manifestSha); // a SHA-256 too
        }
        LOG.info(
                "model version {} committed (step {}, parameters sha256 {}, manifest sha256 {})",
                v.getModelVersion(),
                v.getTrainingStep(),
                sha,
                manifestSha);
        directory.commit(v.getModelVersion(), new ModelDirectory.Commit(sha, manifestSha, v.getCreatedAt()));
    }

    @Override
    protected void polled(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> batch) {
        directory.preloadNewest();
    }
}
