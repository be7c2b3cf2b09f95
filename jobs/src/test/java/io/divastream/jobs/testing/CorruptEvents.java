package io.divastream.jobs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.producer.ImageEventProducer;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.ImageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Three bad image events the pipeline integration tests publish (a record that is not Avro, an
 * event with an empty label, an event whose image is not an image) and the check that each reached
 * the dead-letter topic once, under its reason.
 */
public final class CorruptEvents {

    private CorruptEvents() {}

    /**
     * Publishes the three events, keyed {@code garbage}, {@code bad-label} and {@code bad-image}.
     *
     * @param kafka the broker
     * @param topic the images topic
     */
    public static void publish(LocalKafkaExtension kafka, String topic) {
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
        byte[] emptyLabel = codec.encode(event("bad-label", "", new byte[] {1, 2, 3}));
        byte[] notAnImage =
                codec.encode(event("bad-image", "Korean/character01", "text".getBytes(StandardCharsets.UTF_8)));
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(ImageEventProducer.producerConfig(kafka.settings()))) {
            producer.send(new ProducerRecord<>(topic, "garbage".getBytes(StandardCharsets.UTF_8), garbage));
            producer.send(new ProducerRecord<>(topic, "bad-label".getBytes(StandardCharsets.UTF_8), emptyLabel));
            producer.send(new ProducerRecord<>(topic, "bad-image".getBytes(StandardCharsets.UTF_8), notAnImage));
            producer.flush();
        }
    }

    /**
     * Asserts that the dead-letter topic holds exactly the three events, each with its reason.
     *
     * @param kafka the broker
     * @param imagesTopic the topic they were published to
     * @param deadLettersTopic the dead-letter topic
     */
    public static void assertDeadLettered(LocalKafkaExtension kafka, String imagesTopic, String deadLettersTopic) {
        AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
        Map<String, DeadLetterReason> reasons = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(deadLettersTopic, 3, Duration.ofSeconds(30))) {
            DeadLetter d = codec.decode(r.value());
            assertThat(d.getTopic()).isEqualTo(imagesTopic);
            assertThat(d.getMessage()).isNotBlank();
            assertThat(d.getValue()).isNotNull();
            ByteBuffer key = d.getKey().duplicate();
            byte[] bytes = new byte[key.remaining()];
            key.get(bytes);
            reasons.put(new String(bytes, StandardCharsets.UTF_8), d.getReason());
        }
        assertThat(reasons)
                .containsEntry("garbage", DeadLetterReason.UNDECODABLE_RECORD)
                .containsEntry("bad-label", DeadLetterReason.EMPTY_LABEL)
                .containsEntry("bad-image", DeadLetterReason.UNDECODABLE_IMAGE)
                .hasSize(3);
    }

    /**
     * An image event published now.
     *
     * @param id the image id
     * @param label the label
     * @param image the encoded image
     * @return the event
     */
    public static ImageEvent event(String id, String label, byte[] image) {
        return ImageEvent.newBuilder()
                .setImageId(id)
                .setLabel(label)
                .setContentType("image/png")
                .setImage(ByteBuffer.wrap(image))
                .setEventTime(Instant.now())
                .setSource("it")
                .build();
    }
}
