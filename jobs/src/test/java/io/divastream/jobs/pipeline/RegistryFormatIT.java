package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.connectors.testing.LocalRegistryExtension;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.testing.OmniglotSample;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.search.index.EmbeddingsFollower;
import io.divastream.search.index.GraphSearch;
import io.divastream.search.index.SearchMode;
import io.divastream.search.index.VersionedIndex;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job end to end in the Schema Registry wire format, against a real Apicurio Registry: images in, every output
 * topic readable by a plain Kafka consumer with the registry's Avro deserializer and no class of this project, an
 * event of an older registered {@code ImageEvent} (without {@code source}) read and embedded, a record of an
 * incompatible schema dead-lettered with the reason, the search service's follower serving the embeddings, and
 * {@code watch} reading the metrics.
 */
class RegistryFormatIT {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @RegisterExtension
    static final LocalRegistryExtension REGISTRY = new LocalRegistryExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = PipelineFixture.miniCluster();

    @TempDir
    Path checkpoints;

    @Test
    void theJobReadsAndWritesTheRegistryFormat() throws Exception {
        List<String> args = PipelineFixture.smallRunArgs(KAFKA, "reg", checkpoints);
        args.addAll(List.of(
                "--serde.format",
                "registry",
                "--serde.registry-url",
                REGISTRY.registry().apiUrl()));
        JobConfig config = JobOptions.parse(args.toArray(String[]::new));
        JobConfig.KafkaConfig k = config.kafka();
        assertThat(k.serde().kind()).isEqualTo(SerdeFormat.Kind.REGISTRY);
        PipelineFixture.createTopics(KAFKA, config);
        List<LabeledImage> images = OmniglotSample.of(16, 6, 8);
        LabeledImage evalImage = images.stream()
                .filter(i -> OmniglotSample.isEval(i.label()))
                .findFirst()
                .orElseThrow();
        try (ImageEventProducer producer =
                new ImageEventProducer(KAFKA.settings(), k.imagesTopic(), 0).inFormat(k.serde())) {
            producer.publish(InterleavedOrder.of(images, 3));
        }
        sendPlain(k.imagesTopic(), "older-1", olderEvent(evalImage), k.imagesTopic());
        sendPlain(k.imagesTopic(), "alien-1", alienEvent(), "alien-subject");

        VersionedIndex index = new VersionedIndex(SearchMode.EXACT, 0.95, 0.05, GraphSearch.Params.DEFAULT);
        JobClient job = PipelineFixture.start(config, "registry-format-it");
        try (EmbeddingsFollower search =
                new EmbeddingsFollower(KAFKA.settings(), k.embeddingsTopic(), index, k.serde())) {
            PipelineFixture.awaitVersion(KAFKA, config, 2, Duration.ofMinutes(3));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (plainRead(k.embeddingsTopic(), 1).stream().noneMatch(r -> "older-1".equals(field(r, "imageId")))
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            while (index.status().servedImages() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(index.status().servedImages())
                    .as("the search follower reads the registry format")
                    .isPositive();
        } finally {
            PipelineFixture.cancelAndAwait(job);
        }

        for (String topic : List.of(
                k.embeddingsTopic(),
                k.metricsTopic(),
                k.modelVersionsTopic(),
                k.promotionsTopic(),
                k.deadLettersTopic())) {
            List<GenericRecord> records = plainRead(topic, 1);
            assertThat(records)
                    .as("records of %s, read without project classes", topic)
                    .isNotEmpty();
        }
        assertThat(plainRead(k.embeddingsTopic(), 1))
                .as("the older event was read and embedded")
                .anyMatch(r -> "older-1".equals(field(r, "imageId")));
        GenericRecord dead = plainRead(k.deadLettersTopic(), 1).stream()
                .filter(r -> field(r, "message").contains("cannot be read as ImageEvent"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no dead letter for the incompatible record"));
        assertThat(field(dead, "reason")).isEqualTo("UNDECODABLE_RECORD");
        assertThat(plainRead(k.modelVersionsTopic(), 1).get(0).getSchema().getFullName())
                .isEqualTo("io.divastream.schemas.ModelVersionRecord");

        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int watched = io.divastream.watch.WatchCommand.run(
                new String[] {
                    "--bootstrap-servers",
                    KAFKA.bootstrapServers(),
                    "--metrics-topic",
                    k.metricsTopic(),
                    "--model-versions-topic",
                    k.modelVersionsTopic(),
                    "--timeout",
                    "60",
                    "--no-clear",
                    "--serde.format",
                    "registry",
                    "--serde.registry-url",
                    REGISTRY.registry().apiUrl()
                },
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(watched).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("model version");
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("undecodable");
    }

    private static String field(GenericRecord r, String name) {
        return String.valueOf(r.get(name));
    }

    /** {@code ImageEvent} as it was before {@code source}: registered under the images topic's subject. */
    private static GenericRecord olderEvent(LabeledImage image) {
        Schema older = LocalRegistryExtension.olderImageEventSchema();
        GenericRecord r = new GenericData.Record(older);
        r.put("imageId", "older-1");
        r.put("label", image.label());
        r.put("contentType", image.contentType());
        r.put("image", ByteBuffer.wrap(image.bytes()));
        r.put("eventTime", System.currentTimeMillis());
        return r;
    }

    /** A record no {@code ImageEvent} reader can read: registered elsewhere, sent to the images topic anyway. */
    private static GenericRecord alienEvent() {
        Schema alien = SchemaBuilder.record("ImageEvent")
                .namespace("io.divastream.schemas")
                .fields()
                .requiredString("imageId")
                .requiredLong("label")
                .endRecord();
        GenericRecord r = new GenericData.Record(alien);
        r.put("imageId", "alien-1");
        r.put("label", 3L);
        return r;
    }

    /** Sends a generic record, registered under {@code <subjectTopic>-value}, to a topic. */
    private static void sendPlain(String topic, String key, GenericRecord value, String subjectTopic) throws Exception {
        byte[] bytes;
        try (AvroKafkaSerializer<GenericRecord> serializer = new AvroKafkaSerializer<>()) {
            serializer.configure(REGISTRY.plainSerdeSettings(), false);
            bytes = serializer.serialize(subjectTopic, value);
        }
        Properties p = KAFKA.settings().toProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), bytes))
                    .get();
        }
    }

    /** A topic's records through the registry's Avro deserializer into generic records: no project class. */
    private static List<GenericRecord> plainRead(String topic, int atLeast) {
        List<GenericRecord> out = new ArrayList<>();
        try (AvroKafkaDeserializer<GenericRecord> deserializer = new AvroKafkaDeserializer<>()) {
            deserializer.configure(REGISTRY.plainSerdeSettings(), false);
            for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(topic, atLeast, Duration.ofSeconds(20))) {
                assertThat(r.value()[0]).as("magic byte of %s", topic).isZero();
                out.add(deserializer.deserialize(topic, r.value()));
            }
        }
        return out;
    }
}
