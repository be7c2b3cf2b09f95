package io.divastream.jobs.pipeline;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.connectors.producer.ImageEventProducer;
import io.divastream.connectors.producer.InterleavedOrder;
import io.divastream.connectors.producer.LabeledImage;
import io.divastream.connectors.producer.OmniglotDataset;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What the pipeline integration tests share: the cluster, the data and the job's start. */
final class PipelineFixture {

    private PipelineFixture() {}

    /**
     * A MiniCluster of one task manager with two slots.
     *
     * @return the extension
     */
    static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }

    /**
     * Real Omniglot images: the first classes of the training and of the evaluation alphabets.
     *
     * @param trainClasses training classes
     * @param evalClasses evaluation classes
     * @param perClass images of each
     * @return the images
     */
    static List<LabeledImage> omniglot(int trainClasses, int evalClasses, int perClass) {
        Map<String, List<LabeledImage>> byLabel = new LinkedHashMap<>();
        for (LabeledImage image : OmniglotDataset.loadEmbedded()) {
            byLabel.computeIfAbsent(image.label(), l -> new ArrayList<>()).add(image);
        }
        List<LabeledImage> out = new ArrayList<>();
        int train = 0;
        int eval = 0;
        for (Map.Entry<String, List<LabeledImage>> entry : byLabel.entrySet()) {
            if (isEval(entry.getKey()) ? eval++ < evalClasses : train++ < trainClasses) {
                out.addAll(entry.getValue().subList(0, perClass));
            }
        }
        return out;
    }

    /**
     * Tells whether the default routing holds a label out for evaluation.
     *
     * @param label the label
     * @return true for the evaluation alphabets
     */
    static boolean isEval(String label) {
        return label.matches(JobOptions.OMNIGLOT_EVAL_LABELS + ".*");
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
        StreamExecutionEnvironment env =
                DivaEnvironment.configure(
                        StreamExecutionEnvironment.getExecutionEnvironment(), config.runtime());
        DivaPipeline.defineKafkaWorkflow(env, config);
        return env.executeAsync(name);
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
        AvroCodec<T> codec = AvroCodec.of(type);
        List<Keyed<T>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic, atLeast, timeout)) {
            out.add(new Keyed<>(r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8), codec.decode(r.value())));
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
