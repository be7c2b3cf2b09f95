package io.divastream.jobs.testing;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.images.HostileImages;
import io.divastream.images.ReferenceImages;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.ImageEvent;
import io.divastream.schemas.Split;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The hostile inputs of the job's hostile-input suite ({@code HostileInputIT}), each a Kafka record for
 * the images topic with what must become of it; {@code docs/operations.md} has one table row per input
 * ({@code HostileInputDocsTest} checks that no row is missing).
 */
public final class HostileInputs {

    private HostileInputs() {}

    /** What must become of an input: a dead letter with a reason, or an embedding like any image. */
    public enum Outcome {
        DEAD_LETTER,
        EMBEDDED
    }

    /**
     * One hostile input.
     *
     * @param name its name, also in docs/operations.md
     * @param outcome what must become of it
     * @param reason the dead letter's reason, for {@link Outcome#DEAD_LETTER}
     * @param imageId the image id it carries, for {@link Outcome#EMBEDDED} and label changes
     * @param record the record
     */
    public record Input(
            String name,
            Outcome outcome,
            DeadLetterReason reason,
            String imageId,
            ProducerRecord<byte[], byte[]> record) {

        /**
         * The Kafka key of the input's dead letter: the record's key for the decoder's, the image id for
         * the embedders' (they no longer have the record).
         *
         * @return the key text
         */
        public String deadLetterKey() {
            return reason == DeadLetterReason.LABEL_CHANGED ? imageId : key(name);
        }
    }

    /** The Kafka key of an input's record. */
    public static String key(String name) {
        return "hostile-" + name;
    }

    /**
     * The inputs.
     *
     * @param topic the images topic
     * @param trainImage the id of an image already streamed with {@code trainLabel}
     * @param trainBytes its encoded bytes
     * @param trainLabel its label
     * @param otherTrainLabel another training label
     * @param evalLabel an evaluation label
     * @return the inputs, in publication order
     */
    public static List<Input> all(
            String topic,
            String trainImage,
            byte[] trainBytes,
            String trainLabel,
            String otherTrainLabel,
            String evalLabel) {
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        byte[] png = png(32, 32);
        byte[] bomb = HostileImages.zeroPng(8192, 8192, 16, HostileImages.RGBA);
        List<Input> in = new ArrayList<>();
        in.add(dead(
                topic,
                "poison-label",
                DeadLetterReason.LABEL_TOO_LONG,
                codec.encode(CorruptEvents.event("hostile/poison-label", "L".repeat(1_046_000), png))));
        in.add(dead(
                topic,
                "poison-id-empty-label",
                DeadLetterReason.IMAGE_ID_TOO_LONG,
                codec.encode(CorruptEvents.event("i".repeat(600_000), "", png))));
        in.add(dead(
                topic,
                "png-bomb-8192-16bit-rgba",
                DeadLetterReason.INVALID_IMAGE,
                codec.encode(CorruptEvents.event("hostile/bomb", trainLabel, bomb))));
        in.add(dead(
                topic,
                "png-bomb-cut-to-1096-bytes",
                DeadLetterReason.INVALID_IMAGE,
                codec.encode(CorruptEvents.event("hostile/bomb-cut", trainLabel, HostileImages.cut(bomb, 1096)))));
        in.add(dead(
                topic,
                "png-declaring-60000x60000",
                DeadLetterReason.INVALID_IMAGE,
                codec.encode(CorruptEvents.event(
                        "hostile/png-60000", evalLabel, HostileImages.declaringPng(60_000, 60_000)))));
        in.add(dead(
                topic,
                "jpeg-declaring-65000x65000",
                DeadLetterReason.INVALID_IMAGE,
                codec.encode(CorruptEvents.event(
                        "hostile/jpeg-65000", trainLabel, HostileImages.declaringJpeg(65_000, 65_000)))));
        in.add(dead(
                topic,
                "image-over-limits-12mb",
                DeadLetterReason.INVALID_IMAGE,
                codec.encode(CorruptEvents.event("hostile/12mb", trainLabel, Arrays.copyOf(png, 12 << 20)))));
        in.add(dead(
                topic,
                "tiff-image",
                DeadLetterReason.UNDECODABLE_IMAGE,
                codec.encode(CorruptEvents.event(
                        "hostile/tiff",
                        trainLabel,
                        ReferenceImages.encode(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "tiff")))));
        in.add(dead(
                topic,
                "truncated-png",
                DeadLetterReason.UNDECODABLE_IMAGE,
                codec.encode(
                        CorruptEvents.event("hostile/truncated-png", trainLabel, Arrays.copyOf(png, png.length / 2)))));
        in.add(dead(
                topic,
                "empty-image",
                DeadLetterReason.UNDECODABLE_IMAGE,
                codec.encode(CorruptEvents.event("hostile/empty-image", trainLabel, new byte[0]))));
        in.add(dead(
                topic,
                "garbage-bytes",
                DeadLetterReason.UNDECODABLE_RECORD,
                "not an Avro record".getBytes(StandardCharsets.UTF_8)));
        in.add(dead(topic, "tombstone", DeadLetterReason.UNDECODABLE_RECORD, null));
        byte[] event = codec.encode(CorruptEvents.event("hostile/truncated", trainLabel, png));
        in.add(dead(
                topic, "truncated-event", DeadLetterReason.UNDECODABLE_RECORD, Arrays.copyOf(event, event.length - 9)));
        in.add(dead(
                topic,
                "another-schema",
                DeadLetterReason.UNDECODABLE_RECORD,
                AvroCodec.of(EmbeddingRecord.class)
                        .encode(EmbeddingRecord.newBuilder()
                                .setImageId("x")
                                .setLabel("y")
                                .setSplit(Split.TRAIN)
                                .setModelVersion(0)
                                .setCombined(List.of(1f))
                                .setHeads(java.util.Map.of())
                                .setEventTime(Instant.EPOCH)
                                .setModelCreatedAt(Instant.EPOCH)
                                .setEmbeddedAt(Instant.EPOCH)
                                .build())));
        in.add(dead(
                topic,
                "empty-label",
                DeadLetterReason.EMPTY_LABEL,
                codec.encode(CorruptEvents.event("hostile/empty-label", " ", png))));
        in.add(dead(
                topic,
                "empty-image-id",
                DeadLetterReason.EMPTY_IMAGE_ID,
                codec.encode(CorruptEvents.event("", trainLabel, png))));
        in.add(new Input(
                "label-change-train-to-eval",
                Outcome.DEAD_LETTER,
                DeadLetterReason.LABEL_CHANGED,
                trainImage,
                record(
                        topic,
                        "label-change-train-to-eval",
                        codec.encode(CorruptEvents.event(trainImage, evalLabel, trainBytes)))));
        in.add(new Input(
                "label-change-to-another-class",
                Outcome.DEAD_LETTER,
                DeadLetterReason.LABEL_CHANGED,
                trainImage,
                record(
                        topic,
                        "label-change-to-another-class",
                        codec.encode(CorruptEvents.event(trainImage, otherTrainLabel, trainBytes)))));
        String control = "hostile/control\n\tcharacters\u0000\u001b[31m";
        in.add(new Input(
                "control-characters-in-id",
                Outcome.EMBEDDED,
                null,
                control,
                record(
                        topic,
                        "control-characters-in-id",
                        codec.encode(CorruptEvents.event(control, trainLabel, png)))));
        ProducerRecord<byte[], byte[]> headers =
                record(topic, "header-bomb", codec.encode(CorruptEvents.event("hostile/header-bomb", trainLabel, png)));
        for (int h = 0; h < 400; h++) {
            headers.headers().add(new RecordHeader("h" + h, new byte[2048]));
        }
        in.add(new Input("header-bomb", Outcome.EMBEDDED, null, "hostile/header-bomb", headers));
        return in;
    }

    private static Input dead(String topic, String name, DeadLetterReason reason, byte[] value) {
        return new Input(name, Outcome.DEAD_LETTER, reason, null, record(topic, name, value));
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String name, byte[] value) {
        return new ProducerRecord<>(topic, key(name).getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] png(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            image.getRaster().setSample(y, y, 0, 255);
        }
        return ReferenceImages.encode(image, "png");
    }
}
