package io.divastream.jobs.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.events.EventLimits;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.images.HostileImages;
import io.divastream.images.ImageLimits;
import io.divastream.images.PhotoFeatureExtractor;
import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.Role;
import io.divastream.model.DjlRuntime;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.SharedFiles;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.ImageEvent;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The decoders with photo decoding: a frozen MobileNetV2's features as the samples' payload (docs/photos.md). */
class PhotoFeatureDecodingTest {

    private static final AvroCodec<ImageEvent> CODEC = AvroCodec.of(ImageEvent.class);
    private static final LabelRouter ROUTER = new LabelRouter("^test/");

    private static SampleDecoding.Features decoding() {
        BackboneSpec spec = BackboneSpec.TorchScript.mobileNetV2Imagenet(
                SharedFiles.mobileNetV2().getParent());
        return new SampleDecoding.Features(spec, 2, StoredFeatures.Precision.HALF, 17);
    }

    private static byte[] photo() throws Exception {
        BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                image.setRGB(x, y, (x * 255 / 320) << 16 | (y * 255 / 240) << 8 | 90);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    private static RawRecord record(long offset, String id, String label, byte[] image) {
        byte[] value = CODEC.encode(ImageEvent.newBuilder()
                .setImageId(id)
                .setLabel(label)
                .setContentType("image/jpeg")
                .setImage(ByteBuffer.wrap(image))
                .setEventTime(Instant.ofEpochMilli(1_000))
                .setSource("test")
                .build());
        return new RawRecord("diva.images", 0, offset, id.getBytes(StandardCharsets.UTF_8), value, 5L);
    }

    private static OneInputStreamOperatorTestHarness<RawRecord, ImageSample> harness(DecodeImageFunction f)
            throws Exception {
        OneInputStreamOperatorTestHarness<RawRecord, ImageSample> harness =
                new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(f), 1, 1, 0);
        harness.open();
        return harness;
    }

    @Test
    void eachReaderStoresTheFeaturesItsBranchNeeds() throws Exception {
        byte[] photo = photo();
        SampleDecoding.Features decoding = decoding();
        StoredFeatures expected;
        // the reference runs on the decoder's configured thread count (the features' last bits depend on it)
        assertThat(decoding.intraOpThreads()).isEqualTo(1);
        DjlRuntime.useIntraOpThreads(decoding.intraOpThreads());
        try (PhotoFeatureExtractor reference =
                new PhotoFeatureExtractor(decoding.backbone(), ImageLimits.DEFAULT, 2, 17)) {
            expected = reference.training("bird-1", photo);
        }
        // the harness runs the decoder on this thread: it must set its own count, whatever this thread's is
        DjlRuntime.useIntraOpThreads(2);
        // the training reader: the training images' training views only
        try (var training = harness(DecodeImageFunction.trainingReader(decoding, ROUTER, EventLimits.DEFAULT, 0))) {
            training.processElement(record(0, "bird-1", "birds/001", photo), 5L);
            training.processElement(record(1, "bird-2", "test/021", photo), 5L);
            List<ImageSample> samples = training.extractOutputValues();
            assertThat(samples).extracting(ImageSample::role).containsExactly(Role.TRAIN, Role.EVAL);
            StoredFeatures stored = StoredFeatures.fromBytes(samples.get(0).pixels());
            assertThat(stored.training()).hasNumberOfRows(2);
            assertThat(stored.hasEvaluation()).isFalse();
            StoredFeatures rounded = StoredFeatures.fromBytes(expected.toBytes(StoredFeatures.Precision.HALF));
            assertThat(stored).isEqualTo(rounded);
            assertThat(samples.get(1).pixels()).isEmpty();
        }
        // the embedding reader: every image's evaluation view only
        try (var embedding = harness(new DecodeImageFunction(
                decoding, ROUTER, EventLimits.DEFAULT, new RecordSizeLimit(RecordSizeLimit.KAFKA_DEFAULT)))) {
            embedding.processElement(record(0, "bird-1", "birds/001", photo), 5L);
            StoredFeatures stored = StoredFeatures.fromBytes(
                    embedding.extractOutputValues().get(0).pixels());
            assertThat(stored.training()).isEmpty();
            assertThat(stored.evaluation()).hasSize(1280);
            assertThat(stored.toBytes(StoredFeatures.Precision.HALF)).hasSize(8 + 2 * 1280);
            // a bomb is a dead letter, named by its declared size, and the reader goes on
            embedding.processElement(record(1, "bomb", "birds/001", HostileImages.declaringPng(60_000, 60_000)), 5L);
            embedding.processElement(record(2, "bird-3", "test/022", photo), 5L);
            List<DeadLetterEvent> dead = embedding.getSideOutput(DecodeImageFunction.DEAD_LETTERS).stream()
                    .map(r -> r.getValue())
                    .toList();
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).reason()).isEqualTo(DeadLetterReason.INVALID_IMAGE.name());
            assertThat(dead.get(0).message()).contains("60000x60000");
            assertThat(embedding.extractOutputValues())
                    .extracting(ImageSample::imageId)
                    .containsExactly("bird-1", "bird-3");
        }
    }
}
