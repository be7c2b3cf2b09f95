package io.divastream.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.connectors.kafka.TopicSpec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class WatchCommandTest {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private static final AvroCodec<MetricsRecord> METRICS = AvroCodec.of(MetricsRecord.class);
    private static final AvroCodec<ModelVersionRecord> VERSIONS = AvroCodec.of(ModelVersionRecord.class);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return WatchCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static void createTopics(String... topics) {
        TopicAdmin.ensureTopics(
                KAFKA.settings(),
                java.util.Arrays.stream(topics)
                        .map(t -> TopicSpec.of(t, 1, (short) 1))
                        .toList());
    }

    private static KafkaProducer<byte[], byte[]> producer(String transactionalId) {
        Properties p = KAFKA.settings().toProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(p);
    }

    private static byte[] key(long version) {
        return Long.toString(version).getBytes(StandardCharsets.UTF_8);
    }

    /** Rows of the terminal table: lines starting with a version number. */
    private List<String[]> rows() {
        return out().lines()
                .filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+ \\|.*"))
                .map(l -> l.strip().split("\\s+\\|?\\s*"))
                .toList();
    }

    @Test
    void readsCommittedVersionsToTheEndSkipsACorruptRecordAndWritesBothCharts(@TempDir Path dir) throws Exception {
        createTopics("m1.metrics", "m1.versions");
        long corruptOffset;
        try (KafkaProducer<byte[], byte[]> plain = producer(null);
                KafkaProducer<byte[], byte[]> tx = producer("watch-test-tx")) {
            plain.send(new ProducerRecord<>("m1.metrics", key(0), METRICS.encode(WatchRecords.version(0))))
                    .get();
            plain.send(new ProducerRecord<>("m1.metrics", key(1), METRICS.encode(WatchRecords.version(1))))
                    .get();
            RecordMetadata corrupt = plain.send(
                            new ProducerRecord<>("m1.metrics", key(2), "not avro".getBytes(StandardCharsets.UTF_8)))
                    .get();
            corruptOffset = corrupt.offset();
            tx.initTransactions();
            tx.beginTransaction();
            MetricsRecord aborted = WatchRecords.version(9);
            tx.send(new ProducerRecord<>("m1.metrics", key(9), METRICS.encode(aborted)))
                    .get();
            tx.abortTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("m1.metrics", key(2), METRICS.encode(WatchRecords.version(2))));
            tx.send(new ProducerRecord<>("m1.metrics", key(3), METRICS.encode(WatchRecords.version(3))));
            tx.commitTransaction();
            for (int v = 0; v < 4; v++) {
                plain.send(new ProducerRecord<>("m1.versions", key(v), VERSIONS.encode(WatchRecords.modelVersion(v))))
                        .get();
            }
        }
        Path png = dir.resolve("chart.png");
        Path html = dir.resolve("out/chart.html");

        int code = run(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--metrics-topic",
                "m1.metrics",
                "--model-versions-topic",
                "m1.versions",
                "--png",
                png.toString(),
                "--html",
                html.toString(),
                "--width",
                "640",
                "--height",
                "360",
                "--timeout",
                "60");

        assertThat(code).as(err()).isZero();
        List<String[]> rows = rows();
        assertThat(rows).extracting(r -> r[0]).containsExactly("0", "1", "2", "3");
        assertThat(rows.get(3))
                .containsExactly(
                        "3", "750", "4000", "1780", "0.7000", "0.7100", "0.7200", "0.7300", "0.7500", "0.3500",
                        "0.8000", "0.9000", "1.2500"); // seen@1, seenNMI of version 3
        assertThat(out())
                .contains("recall@1 (combined) against training images seen")
                .contains("(1 undecodable record(s) skipped)");
        assertThat(err())
                .contains("watch: skipped undecodable record m1.metrics-0@" + corruptOffset + ": ")
                .contains("not an Avro single-object message");
        assertThat(err().lines().filter(l -> l.contains("skipped undecodable"))).hasSize(1);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(360);
        assertThat(WatchRenderersTest.count(image, ChartSeries.RECALL_COLOR)).isGreaterThan(100);
        assertThat(WatchRenderersTest.count(image, ChartSeries.NMI_COLOR)).isGreaterThan(100);

        String page = Files.readString(html, StandardCharsets.UTF_8);
        List<String> polylines = WatchRenderersTest.polylines(page);
        assertThat(polylines).hasSize(4);
        assertThat(WatchRenderersTest.points(polylines.get(0))).hasSize(4);
        assertThat(WatchRenderersTest.points(polylines.get(1))).hasSize(4);
        // versions 1 and 3 carry seen-class scores
        assertThat(polylines.get(2)).contains("data-series=\"recall@1 (combined, seen classes)\"");
        assertThat(WatchRenderersTest.points(polylines.get(2))).hasSize(2);
        assertThat(WatchRenderersTest.points(polylines.get(3))).hasSize(2);
        assertThat(page)
                .contains("<tr><td>3</td><td>750</td><td>4000</td><td>1780</td><td>0.7000</td>")
                .doesNotContain("<tr><td>9</td>");
    }

    @Test
    void followRefreshesAsVersionsArriveAndStopsAtTheTimeout(@TempDir Path dir) throws Exception {
        createTopics("m2.metrics");
        try (KafkaProducer<byte[], byte[]> plain = producer(null)) {
            plain.send(new ProducerRecord<>("m2.metrics", key(0), METRICS.encode(WatchRecords.version(0))))
                    .get();
        }
        Path html = dir.resolve("follow.html");
        CompletableFuture<Integer> watch = CompletableFuture.supplyAsync(() -> run(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--metrics-topic",
                "m2.metrics",
                "--follow",
                "--no-clear",
                "--x-axis",
                "steps",
                "--html",
                html.toString(),
                "--timeout",
                "8"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(Files.exists(html) && Files.readString(html).contains("<tr><td>0</td>"))
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(Files.readString(html)).contains("<tr><td>0</td>").doesNotContain("<tr><td>1</td>");
        try (KafkaProducer<byte[], byte[]> plain = producer(null)) {
            plain.send(new ProducerRecord<>("m2.metrics", key(1), METRICS.encode(WatchRecords.version(1))))
                    .get();
        }

        assertThat(watch.get(30, TimeUnit.SECONDS)).as(err()).isZero();
        assertThat(out()).contains("1 model version\n").contains("2 model versions\n");
        assertThat(WatchRenderersTest.points(
                        WatchRenderersTest.polylines(Files.readString(html)).get(0)))
                .hasSize(2);
        assertThat(Files.readString(html))
                .contains("<tr><td>1</td><td>250</td>")
                .contains("training step");
    }

    @Test
    void fromTheEndShowsOnlyNewVersions() throws Exception {
        createTopics("m3.metrics");
        try (KafkaProducer<byte[], byte[]> plain = producer(null)) {
            plain.send(new ProducerRecord<>("m3.metrics", key(0), METRICS.encode(WatchRecords.version(0))))
                    .get();
        }

        int code = run(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--metrics-topic",
                "m3.metrics",
                "--from-beginning",
                "false",
                "--timeout",
                "30");

        assertThat(code).as(err()).isZero();
        assertThat(out()).contains("0 model versions");
        assertThat(rows()).isEmpty();

        int again = run(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--metrics-topic",
                "m3.metrics",
                "--from-beginning",
                "--timeout",
                "30");

        assertThat(again).as(err()).isZero();
        assertThat(rows()).extracting(r -> r[0]).containsExactly("0");
    }

    @Test
    void aMissingTopicFailsWithAOneLineMessage() {
        int code = run(
                "--bootstrap-servers", KAFKA.bootstrapServers(), "--metrics-topic", "no.such.topic", "--timeout", "2");

        assertThat(code).isEqualTo(WatchCommand.EXIT_FAILURE);
        assertThat(err()).contains("watch: topic no.such.topic not found at " + KAFKA.bootstrapServers());
    }

    @Test
    void badArgumentsExitWithTheUsageStatus() {
        assertThat(run("--x-axis", "epochs")).isEqualTo(2);
        assertThat(err()).contains("unknown x axis 'epochs'");
        assertThat(run("--width", "many")).isEqualTo(2);
        assertThat(run("--help")).isZero();
        assertThat(out())
                .contains("--model-versions-topic")
                .contains("--follow")
                .contains("--png");
    }
}
