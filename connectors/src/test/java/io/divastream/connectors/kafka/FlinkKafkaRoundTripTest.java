package io.divastream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.avro.RecordDecodingException;
import io.divastream.connectors.dlq.DeadLetters;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.connectors.testing.SampleRecords;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.ImageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs a small Flink job against the local broker: a bounded {@link RawRecordSources} source,
 * decoding with {@link AvroCodec}, an exactly-once {@link AvroKafkaSink} for the decoded events and
 * an at-least-once one for the {@link DeadLetters}.
 */
class FlinkKafkaRoundTripTest {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    @Test
    void decodesValidRecordsExactlyOnceAndRoutesGarbageToDeadLetters() throws Exception {
        KafkaSettings settings = KAFKA.settings();
        TopicAdmin.ensureTopics(
                settings,
                List.of(
                        TopicSpec.of("rt-in", 1, 1),
                        TopicSpec.of("rt-out", 1, 1).compacted(),
                        TopicSpec.of("rt-dlq", 1, 1)));
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        List<ImageEvent> events = List.of(
                SampleRecords.imageEvent("img-1", "Korean/character01"),
                SampleRecords.imageEvent("img-2", "Korean/character02"),
                SampleRecords.imageEvent("img-3", "Greek/character01"));
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(settings))) {
            producer.send(record("img-1", codec.encode(events.get(0))));
            producer.send(record("bad", garbage));
            producer.send(record("img-2", codec.encode(events.get(1))));
            producer.send(record("img-3", codec.encode(events.get(2))));
            producer.flush();
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        env.enableCheckpointing(200);
        SingleOutputStreamOperator<ImageEvent> decoded = env.fromSource(
                        RawRecordSources.bounded(
                                settings,
                                "rt-in",
                                "rt-test",
                                OffsetsInitializer.earliest(),
                                OffsetsInitializer.latest()),
                        WatermarkStrategy.noWatermarks(),
                        "raw-images")
                .process(new DecodeImages())
                .returns(TypeInformation.of(ImageEvent.class));
        decoded.sinkTo(AvroKafkaSink.builder(ImageEvent.class)
                .settings(settings)
                .topic("rt-out")
                .keyExtractor(ImageEvent::getImageId)
                .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .transactionalIdPrefix("rt-out-test")
                .build());
        decoded.getSideOutput(DEAD_LETTERS)
                .sinkTo(AvroKafkaSink.builder(DeadLetter.class)
                        .settings(settings)
                        .topic("rt-dlq")
                        .keyExtractor(d -> d.getTopic() + "-" + d.getPartition() + "@" + d.getOffset())
                        .build());
        env.execute("round-trip");

        List<ConsumerRecord<byte[], byte[]>> out = KAFKA.readAll("rt-out", 3, Duration.ofSeconds(30));
        assertThat(out)
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("img-1", "img-2", "img-3");
        assertThat(out).extracting(r -> codec.decode(r.value())).containsExactlyElementsOf(events);

        List<ConsumerRecord<byte[], byte[]>> dlq = KAFKA.readAll("rt-dlq", 1, Duration.ofSeconds(30));
        assertThat(dlq).hasSize(1);
        assertThat(new String(dlq.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("rt-in-0@1");
        DeadLetter letter = AvroCodec.of(DeadLetter.class).decode(dlq.get(0).value());
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE_RECORD);
        assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap("bad".getBytes(StandardCharsets.UTF_8)));
        assertThat(letter.getMessage()).startsWith("not an Avro single-object message");
        assertThat(letter.getStage()).isEqualTo("decode-images");
    }

    /** Decodes raw records; undecodable ones become dead letters. */
    static final class DecodeImages extends ProcessFunction<RawRecord, ImageEvent> {
        private static final long serialVersionUID = 1L;
        private final AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);

        @Override
        public void processElement(RawRecord raw, Context context, Collector<ImageEvent> out) {
            try {
                out.collect(codec.decode(raw.value()));
            } catch (RecordDecodingException e) {
                context.output(
                        DEAD_LETTERS,
                        DeadLetters.of(
                                raw,
                                DeadLetterReason.UNDECODABLE_RECORD,
                                e.getMessage(),
                                "decode-images",
                                Instant.now()));
            }
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String key, byte[] value) {
        return new ProducerRecord<>("rt-in", key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static Properties producerProps(KafkaSettings settings) {
        Properties props = settings.toProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return props;
    }
}
