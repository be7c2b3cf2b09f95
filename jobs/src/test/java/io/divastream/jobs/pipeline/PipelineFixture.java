package io.divastream.jobs.pipeline;

import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.jobs.train.DivaTrainFunction;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.schemas.ModelVersionRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What the pipeline integration tests share: the cluster, the data and the job's start. */
final class PipelineFixture {

    private PipelineFixture() {}

    /**
     * A MiniCluster of one task manager with two slots.
     *
     * @return the extension
     */
    static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .build());
    }

    /**
     * Creates the topics and publishes the images in class-interleaved order.
     *
     * @param kafka the broker
     * @param config the job configuration
     * @param images the images
     * @param seed the order's seed
     */
    static void publish(LocalKafkaExtension kafka, JobConfig config, List<LabeledImage> images, long seed) {
        TopicAdmin.ensureTopics(kafka.settings(), TopicAdmin.defaultTopics());
        try (ImageEventProducer producer =
                new ImageEventProducer(kafka.settings(), config.kafka().imagesTopic(), 0)) {
            producer.publish(InterleavedOrder.of(images, seed));
        }
    }

    /**
     * Starts the Kafka-to-Kafka job on the MiniCluster.
     *
     * @param config the job configuration
     * @param name the job's name
     * @return the running job
     * @throws Exception if it cannot be submitted
     */
    static JobClient start(JobConfig config, String name) throws Exception {
        return start(config, name, null);
    }

    /**
     * Cancels a job and waits until it has ended: every task finished, so nothing of it writes into a test's
     * directories any more (an artefact sink may be copying a backbone file when the cancel arrives).
     *
     * @param job the running job
     * @throws Exception if it does not end within a minute
     */
    static void cancelAndAwait(JobClient job) throws Exception {
        job.cancel().get();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!ended(job)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + job.getJobID() + " did not end within a minute of its cancel");
            }
            Thread.sleep(50);
        }
    }

    private static boolean ended(JobClient job) throws InterruptedException {
        try {
            return job.getJobStatus().get().isGloballyTerminalState();
        } catch (java.util.concurrent.ExecutionException e) {
            return true; // the cluster no longer knows the job
        }
    }

    /**
     * Starts the Kafka-to-Kafka job on the MiniCluster, from a savepoint or retained checkpoint.
     *
     * @param config the job configuration
     * @param name the job's name
     * @param savepoint the savepoint's path, or null to start afresh
     * @return the running job
     * @throws Exception if it cannot be submitted
     */
    static JobClient start(JobConfig config, String name, String savepoint) throws Exception {
        return start(config, name, savepoint, DivaTrainFunction.PublishHook.NONE);
    }

    /**
     * Starts the pipeline with a test hook on the versions the trainer publishes.
     *
     * @param config the job configuration
     * @param name the job's name
     * @param savepoint the savepoint's path, or null to start afresh
     * @param hook what the test changes in each published version
     * @return the running job
     * @throws Exception if it cannot be submitted
     */
    static JobClient start(JobConfig config, String name, String savepoint, DivaTrainFunction.PublishHook hook)
            throws Exception {
        Configuration conf = new Configuration();
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env =
                DivaEnvironment.configure(StreamExecutionEnvironment.getExecutionEnvironment(conf), config.runtime());
        DivaPipeline.defineKafkaWorkflow(env, config, hook);
        return env.executeAsync(name);
    }

    /**
     * The options that give a run its own broker address, consumer group, transactional ids and topics (several
     * runs share a broker).
     *
     * @param kafka the broker
     * @param run the run's name, prefix of its topics
     * @return the options
     */
    static List<String> runArgs(LocalKafkaExtension kafka, String run) {
        return List.of(
                "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--kafka.group-id", run,
                "--kafka.transactional-id-prefix", run,
                "--topic.images", run + ".images",
                "--topic.embeddings", run + ".embeddings",
                "--topic.metrics", run + ".metrics",
                "--topic.model-versions", run + ".model-versions",
                "--topic.promotions", run + ".promotions",
                "--topic.promotion-commands", run + ".promotion-commands",
                "--topic.dead-letters", run + ".dlq");
    }

    /**
     * The options of a short run of the small model (batches of 8 classes x 4 images, a version every 20 steps, a
     * checkpoint every second) on its own topics, for the tests of what surrounds the job.
     *
     * @param kafka the broker
     * @param run the run's name, prefix of its topics
     * @param checkpoints the checkpoint directory
     * @return the options, a mutable list to add to
     */
    static List<String> smallRunArgs(LocalKafkaExtension kafka, String run, Path checkpoints) {
        List<String> args = new ArrayList<>(runArgs(kafka, run));
        args.addAll(List.of(
                "--batch.classes", "8",
                "--batch.images-per-class", "4",
                "--batch.buffer-per-class", "8",
                "--train.steps-per-version", "20",
                "--train.queue-size", "128",
                "--metrics.min-eval-images", "2",
                "--checkpoint.interval-ms", "1000",
                "--checkpoint.dir", checkpoints.toUri().toString()));
        return args;
    }

    /**
     * The options of a run whose training is a pure function of its input: one partition, parallelism
     * 1, no batch replay, the tiny model, its own topics, consumer group and transactional ids (so
     * several runs share a broker), a checkpoint every second.
     *
     * @param kafka the broker
     * @param run the run's name, prefix of its topics
     * @param checkpoints the checkpoint directory
     * @param stepsPerVersion the version cadence
     * @return the configuration
     */
    static JobConfig deterministicRun(LocalKafkaExtension kafka, String run, Path checkpoints, int stepsPerVersion) {
        List<String> args = new ArrayList<>(runArgs(kafka, run));
        args.addAll(List.of(
                "--model.channels", "8,8",
                "--model.embedding-dim", "16",
                "--model.seed", "5",
                "--batch.classes", "8",
                "--batch.images-per-class", "4",
                "--batch.buffer-per-class", "8",
                "--batch.new-images", "2",
                "--batch.replay-interval-ms", "0",
                "--parallelism", "1",
                "--train.steps-per-version", Integer.toString(stepsPerVersion),
                "--train.queue-size", "128",
                "--metrics.min-eval-images", "2",
                "--checkpoint.interval-ms", "1000",
                "--checkpoint.dir", checkpoints.toUri().toString()));
        return JobOptions.parse(args.toArray(String[]::new));
    }

    /**
     * Creates a run's seven topics with one partition each (the embeddings topic compacted).
     *
     * @param kafka the broker
     * @param config the run's configuration
     */
    static void createTopics(LocalKafkaExtension kafka, JobConfig config) {
        JobConfig.KafkaConfig k = config.kafka();
        TopicAdmin.ensureTopics(kafka.settings(), k.singleBrokerTopics(1));
    }

    /**
     * Publishes images in the given order, unthrottled.
     *
     * @param kafka the broker
     * @param config the job configuration (its images topic)
     * @param images the images, in publication order
     */
    static void publishInOrder(LocalKafkaExtension kafka, JobConfig config, List<LabeledImage> images) {
        // one request in flight and a generous timeout: on a saturated machine a timed-out, retried
        // batch of an idempotent producer can fall out of the broker's window of five and be refused
        KafkaSettings settings = kafka.settings()
                .withProperty("max.in.flight.requests.per.connection", "1")
                .withProperty("request.timeout.ms", "120000")
                .withProperty("delivery.timeout.ms", "300000");
        try (ImageEventProducer producer =
                new ImageEventProducer(settings, config.kafka().imagesTopic(), 0)) {
            producer.publish(images);
        }
    }

    /**
     * The number of batches the batch assembler emits for images published in this order with the
     * replay disabled: the documented rule (a batch once {@code newImagesPerBatch} new images
     * arrived and P classes have K buffered images each) applied to the training images.
     *
     * @param ordered the images in publication order
     * @param batching the batching configuration (replay disabled)
     * @return the number of batches, which is the number of training steps
     */
    static int batchesFor(List<LabeledImage> ordered, JobConfig.BatchingConfig batching) {
        Map<String, java.util.Set<String>> buffered = new java.util.HashMap<>();
        int eligible = 0;
        int pending = 0;
        int batches = 0;
        for (LabeledImage image : ordered) {
            if (OmniglotSample.isEval(image.label())) {
                continue;
            }
            java.util.Set<String> ids = buffered.computeIfAbsent(image.label(), l -> new java.util.HashSet<>());
            if (!ids.add(image.imageId())) {
                continue;
            }
            if (ids.size() > batching.bufferPerClass()) {
                throw new IllegalArgumentException("the simulation assumes no eviction");
            }
            pending++;
            if (ids.size() == batching.imagesPerClass()) {
                eligible++;
            }
            if (pending >= batching.newImagesPerBatch() && eligible >= batching.classesPerBatch()) {
                batches++;
                pending = 0;
            }
        }
        return batches;
    }

    /**
     * The committed model versions of a run.
     *
     * @param kafka the broker
     * @param config the run's configuration
     * @return the versions in log order
     */
    static List<ModelVersionRecord> versions(LocalKafkaExtension kafka, JobConfig config) {
        return read(
                        kafka,
                        config.kafka().serde(),
                        ModelVersionRecord.class,
                        config.kafka().modelVersionsTopic(),
                        0,
                        Duration.ofSeconds(2))
                .stream()
                .map(Keyed::value)
                .toList();
    }

    /**
     * Waits until the trainer has written a model version, committed or not (read_uncommitted): the
     * job is then past that version, in the middle of its work.
     *
     * @param kafka the broker
     * @param config the run's configuration
     * @param version the version to wait for
     * @param timeout how long to wait
     */
    static void awaitWrittenVersion(LocalKafkaExtension kafka, JobConfig config, long version, Duration timeout) {
        java.util.Properties properties = kafka.settings().toProperties();
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        RecordCodec<ModelVersionRecord> codec = config.kafka()
                .serde()
                .codec(ModelVersionRecord.class, config.kafka().modelVersionsTopic());
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions =
                    List.of(new TopicPartition(config.kafka().modelVersionsTopic(), 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    if (codec.decode(r.value()).getModelVersion() >= version) {
                        return;
                    }
                }
            }
        }
        throw new AssertionError("model version " + version + " was not written in time");
    }

    /**
     * Waits until a model version is committed.
     *
     * @param kafka the broker
     * @param config the run's configuration
     * @param version the version to wait for
     * @param timeout how long to wait
     * @throws InterruptedException if interrupted
     */
    static void awaitVersion(LocalKafkaExtension kafka, JobConfig config, long version, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<ModelVersionRecord> versions = versions(kafka, config);
            if (!versions.isEmpty() && versions.get(versions.size() - 1).getModelVersion() >= version) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("model version " + version + " was not committed in time");
    }

    /**
     * Reads and decodes a topic's committed records.
     *
     * @param kafka the broker
     * @param type the record class
     * @param topic the topic
     * @param atLeast how many records to wait for
     * @param timeout how long to wait for them
     * @param <T> the record type
     * @return the records with their keys, in log order
     */
    static <T extends SpecificRecord> List<Keyed<T>> read(
            LocalKafkaExtension kafka, Class<T> type, String topic, int atLeast, Duration timeout) {
        return read(kafka, SerdeFormat.SINGLE_OBJECT, type, topic, atLeast, timeout);
    }

    /**
     * Reads and decodes a topic's committed records in a wire format.
     *
     * @param kafka the broker
     * @param format the topic's wire format
     * @param type the record class
     * @param topic the topic
     * @param atLeast how many records to wait for
     * @param timeout how long to wait for them
     * @param <T> the record type
     * @return the records with their keys, in log order
     */
    static <T extends SpecificRecord> List<Keyed<T>> read(
            LocalKafkaExtension kafka, SerdeFormat format, Class<T> type, String topic, int atLeast, Duration timeout) {
        RecordCodec<T> codec = format.codec(type, topic);
        List<Keyed<T>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic, atLeast, timeout)) {
            out.add(new Keyed<>(
                    r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
                    codec.decode(r.value())));
        }
        return out;
    }

    /**
     * A decoded record and its key.
     *
     * @param key the UTF-8 key
     * @param value the record
     * @param <T> the record type
     */
    record Keyed<T>(String key, T value) {}
}
