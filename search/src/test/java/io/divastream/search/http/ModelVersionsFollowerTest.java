package io.divastream.search.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import io.divastream.artefacts.ArtefactStore;
import io.divastream.artefacts.ExportedModel;
import io.divastream.artefacts.ModelExport;
import io.divastream.artefacts.TestModels;
import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.model.ModelSnapshot;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.search.index.VersionedIndex;
import io.divastream.search.testing.CapturedLog;
import io.divastream.search.testing.TestCatalogue;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service follows committed model versions by itself: a version's record read with read_committed plus its
 * artefact (same version and SHA-256) make the upload model; an aborted record, and an artefact of the version
 * with other parameters, do not; when the index switches to the new version, uploads are embedded with it.
 */
class ModelVersionsFollowerTest {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private static final AvroCodec<ModelVersionRecord> CODEC = AvroCodec.of(ModelVersionRecord.class);
    private static final int IMAGES = 8;

    @TempDir
    java.nio.file.Path models;

    /** The record the job publishes for a snapshot of the test network, with its manifest's SHA-256. */
    private static byte[] record(ModelSnapshot s) {
        ModelVersionRecord r = ModelVersionRecord.newBuilder()
                .setModelVersion(s.version())
                .setTrainingStep(s.step())
                .setImagesSeen(0)
                .setTrainClasses(0)
                .setHeads(List.of("discriminative", "selfsim", "shared", "intra"))
                .setEmbeddingDim(8)
                .setParameterCount(s.parameterCount())
                .setParameterBytes(s.parameters().length)
                .setParameterSha256(s.sha256())
                .setLosses(Map.of())
                .setCreatedAt(Instant.ofEpochMilli(1))
                .setManifestSha256(ModelSnapshot.sha256(
                        ModelExport.manifestBytes(TestModels.SPEC, TestModels.IMAGE_SPEC, TestModels.WEIGHTS, s)))
                .build();
        return CODEC.encode(r);
    }

    /** The record a job before manifestSha256 published: the earlier schema kept in the schemas' history. */
    private static byte[] legacyRecord(ModelSnapshot s) throws IOException {
        Schema earlier;
        try (InputStream in = ModelVersionsFollowerTest.class
                .getClassLoader()
                .getResourceAsStream("io/divastream/schemas/history/ModelVersionRecord.1.avsc")) {
            earlier = new Schema.Parser().parse(in);
        }
        assertThat(earlier.getField("manifestSha256")).isNull();
        GenericRecord r = new GenericData.Record(earlier);
        r.put("modelVersion", s.version());
        r.put("trainingStep", s.step());
        r.put("imagesSeen", 0L);
        r.put("trainClasses", 0);
        r.put("heads", List.of("discriminative", "selfsim", "shared", "intra"));
        r.put("embeddingDim", 8);
        r.put("parameterCount", s.parameterCount());
        r.put("parameterBytes", (long) s.parameters().length);
        r.put("parameterSha256", s.sha256());
        r.put("losses", Map.of());
        r.put("createdAt", 1L);
        r.put("checkpointId", null);
        return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), earlier)
                .encode(r)
                .array();
    }

    private static void send(String topic, ModelSnapshot s, boolean commit) {
        send(topic, s.version(), record(s), commit);
    }

    private static void send(String topic, long version, byte[] value, boolean commit) {
        Properties p = KAFKA.settings().toProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "versions-test");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, Long.toString(version).getBytes(), value));
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.flush();
                producer.abortTransaction();
            }
        }
    }

    private static String createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(KAFKA.settings().toProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        return topic;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void theUploadModelFollowsCommittedVersionsAndTheirArtefacts() throws Exception {
        String topic = createTopic("versions-follow");
        ModelSnapshot v5 = TestCatalogue.snapshot(5, 2);
        ModelSnapshot v6 = TestCatalogue.snapshot(6, 3);
        assertThat(v6.sha256()).isNotEqualTo(v5.sha256());
        ArtefactStore store = new ArtefactStore(models);
        store.write(TestModels.SPEC, TestModels.IMAGE_SPEC, TestModels.WEIGHTS, v5);

        SplittableRandom random = new SplittableRandom(4);
        byte[][] pngs = new byte[IMAGES][];
        for (int i = 0; i < IMAGES; i++) {
            pngs[i] = TestModels.png(TestModels.glyph(i % 4, random), 28);
        }
        VersionedIndex index = VersionedIndex.exact();
        index(index, store.dirFor(5, v5.sha256()), 5, pngs);

        ModelDirectory directory = ModelDirectory.committed(models, Duration.ofSeconds(1));
        try (directory;
                ModelVersionsFollower follower = new ModelVersionsFollower(KAFKA.settings(), topic, directory);
                SearchServer server = new SearchServer(
                                index, directory, new SearchServer.Limits(40_000, 5, 50), Map::of)
                        .start("127.0.0.1", 0)) {
            // the artefact is there, but no record yet: no upload model
            assertThat(directory.forVersion(5)).isEmpty();
            assertThat(SearchServerTest.upload(server, "q.png", "image/png", pngs[1])
                            .statusCode())
                    .isEqualTo(503);

            send(topic, v5, true);
            await(() -> directory.loadedVersions().contains(5L));
            assertThat(directory.newestCommitted()).isEqualTo(5);
            JsonObject first = SearchServerTest.json(SearchServerTest.upload(server, "q.png", "image/png", pngs[1]));
            assertThat(first.get("modelVersion").getAsLong()).isEqualTo(5);
            assertSelfFirst(first, 1);

            // an aborted record of version 6 is never seen; a committed one is, but its artefact is not there yet
            send(topic, v6, false);
            // an artefact of version 6 with other parameters (a failed attempt's) is refused
            ModelSnapshot forged = new ModelSnapshot(6, 3, v5.parameters(), v5.parameterCount());
            ModelExport.write(
                    models.resolve("v6-other"), TestModels.SPEC, TestModels.IMAGE_SPEC, TestModels.WEIGHTS, forged);
            send(topic, v6, true);
            await(() -> directory.newestCommitted() == 6);
            assertThat(follower.records()).isEqualTo(2);
            Thread.sleep(1500);
            assertThat(directory.preloadNewest()).isFalse();
            assertThat(directory.loadedVersions()).containsExactly(5L);

            // the real artefact appears: the follower loads it; the index still serves 5, and so do uploads
            store.write(TestModels.SPEC, TestModels.IMAGE_SPEC, TestModels.WEIGHTS, v6);
            await(() -> directory.loadedVersions().contains(6L));
            assertThat(directory.loadedVersions()).containsExactly(5L, 6L);
            assertThat(SearchServerTest.json(SearchServerTest.upload(server, "q.png", "image/png", pngs[2]))
                            .get("modelVersion")
                            .getAsLong())
                    .isEqualTo(5);

            // the catalogue is re-embedded with version 6: the index switches, and uploads use version 6
            index(index, store.dirFor(6, v6.sha256()), 6, pngs);
            assertThat(index.status().servedVersion()).isEqualTo(6);
            JsonObject second = SearchServerTest.json(SearchServerTest.upload(server, "q.png", "image/png", pngs[2]));
            assertThat(second.get("modelVersion").getAsLong()).isEqualTo(6);
            assertSelfFirst(second, 2);
            // which the version 5 model could not have done: its embedding of the image is another vector
            try (ExportedModel m5 = ExportedModel.load(store.dirFor(5, v5.sha256()));
                    ExportedModel m6 = ExportedModel.load(store.dirFor(6, v6.sha256()))) {
                float[] a = m5.embed(pngs[2]).combined();
                float[] b = m6.embed(pngs[2]).combined();
                double dot = 0;
                for (int i = 0; i < a.length; i++) {
                    dot += a[i] * b[i];
                }
                assertThat(dot).isLessThan(1 - 1e-4); // 100 times the tolerance of assertSelfFirst
            }
            assertThat(directory.forVersion(6).orElseThrow().manifest().parameterSha256())
                    .isEqualTo(v6.sha256());
            assertThat(directory.forVersion(4)).isEmpty();
            assertThat(follower.failure()).isNull();
        }
        assertThatThrownBy(() -> new ModelVersionsFollower(KAFKA.settings(), topic, new ModelDirectory(models)))
                .hasMessageContaining("committed versions only");
    }

    @Test
    void aRecordOfTheEarlierSchemaIsFollowedWithItsParametersChecked() throws Exception {
        String topic = createTopic("versions-legacy");
        ModelSnapshot v5 = TestCatalogue.snapshot(5, 2);
        new ArtefactStore(models).write(TestModels.SPEC, TestModels.IMAGE_SPEC, TestModels.WEIGHTS, v5);
        try (CapturedLog log = CapturedLog.of(ModelDirectory.class);
                ModelDirectory directory = ModelDirectory.committed(models, Duration.ofSeconds(1));
                ModelVersionsFollower follower = new ModelVersionsFollower(KAFKA.settings(), topic, directory)) {
            send(topic, 5, legacyRecord(v5), true);
            await(() -> directory.loadedVersions().contains(5L));
            assertThat(follower.undecodable()).isZero();
            assertThat(log.messages(Level.WARN)).singleElement().asString().contains("no manifestSha256");
        }
    }

    /** Puts every image embedded with an artefact's model into the index and refreshes it. */
    private static void index(VersionedIndex index, java.nio.file.Path artefact, long version, byte[][] pngs)
            throws IOException {
        try (ExportedModel model = ExportedModel.load(artefact)) {
            for (int i = 0; i < pngs.length; i++) {
                index.put(new VersionedIndex.Entry(
                        "img-" + i, "c" + (i % 4), version, model.embed(pngs[i]).combined()));
            }
        }
        index.refresh();
    }

    /** The upload of image {@code i} was embedded with the served version's model: it finds itself at score 1. */
    private static void assertSelfFirst(JsonObject answer, int i) {
        JsonObject top = answer.getAsJsonArray("neighbours").get(0).getAsJsonObject();
        assertThat(top.get("imageId").getAsString()).isEqualTo("img-" + i);
        assertThat(top.get("score").getAsDouble()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
}
