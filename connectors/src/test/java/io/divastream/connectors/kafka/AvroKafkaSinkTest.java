package io.divastream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.testing.SampleRecords;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.ImageEvent;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class AvroKafkaSinkTest {

    private final KafkaSettings settings = KafkaSettings.of("127.0.0.1:9092");

    private AvroKafkaSink<ImageEvent, ImageEvent> complete() {
        return AvroKafkaSink.builder(ImageEvent.class)
                .settings(settings)
                .topic(KafkaTopics.IMAGES)
                .keyExtractor(ImageEvent::getImageId);
    }

    @Test
    void buildsAtLeastOnceWithoutTransactionalPrefix() {
        assertThat(complete().build()).isNotNull();
    }

    @Test
    void exactlyOnceRequiresATransactionalIdPrefix() {
        assertThatThrownBy(() -> complete()
                        .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transactional id prefix");
        assertThatThrownBy(() -> complete()
                        .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .transactionalIdPrefix(" ")
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(complete()
                        .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .transactionalIdPrefix("diva-test")
                        .build())
                .isNotNull();
    }

    @Test
    void requiresSettingsTopicAndKey() {
        assertThatThrownBy(() -> AvroKafkaSink.builder(ImageEvent.class)
                        .topic("t")
                        .keyExtractor(e -> "k")
                        .build())
                .hasMessageContaining("settings");
        assertThatThrownBy(() -> AvroKafkaSink.builder(ImageEvent.class)
                        .settings(settings)
                        .keyExtractor(e -> "k")
                        .build())
                .hasMessageContaining("topic");
        assertThatThrownBy(() -> AvroKafkaSink.builder(ImageEvent.class)
                        .settings(settings)
                        .topic("t")
                        .build())
                .hasMessageContaining("key extractor");
    }

    @Test
    void exactlyOnceCapsTheTransactionTimeoutBelowTheBrokerMaximumUnlessConfigured() {
        Properties exactlyOnce = AvroKafkaSink.producerConfig(settings, DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(exactlyOnce.getProperty("transaction.timeout.ms")).isEqualTo("600000");
        assertThat(exactlyOnce.getProperty("bootstrap.servers")).isEqualTo("127.0.0.1:9092");

        Properties configured = AvroKafkaSink.producerConfig(
                settings.withProperty("transaction.timeout.ms", "60000"), DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(configured.getProperty("transaction.timeout.ms")).isEqualTo("60000");

        assertThat(AvroKafkaSink.producerConfig(settings, DeliveryGuarantee.AT_LEAST_ONCE))
                .doesNotContainKey("transaction.timeout.ms");
    }

    @Test
    void serializesKeyAsUtf8AndValueAsSingleObjectAvro() throws Exception {
        AvroRecordSerializationSchema<ImageEvent, ImageEvent> schema =
                AvroRecordSerializationSchema.of("out", AvroCodec.of(ImageEvent.class), ImageEvent::getImageId);
        // The schema travels to the task managers: it must survive Java serialization.
        schema = InstantiationUtil.clone(schema);
        ImageEvent event = SampleRecords.imageEvent("omniglot/Greek/character01/ä.png", "Greek/character01");

        ProducerRecord<byte[], byte[]> record = schema.serialize(event, null, 123L);

        assertThat(record.topic()).isEqualTo("out");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("omniglot/Greek/character01/ä.png");
        assertThat(AvroCodec.of(ImageEvent.class).decode(record.value())).isEqualTo(event);
        assertThat(record.timestamp()).isEqualTo(123L);
        assertThat(schema.serialize(event, null, null).timestamp()).isNull();
        assertThat(schema.serialize(event, null, Long.MIN_VALUE).timestamp()).isNull();
    }

    @Test
    void convertsOtherElementsToTheAvroRecordBeforeEncoding() {
        AvroRecordSerializationSchema<String, ImageEvent> schema = new AvroRecordSerializationSchema<>(
                "out",
                AvroCodec.of(ImageEvent.class),
                id -> id,
                id -> SampleRecords.imageEvent(id, "Greek/character02"),
                new RecordSizeLimit(RecordSizeLimit.KAFKA_DEFAULT),
                OversizeHandler.DROP);
        ProducerRecord<byte[], byte[]> record = schema.serialize("img-7", null, null);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("img-7");
        ImageEvent decoded = AvroCodec.of(ImageEvent.class).decode(record.value());
        assertThat(decoded.getImageId()).isEqualTo("img-7");
        assertThat(decoded.getLabel()).isEqualTo("Greek/character02");
    }

    @Test
    void aNullKeyMeansNoKey() {
        AvroRecordSerializationSchema<ImageEvent, ImageEvent> schema =
                AvroRecordSerializationSchema.of("out", AvroCodec.of(ImageEvent.class), e -> null);
        assertThat(schema.serialize(SampleRecords.imageEvent("a", "b"), null, null)
                        .key())
                .isNull();
    }

    /**
     * A record over max.request.size (the poison label of issue 13: a 1,046,000-character label made a
     * 1,050,302-byte embedding record and a restart loop) goes to the dead-letter topic as OUTPUT_TOO_LARGE,
     * holding its first bytes within the limit, and is counted; without a dead-letter topic it is dropped.
     */
    @Test
    void aRecordOverTheProducerLimitBecomesADeadLetterInsteadOfFailingTheSink() throws Exception {
        RecordSizeLimit limit = new RecordSizeLimit(64 * 1024);
        AvroRecordSerializationSchema<ImageEvent, ImageEvent> schema =
                InstantiationUtil.clone(new AvroRecordSerializationSchema<>(
                        "out",
                        AvroCodec.of(ImageEvent.class),
                        ImageEvent::getImageId,
                        e -> e,
                        limit,
                        io.divastream.connectors.dlq.DeadLetters.redirectTo("dlq")));
        ImageEvent small = SampleRecords.imageEvent("img-1", "x".repeat(1000));
        assertThat(schema.serialize(small, null, 5L).topic()).isEqualTo("out");

        ImageEvent poison = SampleRecords.imageEvent("img-2", "x".repeat(70_000));
        byte[] encoded = AvroCodec.of(ImageEvent.class).encode(poison);
        ProducerRecord<byte[], byte[]> record = schema.serialize(poison, null, 5L);
        assertThat(record.topic()).isEqualTo("dlq");
        assertThat(limit.fits(record.key(), record.value())).isTrue();
        DeadLetter letter = AvroCodec.of(DeadLetter.class).decode(record.value());
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.OUTPUT_TOO_LARGE);
        assertThat(letter.getTopic()).isEqualTo("out");
        assertThat(letter.getPartition()).isEqualTo(-1);
        assertThat(letter.getOffset()).isEqualTo(-1L);
        assertThat(letter.getKey()).isEqualTo(java.nio.ByteBuffer.wrap("img-2".getBytes(StandardCharsets.UTF_8)));
        assertThat(letter.getValueBytes()).isEqualTo(encoded.length);
        byte[] prefix = new byte[letter.getValue().remaining()];
        letter.getValue().duplicate().get(prefix);
        assertThat(prefix.length).isGreaterThan(50_000).isLessThan(encoded.length);
        assertThat(prefix).isEqualTo(java.util.Arrays.copyOf(encoded, prefix.length));
        assertThat(letter.getMessage())
                .isEqualTo("a ImageEvent record of " + (encoded.length + 5 + RecordSizeLimit.OVERHEAD)
                        + " bytes for out exceeds max.request.size 65536");

        AvroRecordSerializationSchema<ImageEvent, ImageEvent> noDlq = new AvroRecordSerializationSchema<>(
                "dlq", AvroCodec.of(ImageEvent.class), ImageEvent::getImageId, e -> e, limit, OversizeHandler.DROP);
        assertThat(noDlq.serialize(poison, null, 5L)).isNull();
    }

    @Test
    void theSizeLimitComesFromTheProducersMaxRequestSize() {
        KafkaSettings settings = KafkaSettings.of("localhost:9092");
        assertThat(RecordSizeLimit.of(settings).maxRequestSize()).isEqualTo(1 << 20);
        assertThat(RecordSizeLimit.of(settings.withProperty("max.request.size", "5000000"))
                        .maxRequestSize())
                .isEqualTo(5_000_000);
        assertThatThrownBy(() -> RecordSizeLimit.of(settings.withProperty("max.request.size", "lots")))
                .hasMessage("max.request.size must be a number of bytes, got 'lots'");
    }
}
