package io.divastream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.schemas.ImageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ImageEventProducerTest {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private static List<LabeledImage> ordered;

    private final AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);

    @BeforeAll
    static void loadImages() {
        ordered = InterleavedOrder.of(OmniglotDataset.loadEmbedded(), 11);
    }

    @Test
    void publishesDecodableEventsKeyedByImageIdInOrder() {
        String topic = "producer-test-images";
        List<long[]> progress = new ArrayList<>();
        Instant before = Instant.now().minusMillis(1);
        long sent;
        try (ImageEventProducer producer = new ImageEventProducer(KAFKA.settings(), topic, 0)) {
            sent = producer.publish(ordered, 60, (n, total) -> progress.add(new long[] {n, total}));
        }
        Instant after = Instant.now().plusMillis(1);

        assertThat(sent).isEqualTo(60);
        assertThat(progress).hasSize(60);
        assertThat(progress.get(0)).containsExactly(1, 60);
        assertThat(progress.get(59)).containsExactly(60, 60);

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readAll(topic, 60, Duration.ofSeconds(30));
        assertThat(records).hasSize(60);
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            LabeledImage expected = ordered.get(i);
            ImageEvent event = codec.decode(record.value());
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(expected.imageId());
            assertThat(event.getImageId()).isEqualTo(expected.imageId());
            assertThat(event.getLabel()).isEqualTo(expected.label());
            assertThat(event.getContentType()).isEqualTo("image/png");
            assertThat(event.getImage()).isEqualTo(ByteBuffer.wrap(expected.bytes()));
            assertThat(event.getSource()).isEqualTo(expected.source()).endsWith(".zip");
            assertThat(event.getEventTime()).isBetween(before, after);
        }
    }

    @Test
    void honoursTheLimitAndTheFixedClock() {
        MockProducer<byte[], byte[]> mock = mockProducer();
        Clock clock = Clock.fixed(Instant.parse("2026-03-04T05:06:07.089Z"), ZoneOffset.UTC);
        try (ImageEventProducer producer = new ImageEventProducer(mock, "t", 0, clock)) {
            assertThat(producer.publish(ordered, 7, ProgressListener.NONE)).isEqualTo(7);
            assertThat(producer.publish(ordered.subList(0, 3))).isEqualTo(3);
            assertThat(producer.publish(ordered, 0, ProgressListener.NONE)).isZero();
        }
        assertThat(mock.history()).hasSize(10);
        assertThat(mock.flushed()).isTrue();
        ImageEvent first = codec.decode(mock.history().get(0).value());
        assertThat(first.getEventTime()).isEqualTo(Instant.parse("2026-03-04T05:06:07.089Z"));
        assertThat(first.getImageId()).isEqualTo(ordered.get(0).imageId());
    }

    @Test
    void rateLimitsBySchedule() {
        MockProducer<byte[], byte[]> mock = mockProducer();
        long start = System.nanoTime();
        try (ImageEventProducer producer = new ImageEventProducer(mock, "t", 200, Clock.systemUTC())) {
            producer.publish(ordered, 100, ProgressListener.NONE);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        // 100 events at 200/s: the last is due 99/200 s = 0.495 s after the first.
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        assertThat(mock.history()).hasSize(100);
    }

    @Test
    void reportsAsynchronousSendFailures() {
        MockProducer<byte[], byte[]> failing =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    @Override
                    public synchronized Future<RecordMetadata> send(
                            ProducerRecord<byte[], byte[]> record, Callback callback) {
                        callback.onCompletion(null, new TopicAuthorizationException("not allowed"));
                        return CompletableFuture.failedFuture(new TopicAuthorizationException("not allowed"));
                    }
                };
        try (ImageEventProducer producer = new ImageEventProducer(failing, "t", 0, Clock.systemUTC())) {
            assertThatThrownBy(() -> producer.publish(ordered, 5, ProgressListener.NONE))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not allowed");
        }
    }

    /** A record the broker refuses as too large is skipped and counted; the others are sent. */
    @Test
    void aRecordKafkaRefusesIsSkippedAndTheRunGoesOn() {
        MockProducer<byte[], byte[]> refusingEveryThird =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    private int n;

                    @Override
                    public synchronized Future<RecordMetadata> send(
                            ProducerRecord<byte[], byte[]> record, Callback callback) {
                        if (n++ % 3 == 0) {
                            callback.onCompletion(null, new RecordTooLargeException("too large for the topic"));
                            return CompletableFuture.failedFuture(new RecordTooLargeException("too large"));
                        }
                        return super.send(record, callback);
                    }
                };
        try (ImageEventProducer producer = new ImageEventProducer(refusingEveryThird, "t", 0, Clock.systemUTC())) {
            assertThat(producer.publish(ordered, 9, ProgressListener.NONE)).isEqualTo(6);
            assertThat(producer.skipped().byReason()).containsExactly(java.util.Map.entry("refused by Kafka", 3L));
            assertThat(producer.skipped().examples().get(0))
                    .isEqualTo(ordered.get(0).imageId() + ": too large for the topic");
        }
        assertThat(refusingEveryThird.history()).hasSize(6);
    }

    /** Events beyond the limits are skipped before they are sent, named in the report. */
    @Test
    void eventsBeyondTheLimitsAreSkippedBeforeSending() {
        MockProducer<byte[], byte[]> mock = mockProducer();
        LabeledImage base = ordered.get(0);
        List<LabeledImage> images = List.of(
                new LabeledImage("ok-1", base.label(), base.contentType(), base.bytes(), base.source()),
                new LabeledImage("i".repeat(300), base.label(), base.contentType(), base.bytes(), base.source()),
                new LabeledImage("ok-2", "l".repeat(257), base.contentType(), base.bytes(), base.source()),
                new LabeledImage("big", base.label(), base.contentType(), new byte[70_000], base.source()),
                new LabeledImage("ok-3", base.label(), base.contentType(), base.bytes(), base.source()));
        try (ImageEventProducer producer = new ImageEventProducer(
                mock,
                "t",
                0,
                Clock.systemUTC(),
                io.divastream.connectors.events.EventLimits.DEFAULT,
                new io.divastream.connectors.kafka.RecordSizeLimit(64 * 1024))) {
            assertThat(producer.publish(images)).isEqualTo(2);
            assertThat(producer.skipped().total()).isEqualTo(3);
            List<String> report = producer.skipped().report();
            assertThat(report.subList(0, 3))
                    .containsExactly(
                            "skipped 3 images: 1 IMAGE_ID_TOO_LONG; 1 LABEL_TOO_LONG; 1 over max.request.size",
                            "  skipped " + "i".repeat(300)
                                    + ": the image id has 300 characters, the limit is 256 (it begins '"
                                    + "i".repeat(40) + "')",
                            "  skipped ok-2: the label of image ok-2 has 257 characters, the limit is 256");
            assertThat(report.get(3))
                    .startsWith("  skipped big: an event of ")
                    .endsWith(" bytes, max.request.size is 65536");
            assertThat(report).hasSize(4);
        }
        assertThat(mock.history())
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("ok-1", "ok-3");
    }

    @Test
    void rejectsBadArguments() {
        MockProducer<byte[], byte[]> mock = mockProducer();
        assertThatThrownBy(() -> new ImageEventProducer(mock, " ", 0, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageEventProducer(mock, "t", Double.NaN, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
        try (ImageEventProducer producer = new ImageEventProducer(mock, "t", 0, Clock.systemUTC())) {
            assertThatThrownBy(() -> producer.publish(ordered, -1, ProgressListener.NONE))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void producerConfigIsIdempotentWithAcksAll() {
        var config = ImageEventProducer.producerConfig(
                KAFKA.settings().withProperty("acks", "0").withProperty("linger.ms", "20"));
        assertThat(config.getProperty("acks")).isEqualTo("all");
        assertThat(config.getProperty("enable.idempotence")).isEqualTo("true");
        assertThat(config.getProperty("linger.ms")).isEqualTo("20");
        assertThat(config.getProperty("bootstrap.servers")).isEqualTo(KAFKA.bootstrapServers());
    }

    private static MockProducer<byte[], byte[]> mockProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
