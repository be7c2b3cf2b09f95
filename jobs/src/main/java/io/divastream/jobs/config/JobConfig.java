package io.divastream.jobs.config;

import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.events.EventLimits;
import io.divastream.connectors.kafka.ClientSecrets;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.connectors.kafka.TopicSpec;
import io.divastream.images.ImageSpec;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.jobs.metrics.MetricsProtocol;
import io.divastream.model.DeviceRequest;
import io.divastream.model.DeviceSelection;
import io.divastream.model.augment.AugmentationSpec;
import io.divastream.model.config.DivaConfig;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The complete, validated configuration of the DiVA stream job, parsed once from the command line
 * by {@link JobOptions}.
 *
 * @param kafka where Kafka is and the topics
 * @param routing which labels are held out for evaluation
 * @param batching the class-balanced batch assembly
 * @param training the model, its training and versioning
 * @param embedding how embeddings are combined
 * @param metrics the streaming evaluation protocol ({@code metrics.*})
 * @param runtime checkpointing and parallelism
 * @param export where published model versions are written as artefacts ({@code export.*})
 * @param input the bounds on input events and the rule for an image id's label ({@code limits.*},
 *     {@code route.label-ttl})
 */
public record JobConfig(
        KafkaConfig kafka,
        RoutingConfig routing,
        BatchingConfig batching,
        TrainingConfig training,
        EmbeddingConfig embedding,
        MetricsProtocol metrics,
        RuntimeConfig runtime,
        ExportConfig export,
        InputConfig input)
        implements Serializable {

    private static final long serialVersionUID = 4L;

    /** Checks that no part is missing. */
    public JobConfig {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(batching, "batching");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(embedding, "embedding");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(export, "export");
        Objects.requireNonNull(input, "input");
    }

    /**
     * What the job accepts of an input event.
     *
     * @param limits the bounds on an event's id, label and image, beyond which it is a dead letter
     * @param labelTtlMs how long the first label of an image id is remembered (an event of the id with
     *     another label is a {@code LABEL_CHANGED} dead letter meanwhile); 0 for ever
     */
    public record InputConfig(EventLimits limits, long labelTtlMs) implements Serializable {
        private static final long serialVersionUID = 1L;

        /** The defaults: {@link EventLimits#DEFAULT}, labels remembered for ever. */
        public static final InputConfig DEFAULT = new InputConfig(EventLimits.DEFAULT, 0);

        /** Validates the parts. */
        public InputConfig {
            Objects.requireNonNull(limits, "limits");
            if (labelTtlMs < 0) {
                throw new IllegalArgumentException("labelTtlMs must not be negative, got " + labelTtlMs);
            }
        }
    }

    /**
     * Kafka connection and topics.
     *
     * @param bootstrapServers the brokers
     * @param clientProperties the Kafka client properties of every client ({@code kafka.properties.*})
     * @param groupId the source's consumer group
     * @param imagesTopic input image events
     * @param embeddingsTopic output embeddings (compacted, keyed by image id)
     * @param metricsTopic output metrics records
     * @param modelVersionsTopic output model-version records
     * @param promotionsTopic output decisions of the promotion gate and of operators' commands
     * @param promotionCommandsTopic input commands of operators (pin, unpin, rollback)
     * @param deadLettersTopic rejected input records
     * @param exactlyOnce whether the output sinks are transactional (exactly-once)
     * @param transactionalIdPrefix prefix of the sinks' transactional ids
     * @param serde the wire format of every topic ({@code serde.*})
     */
    public record KafkaConfig(
            String bootstrapServers,
            Map<String, String> clientProperties,
            String groupId,
            String imagesTopic,
            String embeddingsTopic,
            String metricsTopic,
            String modelVersionsTopic,
            String promotionsTopic,
            String promotionCommandsTopic,
            String deadLettersTopic,
            boolean exactlyOnce,
            String transactionalIdPrefix,
            SerdeFormat serde)
            implements Serializable {

        private static final long serialVersionUID = 2L;

        /** Copies the client properties. */
        public KafkaConfig {
            clientProperties = Map.copyOf(clientProperties);
            Objects.requireNonNull(serde, "serde");
        }

        /**
         * Returns the connection settings: the brokers and the client properties.
         *
         * @return the settings
         */
        public KafkaSettings settings() {
            return new KafkaSettings(bootstrapServers, clientProperties);
        }

        /** Shows the configuration with the client properties' secrets masked. */
        @Override
        public String toString() {
            return "KafkaConfig[bootstrapServers=" + bootstrapServers + ", clientProperties="
                    + ClientSecrets.masked(clientProperties) + ", groupId=" + groupId + ", topics="
                    + List.of(
                            imagesTopic,
                            embeddingsTopic,
                            metricsTopic,
                            modelVersionsTopic,
                            promotionsTopic,
                            promotionCommandsTopic,
                            deadLettersTopic)
                    + ", exactlyOnce=" + exactlyOnce
                    + ", transactionalIdPrefix=" + transactionalIdPrefix + ", serde=" + serde + "]";
        }

        /**
         * The job's seven topics on a single broker (replication 1), the embeddings topic compacted,
         * as the embedded runner, the tests and the benchmarks create them.
         *
         * @param imagePartitions partitions of the images topic (the others have one)
         * @return the topic specifications
         */
        public List<TopicSpec> singleBrokerTopics(int imagePartitions) {
            return List.of(
                    TopicSpec.of(imagesTopic, imagePartitions, 1),
                    TopicSpec.of(embeddingsTopic, 1, 1).compacted(),
                    TopicSpec.of(metricsTopic, 1, 1),
                    TopicSpec.of(modelVersionsTopic, 1, 1),
                    TopicSpec.of(promotionsTopic, 1, 1),
                    TopicSpec.of(promotionCommandsTopic, 1, 1),
                    TopicSpec.of(deadLettersTopic, 1, 1));
        }
    }

    /**
     * Routing of classes to training or evaluation.
     *
     * @param evalLabelRegex labels matching this regular expression (found anywhere in the label)
     *     are held out for evaluation; all others are trained on
     */
    public record RoutingConfig(String evalLabelRegex) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Class-balanced batch assembly.
     *
     * @param classesPerBatch P
     * @param imagesPerClass K
     * @param bufferPerClass the bounded per-class buffer of recent images
     * @param newImagesPerBatch emit a batch as soon as this many new images have arrived
     * @param replayIntervalMs otherwise emit a batch from the buffers every this many milliseconds;
     *     0 disables the replay (batches are then a pure function of the input)
     * @param maxClasses a subtask buffers at most this many classes; a new class beyond it evicts
     *     the least recently updated one (its buffer is cleared and no longer drawn from)
     * @param replayMemory images of a subtask's class-balanced replay memory of every class it has seen (0: none)
     * @param replayShare the share of a batch's classes drawn from the replay memory, among classes no longer
     *     buffered
     */
    public record BatchingConfig(
            int classesPerBatch,
            int imagesPerClass,
            int bufferPerClass,
            int newImagesPerBatch,
            long replayIntervalMs,
            int maxClasses,
            int replayMemory,
            double replayShare)
            implements Serializable {

        private static final long serialVersionUID = 2L;

        /** Checks the class bound and the replay memory. */
        public BatchingConfig {
            if (maxClasses < 1) {
                throw new IllegalArgumentException("class bound must be positive, got " + maxClasses);
            }
            if (replayMemory < 0) {
                throw new IllegalArgumentException("replay memory must not be negative, got " + replayMemory);
            }
            if (!(replayShare >= 0 && replayShare <= 1)) {
                throw new IllegalArgumentException("replay share must be between 0 and 1, got " + replayShare);
            }
        }

        /**
         * The classes of a batch taken from the replay memory when it holds enough classes no longer buffered.
         *
         * @return round(share x P), 0 without a memory
         */
        public int replayedClasses() {
            return replayMemory == 0 ? 0 : (int) Math.round(replayShare * classesPerBatch);
        }

        /**
         * Returns the batch size.
         *
         * @return P x K
         */
        public int batchSize() {
            return classesPerBatch * imagesPerClass;
        }
    }

    /**
     * The model and its training.
     *
     * @param model the DiVA configuration
     * @param augmentation the random augmentation of training views
     * @param stepsPerVersion publish a model version every this many steps
     * @param maxConsecutiveFailures fail the job after this many diverged steps in a row
     * @param device the trainer's device ({@code train.device})
     * @param engineFlavour the PyTorch native library flavour the trainer expects, or {@code auto}
     * @param queueInitBatches the first this many batches only fill the DaNCE queue, before the first
     *     training step ({@code train.queue-init-batches}; 0: none, the queue fills during training)
     * @param decoding how the decoders make the samples' payload: glyph pixels, or a frozen backbone's stored
     *     features
     */
    public record TrainingConfig(
            DivaConfig model,
            AugmentationSpec augmentation,
            int stepsPerVersion,
            int maxConsecutiveFailures,
            DeviceRequest device,
            String engineFlavour,
            int queueInitBatches,
            SampleDecoding decoding)
            implements Serializable {
        private static final long serialVersionUID = 4L;

        /** Checks that the device settings and the payload are there and the count of queue batches is not negative. */
        public TrainingConfig {
            Objects.requireNonNull(decoding, "decoding");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(engineFlavour, "engineFlavour");
            if (queueInitBatches < 0) {
                throw new IllegalArgumentException("queueInitBatches must not be negative, got " + queueInitBatches);
            }
        }

        /**
         * A training configuration on the automatically chosen device, with any native flavour and
         * no queue initialisation before training (the queue fills from the first training batches).
         *
         * @param model the DiVA configuration
         * @param augmentation the random augmentation of training views
         * @param stepsPerVersion publish a model version every this many steps
         * @param maxConsecutiveFailures fail the job after this many diverged steps in a row
         */
        public TrainingConfig(
                DivaConfig model, AugmentationSpec augmentation, int stepsPerVersion, int maxConsecutiveFailures) {
            this(
                    model,
                    augmentation,
                    stepsPerVersion,
                    maxConsecutiveFailures,
                    DeviceRequest.AUTO,
                    DeviceSelection.ANY_FLAVOUR,
                    0,
                    new SampleDecoding.Glyphs(new ImageSpec(model.network().inputSize(), true)));
        }

        /**
         * What the samples carry.
         *
         * @return the payload kind of the decoding
         */
        public SamplePayload payload() {
            return decoding.payload();
        }

        /**
         * Returns a copy whose first {@code batches} batches only fill the DaNCE queue.
         *
         * @param batches the count of queue-initialisation batches (0: none)
         * @return the copy
         */
        public TrainingConfig withQueueInitBatches(int batches) {
            return new TrainingConfig(
                    model,
                    augmentation,
                    stepsPerVersion,
                    maxConsecutiveFailures,
                    device,
                    engineFlavour,
                    batches,
                    decoding);
        }

        /**
         * Returns a copy whose samples are decoded another way.
         *
         * @param newDecoding how the decoders make the samples' payload
         * @return the copy
         */
        public TrainingConfig withDecoding(SampleDecoding newDecoding) {
            return new TrainingConfig(
                    model,
                    augmentation,
                    stepsPerVersion,
                    maxConsecutiveFailures,
                    device,
                    engineFlavour,
                    queueInitBatches,
                    newDecoding);
        }
    }

    /**
     * Test-time embedding.
     *
     * @param headWeights per head (network order), its weight in the combined embedding
     * @param catalogue the embedders' bounded image catalogue and its re-embedding
     */
    public record EmbeddingConfig(double[] headWeights, CatalogueConfig catalogue) implements Serializable {
        private static final long serialVersionUID = 2L;

        /** Checks that the catalogue settings are there. */
        public EmbeddingConfig {
            Objects.requireNonNull(catalogue, "catalogue");
        }
    }

    /**
     * The catalogue each embedder subtask keeps, and how it is re-embedded after a model update.
     *
     * @param reembedRate at most this many stored images re-embedded per second and subtask
     * @param reembedChunk images re-embedded together in one timer callback
     * @param ttlMs a training image not received again for this long is dropped from the catalogue
     *     (and no longer re-embedded); 0 keeps images forever; evaluation images never expire
     * @param maxImagesPerSubtask a subtask stores at most this many images; a new image beyond it
     *     goes to the dead-letter topic ({@code CATALOGUE_FULL}) instead of being embedded
     */
    public record CatalogueConfig(double reembedRate, int reembedChunk, long ttlMs, int maxImagesPerSubtask)
            implements Serializable {

        private static final long serialVersionUID = 1L;

        /** Checks the bounds. */
        public CatalogueConfig {
            if (!(reembedRate > 0) || Double.isInfinite(reembedRate)) {
                throw new IllegalArgumentException("re-embedding rate must be positive and finite, got " + reembedRate);
            }
            if (reembedChunk < 1) {
                throw new IllegalArgumentException("re-embedding chunk must be positive, got " + reembedChunk);
            }
            if (ttlMs < 0) {
                throw new IllegalArgumentException("catalogue TTL must not be negative, got " + ttlMs);
            }
            if (maxImagesPerSubtask < 1) {
                throw new IllegalArgumentException("catalogue bound must be positive, got " + maxImagesPerSubtask);
            }
        }

        /**
         * Returns the period of the re-embedding timer: one chunk per period makes the rate.
         *
         * @return milliseconds between chunks, at least 1
         */
        public long tickMs() {
            return Math.max(1, Math.round(1000.0 * reembedChunk / reembedRate));
        }
    }

    /**
     * The export of model versions: every published version is written as an artefact
     * ({@code io.divastream.artefacts.ArtefactStore}) to {@code dir/v<version>-<sha prefix>/}.
     *
     * @param dir an absolute path on storage that every task manager and the artefacts' readers share, or
     *     empty for no export
     * @param keep artefact directories kept; older ones are deleted (never the one just written)
     */
    public record ExportConfig(String dir, int keep) implements Serializable {

        private static final long serialVersionUID = 1L;

        /** No export. */
        public static final ExportConfig OFF = new ExportConfig("", 5);

        /** Checks the bound. */
        public ExportConfig {
            Objects.requireNonNull(dir, "dir");
            if (keep < 1) {
                throw new IllegalArgumentException("must keep at least one artefact, got " + keep);
            }
        }

        /**
         * Tells whether versions are exported.
         *
         * @return true if a directory is set
         */
        public boolean enabled() {
            return !dir.isEmpty();
        }
    }
}
