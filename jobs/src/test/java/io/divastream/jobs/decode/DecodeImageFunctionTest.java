package io.divastream.jobs.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.dlq.DeadLetters;
import io.divastream.connectors.events.EventLimits;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.images.HostileImages;
import io.divastream.images.ImageDecoder;
import io.divastream.images.ImageSpec;
import io.divastream.jobs.config.RouteOptions;
import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.pipeline.AvroMapping;
import io.divastream.jobs.testing.MetricsCapture;
import io.divastream.producer.OmniglotDataset;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.ImageEvent;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Decoding, validation and routing of raw image-event records, with a real Omniglot PNG from the
 * dataset shipped in the connectors jar.
 */
class DecodeImageFunctionTest {

    private static final String TOPIC = "diva.images";
    private static final Instant EVENT_TIME = Instant.ofEpochMilli(1_764_000_000_123L);
    private static final ImageSpec SPEC = new ImageSpec(28, true);
    private static final AvroCodec<ImageEvent> CODEC = AvroCodec.of(ImageEvent.class);
    private static final RecordSizeLimit DLQ_LIMIT = new RecordSizeLimit(RecordSizeLimit.KAFKA_DEFAULT);

    private static byte[] png;
    private static String pngName;

    private OneInputStreamOperatorTestHarness<RawRecord, ImageSample> harness;
    private MetricsCapture metrics;
    private long offset;

    @BeforeAll
    static void readOnePng() throws IOException {
        String resource = OmniglotDataset.RESOURCE_DIRECTORY + "/images_background_small1.zip";
        try (InputStream in = DecodeImageFunctionTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            try (ZipInputStream zip = new ZipInputStream(in)) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    if (e.getName().endsWith(".png")) {
                        pngName = e.getName();
                        png = zip.readAllBytes();
                        return;
                    }
                }
            }
        }
        throw new IllegalStateException("no PNG in " + resource);
    }

    @BeforeEach
    void openHarness() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new DecodeImageFunction(
                        SPEC, new LabelRouter(RouteOptions.OMNIGLOT_EVAL_LABELS), EventLimits.DEFAULT, DLQ_LIMIT)),
                1,
                1,
                0);
        metrics = MetricsCapture.attach(harness);
        harness.open();
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    private static byte[] event(String id, String label, byte[] image) {
        return CODEC.encode(ImageEvent.newBuilder()
                .setImageId(id)
                .setLabel(label)
                .setContentType("image/png")
                .setImage(ByteBuffer.wrap(image))
                .setEventTime(EVENT_TIME)
                .setSource("test")
                .build());
    }

    private RawRecord send(byte[] key, byte[] value) throws Exception {
        RawRecord record = new RawRecord(TOPIC, 2, offset++, key, value, 5L);
        harness.processElement(record, 5L);
        return record;
    }

    private RawRecord send(String id, String label, byte[] image) throws Exception {
        return send(id.getBytes(StandardCharsets.UTF_8), event(id, label, image));
    }

    private List<ImageSample> samples() {
        return harness.extractOutputValues();
    }

    private List<DeadLetterEvent> deadLetters() {
        var out = harness.getSideOutput(DecodeImageFunction.DEAD_LETTERS);
        return out == null
                ? List.of()
                : out.stream().map(StreamRecord::getValue).toList();
    }

    private static byte[] tinyPng(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, "png", out)).isTrue();
        return out.toByteArray();
    }

    private void assertRejected(RawRecord record, DeadLetterReason reason, long before) {
        List<DeadLetterEvent> letters = deadLetters();
        assertThat(letters).hasSize(1);
        DeadLetterEvent letter = letters.get(0);
        assertThat(letter.reason()).isEqualTo(reason.name());
        assertThat(letter.topic()).isEqualTo(record.topic());
        assertThat(letter.partition()).isEqualTo(record.partition());
        assertThat(letter.offset()).isEqualTo(record.offset());
        assertThat(letter.key()).isEqualTo(record.key());
        assertThat(letter.value()).isEqualTo(record.value());
        assertThat(letter.stage()).isEqualTo(DecodeImageFunction.STAGE);
        assertThat(letter.message()).isNotBlank().doesNotContain("\n");
        assertThat(letter.failedAt()).isBetween(before, System.currentTimeMillis());
        assertThat(samples()).isEmpty();
        // the dead letter maps to the wire format
        assertThat(AvroMapping.deadLetter(letter).getReason()).isEqualTo(reason);
        // and is counted under its reason, and only there
        for (DeadLetterReason r : DecodeImageFunction.REASONS) {
            assertThat(metrics.count("deadLetters." + r.name())).as(r.name()).isEqualTo(r == reason ? 1 : 0);
        }
        assertThat(metrics.count("numImagesDecoded")).isZero();
    }

    @Test
    void theShippedPngIsAnOmniglotGlyph() {
        assertThat(pngName).endsWith(".png");
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void aValidEventOfATrainingClassBecomesATrainingSample() throws Exception {
        send("omniglot/Korean/character07/0512_03.png", "Korean/character07", png);

        assertThat(deadLetters()).isEmpty();
        List<ImageSample> out = samples();
        assertThat(out).hasSize(1);
        ImageSample sample = out.get(0);
        assertThat(sample.imageId()).isEqualTo("omniglot/Korean/character07/0512_03.png");
        assertThat(sample.label()).isEqualTo("Korean/character07");
        assertThat(sample.role()).isEqualTo(Role.TRAIN);
        assertThat(sample.eventTime()).isEqualTo(EVENT_TIME.toEpochMilli());
        assertThat(sample.pixels()).hasSize(28 * 28);
        assertThat(sample.pixels()).isEqualTo(ImageDecoder.toBytes(new ImageDecoder(SPEC).decode(png)));

        // inverted: the white page is 0, the strokes are bright, and they are a minority of pixels
        int ink = 0;
        for (byte b : sample.pixels()) {
            if ((b & 0xFF) > 127) {
                ink++;
            }
        }
        assertThat(ink).isBetween(10, 28 * 28 / 2);
        assertThat(sample.pixels()[0]).isZero();
    }

    @Test
    void anEvaluationLabelIsRoutedToEvaluation() throws Exception {
        send("omniglot/Greek/character01/0394_01.png", "Greek/character01", png);
        send("omniglot/Latin/character02/1.png", "Latin/character02", png);
        send("omniglot/Old_Greek/character01/1.png", "Old_Greek/character01", png); // not ^Greek/

        assertThat(samples()).extracting(ImageSample::role).containsExactly(Role.EVAL, Role.EVAL, Role.TRAIN);
    }

    @Test
    void theTrainingReaderDecodesTrainingImagesOnlyAndDropsBadRecordsWithoutADeadLetter() throws Exception {
        var training = new OneInputStreamOperatorTestHarness<RawRecord, ImageSample>(
                new ProcessOperator<>(DecodeImageFunction.trainingReader(
                        SPEC, new LabelRouter(RouteOptions.OMNIGLOT_EVAL_LABELS), EventLimits.DEFAULT)),
                1,
                1,
                0);
        MetricsCapture trainingMetrics = MetricsCapture.attach(training);
        training.open();
        try {
            String trainId = "omniglot/Korean/character07/0512_03.png";
            for (byte[][] kv : new byte[][][] {
                {trainId.getBytes(StandardCharsets.UTF_8), event(trainId, "Korean/character07", png)},
                {
                    "g".getBytes(StandardCharsets.UTF_8),
                    event("omniglot/Greek/character01/1.png", "Greek/character01", png)
                },
                {"k".getBytes(StandardCharsets.UTF_8), "not Avro".getBytes(StandardCharsets.UTF_8)},
                {"e".getBytes(StandardCharsets.UTF_8), event("x", "", png)},
            }) {
                training.processElement(new RawRecord(TOPIC, 0, offset++, kv[0], kv[1], 5L), 5L);
            }
            // the evaluation image passes without pixels, for its id's first label (FirstLabelFilter)
            assertThat(training.extractOutputValues())
                    .extracting(ImageSample::imageId, ImageSample::role)
                    .containsExactly(tuple(trainId, Role.TRAIN), tuple("omniglot/Greek/character01/1.png", Role.EVAL));
            assertThat(training.extractOutputValues().get(1).pixels()).isEmpty();
            assertThat(training.getSideOutput(DecodeImageFunction.DEAD_LETTERS)).isNull();
            assertThat(trainingMetrics.count("numRecordsSkipped")).isEqualTo(2);
            assertThat(trainingMetrics.count("numImagesDecoded")).isEqualTo(1);
        } finally {
            training.close();
        }
    }

    @Test
    void garbageBytesAreAnUndecodableRecord() throws Exception {
        long before = System.currentTimeMillis();
        RawRecord record = send(
                "k".getBytes(StandardCharsets.UTF_8), "this is not an Avro record".getBytes(StandardCharsets.UTF_8));
        assertRejected(record, DeadLetterReason.UNDECODABLE_RECORD, before);
    }

    @Test
    void aTombstoneIsAnUndecodableRecord() throws Exception {
        long before = System.currentTimeMillis();
        RawRecord record = send(null, null);
        assertRejected(record, DeadLetterReason.UNDECODABLE_RECORD, before);
        assertThat(deadLetters().get(0).value()).isNull();
    }

    @Test
    void aTruncatedEventIsAnUndecodableRecord() throws Exception {
        byte[] full = event("id", "Korean/character01", png);
        long before = System.currentTimeMillis();
        RawRecord record = send(null, Arrays.copyOf(full, full.length - 7));
        assertRejected(record, DeadLetterReason.UNDECODABLE_RECORD, before);
    }

    @Test
    void anEmptyLabelIsRejected() throws Exception {
        long before = System.currentTimeMillis();
        RawRecord record = send("id-1", "", png);
        assertRejected(record, DeadLetterReason.EMPTY_LABEL, before);
        assertThat(deadLetters().get(0).message()).contains("id-1");
    }

    @Test
    void aBlankLabelIsRejected() throws Exception {
        long before = System.currentTimeMillis();
        RawRecord record = send("id-1", "  \t", png);
        assertRejected(record, DeadLetterReason.EMPTY_LABEL, before);
    }

    @Test
    void anEmptyImageIdIsRejected() throws Exception {
        long before = System.currentTimeMillis();
        RawRecord record = send("", "Korean/character01", png);
        assertRejected(record, DeadLetterReason.EMPTY_IMAGE_ID, before);
    }

    @Test
    void bytesThatAreNoImageAreAnUndecodableImage() throws Exception {
        long before = System.currentTimeMillis();
        RawRecord record = send("id-2", "Korean/character01", "plain text".getBytes(StandardCharsets.UTF_8));
        assertRejected(record, DeadLetterReason.UNDECODABLE_IMAGE, before);
    }

    @Test
    void aTruncatedPngIsAnUndecodableImage() throws Exception {
        long before = System.currentTimeMillis();
        RawRecord record = send("id-3", "Korean/character01", Arrays.copyOf(png, png.length / 2));
        assertRejected(record, DeadLetterReason.UNDECODABLE_IMAGE, before);
    }

    @Test
    void anEmptyImageIsAnUndecodableImage() throws Exception {
        long before = System.currentTimeMillis();
        RawRecord record = send("id-4", "Korean/character01", new byte[0]);
        assertRejected(record, DeadLetterReason.UNDECODABLE_IMAGE, before);
    }

    @Test
    void aTinyPngIsAnInvalidImage() throws Exception {
        long before = System.currentTimeMillis();
        RawRecord record = send("id-5", "Korean/character01", tinyPng(2, 2));
        assertRejected(record, DeadLetterReason.INVALID_IMAGE, before);
        assertThat(deadLetters().get(0).message()).contains("2x2");
    }

    @Test
    void keepsGoingAfterBadInput() throws Exception {
        send(null, new byte[] {1, 2, 3});
        send(null, null);
        send("a", "", png);
        send("", "Korean/character01", png);
        send("b", "Korean/character01", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        send("c", "Korean/character01", tinyPng(4, 100));
        send("d", "Korean/character01", png);
        send("e", "Greek/character05", tinyPng(30, 20));

        assertThat(deadLetters())
                .extracting(DeadLetterEvent::reason)
                .containsExactly(
                        "UNDECODABLE_RECORD",
                        "UNDECODABLE_RECORD",
                        "EMPTY_LABEL",
                        "EMPTY_IMAGE_ID",
                        "UNDECODABLE_IMAGE",
                        "INVALID_IMAGE");
        assertThat(deadLetters()).extracting(DeadLetterEvent::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(samples()).extracting(ImageSample::imageId).containsExactly("d", "e");
        // an all-black 30x20 image is valid; inverted, it is all ink
        assertThat(samples().get(1).pixels()).containsOnly((byte) 0xFF).hasSize(784);
        assertThat(samples().get(1).role()).isEqualTo(Role.EVAL);

        assertThat(metrics.count("numImagesDecoded")).isEqualTo(2);
        assertThat(metrics.count("deadLetters.UNDECODABLE_RECORD")).isEqualTo(2);
        assertThat(metrics.count("deadLetters.EMPTY_LABEL")).isEqualTo(1);
        assertThat(metrics.count("deadLetters.EMPTY_IMAGE_ID")).isEqualTo(1);
        assertThat(metrics.count("deadLetters.UNDECODABLE_IMAGE")).isEqualTo(1);
        assertThat(metrics.count("deadLetters.INVALID_IMAGE")).isEqualTo(1);
        assertThat(metrics.has("deadLetters.CATALOGUE_FULL"))
                .as("the embedder's reason")
                .isFalse();
        metrics.updateViews();
        assertThat(metrics.meter("numImagesDecodedPerSecond").getRate()).isCloseTo(2 / 60.0, within(1e-12));
    }

    @Test
    void theRouterUsesFindNotMatch() {
        LabelRouter router = new LabelRouter("character0[12]$");
        assertThat(router.route("Korean/character01")).isEqualTo(Role.EVAL);
        assertThat(router.route("Korean/character03")).isEqualTo(Role.TRAIN);
    }

    @Test
    void theRouterSurvivesJavaSerialization() throws Exception {
        LabelRouter copy =
                org.apache.flink.util.InstantiationUtil.clone(new LabelRouter(RouteOptions.OMNIGLOT_EVAL_LABELS));
        assertThat(copy.route("Tagalog/character03")).isEqualTo(Role.EVAL);
        assertThat(copy.route("Korean/character03")).isEqualTo(Role.TRAIN);
    }

    /**
     * Issue 13's poison label: a label of 1,046,000 characters was embedded and its embedding record failed
     * the sink. Now it is a LABEL_TOO_LONG dead letter whose value is the event's first bytes, within a
     * record.
     */
    @Test
    void aLabelOverTheLimitIsADeadLetterCutToFitARecord() throws Exception {
        long before = System.currentTimeMillis();
        String label = "L".repeat(1_046_000);
        RawRecord record = send("poison-1", label, png);
        List<DeadLetterEvent> letters = deadLetters();
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo("LABEL_TOO_LONG");
            assertThat(letter.message())
                    .isEqualTo("the label of image poison-1 has 1046000 characters, the limit is 256");
            assertThat(letter.valueBytes()).isEqualTo(record.value().length).isGreaterThan(1_046_000);
            assertThat(letter.value())
                    .hasSize(DeadLetters.maxValueBytes(DLQ_LIMIT))
                    .isEqualTo(Arrays.copyOf(record.value(), DeadLetters.maxValueBytes(DLQ_LIMIT)));
            assertThat(letter.key()).isEqualTo(record.key());
            assertThat(letter.failedAt()).isBetween(before, System.currentTimeMillis());
        });
        byte[] wire =
                AvroCodec.of(io.divastream.schemas.DeadLetter.class).encode(AvroMapping.deadLetter(letters.get(0)));
        assertThat(DLQ_LIMIT.fits("diva.images-2@0".getBytes(StandardCharsets.UTF_8), wire))
                .isTrue();
        assertThat(samples()).isEmpty();
        assertThat(metrics.count("deadLetters.LABEL_TOO_LONG")).isEqualTo(1);
    }

    /**
     * Issue 13's poison dead letter: a 600 KB image id with an empty label made a 1.2 MB EMPTY_LABEL dead
     * letter (the id in key, value and message) that failed the dead-letter sink. The id is checked first
     * now: IMAGE_ID_TOO_LONG, with the key cut to 1 KiB and a message of one line that quotes 40 characters.
     */
    @Test
    void anImageIdOverTheLimitIsADeadLetterWithItsKeyCut() throws Exception {
        String id = "i".repeat(600_000);
        RawRecord record = send(id, "", png);
        DeadLetterEvent letter = deadLetters().get(0);
        assertThat(letter.reason()).isEqualTo("IMAGE_ID_TOO_LONG");
        assertThat(letter.message())
                .isEqualTo("the image id has 600000 characters, the limit is 256 (it begins '" + "i".repeat(40) + "')");
        assertThat(letter.key()).hasSize(DeadLetters.MAX_KEY_BYTES);
        assertThat(letter.keyBytes()).isEqualTo(600_000L);
        assertThat(letter.value()).isEqualTo(record.value()); // 600 KB fit in a record
        assertThat(letter.valueBytes()).isEqualTo(record.value().length);
        assertThat(metrics.count("deadLetters.IMAGE_ID_TOO_LONG")).isEqualTo(1);

        send("x".repeat(256), "Korean/character01", png);
        assertThat(samples()).extracting(ImageSample::imageId).containsExactly("x".repeat(256));
    }

    /** Decompression bombs (issue 13, defect 3) are INVALID_IMAGE dead letters naming the declared size. */
    @Test
    void decompressionBombsAreInvalidImagesNamingTheirDeclaredSize() throws Exception {
        byte[] bomb = HostileImages.zeroPng(8192, 8192, 16, HostileImages.RGBA);
        send("bomb-1", "Korean/character01", bomb);
        send("bomb-2", "Korean/character01", HostileImages.cut(bomb, 1096));
        send("bomb-3", "Greek/character01", HostileImages.declaringPng(60_000, 60_000));
        send("bomb-4", "Korean/character01", HostileImages.declaringJpeg(65_000, 65_000));
        send("ok", "Korean/character01", png);
        assertThat(deadLetters())
                .extracting(DeadLetterEvent::reason)
                .containsOnly("INVALID_IMAGE")
                .hasSize(4);
        assertThat(deadLetters())
                .extracting(DeadLetterEvent::message)
                .containsExactly(
                        "image bomb-1: PNG image declares 8192x8192 = 67108864 pixels, the limit is 16777216",
                        "image bomb-2: PNG image declares 8192x8192 = 67108864 pixels, the limit is 16777216",
                        "image bomb-3: PNG image declares 60000x60000 = 3600000000 pixels, the limit is 16777216",
                        "image bomb-4: JPEG image declares 65000x65000 = 4225000000 pixels, the limit is 16777216");
        assertThat(samples()).extracting(ImageSample::imageId).containsExactly("ok");
    }

    @Test
    void theLimitsAreTheConfiguredOnes() throws Exception {
        var strict = new OneInputStreamOperatorTestHarness<RawRecord, ImageSample>(
                new ProcessOperator<>(new DecodeImageFunction(
                        SPEC,
                        new LabelRouter(RouteOptions.OMNIGLOT_EVAL_LABELS),
                        new EventLimits(5, 10, new io.divastream.images.ImageLimits(png.length, 105 * 105, 105 * 105)),
                        DLQ_LIMIT)),
                1,
                1,
                0);
        strict.open();
        try {
            for (String[] idLabel :
                    new String[][] {{"123456", "Korean/c"}, {"12345", "Korean/c123"}, {"12345", "Korean/c"}}) {
                strict.processElement(
                        new RawRecord(TOPIC, 0, offset++, null, event(idLabel[0], idLabel[1], png), 5L), 5L);
            }
            strict.processElement(
                    new RawRecord(
                            TOPIC, 0, offset++, null, event("big", "Korean/c", Arrays.copyOf(png, png.length + 1)), 5L),
                    5L);
            assertThat(strict.getSideOutput(DecodeImageFunction.DEAD_LETTERS))
                    .extracting(r -> r.getValue().reason())
                    .containsExactly("IMAGE_ID_TOO_LONG", "LABEL_TOO_LONG", "INVALID_IMAGE");
            assertThat(strict.extractOutputValues())
                    .extracting(ImageSample::imageId)
                    .containsExactly("12345");
        } finally {
            strict.close();
        }
    }
}
