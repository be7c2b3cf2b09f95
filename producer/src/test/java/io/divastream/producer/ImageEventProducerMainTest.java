package io.divastream.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.datasets.DatasetFormat;
import io.divastream.schemas.ImageEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ImageEventProducerMainTest {

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ImageEventProducerMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void publishesTheEmbeddedSetInTheSeededInterleavedOrder() {
        int code = run(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--topic",
                "cli-images",
                "--rate",
                "0",
                "--seed",
                "5",
                "--limit",
                "25");

        assertThat(code).as(err()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("published 25 image events to cli-images");
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readAll("cli-images", 25, Duration.ofSeconds(30));
        List<LabeledImage> expected =
                InterleavedOrder.of(OmniglotDataset.loadEmbedded(), 5).subList(0, 25);
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        assertThat(records)
                .extracting(r -> codec.decode(r.value()).getImageId())
                .containsExactlyElementsOf(
                        expected.stream().map(LabeledImage::imageId).toList());
    }

    @Test
    void missingDataDirectoryIsAOneLineErrorWithTheNonZeroStatus(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        int code = run("--bootstrap-servers", KAFKA.bootstrapServers(), "--data-dir", missing.toString());

        assertThat(code).isEqualTo(ImageEventProducerMain.EXIT_FAILURE);
        assertThat(err().lines())
                .hasSize(1)
                .first()
                .asString()
                .startsWith("error: ")
                .contains(missing.toAbsolutePath().toString());
        assertThat(err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void badArgumentsPrintTheErrorAndUsage() {
        assertThat(run("--rate", "fast", "--bootstrap-servers", "x:1")).isEqualTo(ImageEventProducerMain.EXIT_USAGE);
        assertThat(err()).startsWith("error: --rate must be a number: fast").contains("Usage: ImageEventProducerMain");
        assertThat(err()).doesNotContain("Exception");
    }

    @Test
    void helpPrintsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .startsWith("Usage: ImageEventProducerMain")
                .contains("--bootstrap-servers", "--format", "--limit", DatasetFormat.names());
    }

    @Test
    void parsesArguments() {
        ProducerArguments parsed = ProducerArguments.parse(
                "--bootstrap-servers",
                "h:1",
                "--data-dir",
                "some/dir",
                "--rate",
                "12.5",
                "--seed",
                "-3",
                "--limit",
                "9");
        assertThat(parsed.bootstrapServers()).isEqualTo("h:1");
        assertThat(parsed.topic()).isEqualTo("diva.images");
        assertThat(parsed.dataDirectory()).contains(Path.of("some/dir"));
        assertThat(parsed.eventsPerSecond()).isEqualTo(12.5);
        assertThat(parsed.arrival().seed()).isEqualTo(-3);
        assertThat(parsed.limit()).isEqualTo(OptionalLong.of(9));

        ProducerArguments defaults = ProducerArguments.parse("--bootstrap-servers", "h:1");
        assertThat(defaults.dataDirectory()).isEmpty();
        assertThat(defaults.limit()).isEmpty();
        assertThat(defaults.eventsPerSecond()).isEqualTo(ProducerArguments.DEFAULT_RATE);
    }

    @Test
    void rejectsMalformedArguments() {
        assertThatThrownBy(ProducerArguments::parse).hasMessage("--bootstrap-servers is required");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers"))
                .hasMessage("missing value for --bootstrap-servers");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--colour", "red"))
                .hasMessage("unknown argument: --colour");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--limit", "-1"))
                .hasMessageContaining("--limit must not be negative");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--seed", "1.5"))
                .hasMessageContaining("--seed must be an integer");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--rate", "NaN"))
                .hasMessageContaining("--rate must be a number");
    }

    @Test
    void publishesTheTestClassesOfACubTreeWithRolePrefixedLabelsAndTheirBytes(@TempDir Path root)
            throws java.io.IOException {
        java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
        for (int c = 1; c <= 4; c++) {
            for (int i = 0; i < 3; i++) {
                String relative = String.format("images/%03d.Bird%d/bird%d_%d.jpg", c, c, c, i);
                byte[] bytes = ("jpeg " + c + "/" + i).getBytes(StandardCharsets.UTF_8);
                java.nio.file.Files.createDirectories(root.resolve(relative).getParent());
                java.nio.file.Files.write(root.resolve(relative), bytes);
                files.put("cub/" + relative.substring("images/".length()), bytes);
            }
        }
        int code = run(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--topic",
                "cli-cub",
                "--rate",
                "0",
                "--format",
                "cub",
                "--data-dir",
                root.toString(),
                "--split",
                "1-2:3-4",
                "--role",
                "test",
                "--prefix-role",
                "true");

        assertThat(code).as(err()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("published 6 image events to cli-cub");
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        List<ImageEvent> events = KAFKA.readAll("cli-cub", 6, Duration.ofSeconds(30)).stream()
                .map(r -> codec.decode(r.value()))
                .toList();
        assertThat(events).extracting(ImageEvent::getLabel).containsOnly("test/003.Bird3", "test/004.Bird4");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getContentType()).isEqualTo("image/jpeg");
            assertThat(e.getSource()).isEqualTo(root.getFileName().toString());
            byte[] bytes = new byte[e.getImage().remaining()];
            e.getImage().duplicate().get(bytes);
            assertThat(bytes).isEqualTo(files.get(e.getImageId()));
        });
        // Class-interleaved: the first two events cover both classes.
        assertThat(events.subList(0, 2)).extracting(ImageEvent::getLabel).doesNotHaveDuplicates();
    }

    @Test
    void malformedDatasetIsAOneLineErrorNamingTheFileAndLine(@TempDir Path root) throws java.io.IOException {
        java.nio.file.Files.writeString(
                root.resolve("Ebay_train.txt"), "image_id class_id super_class_id path\n1 1 bicycle_final/x.JPG\n");
        int code =
                run("--bootstrap-servers", KAFKA.bootstrapServers(), "--format", "sop", "--data-dir", root.toString());
        assertThat(code).isEqualTo(ImageEventProducerMain.EXIT_FAILURE);
        assertThat(err().lines())
                .singleElement()
                .asString()
                .startsWith("error: ")
                .contains(root.resolve("Ebay_train.txt") + ":2: expected 4 fields");
    }

    @Test
    void parsesDatasetOptions() {
        ProducerArguments parsed = ProducerArguments.parse(
                "--bootstrap-servers",
                "h:1",
                "--format",
                "CUB",
                "--data-dir",
                "cub.tar",
                "--split",
                "1-20:21-30",
                "--role",
                "train",
                "--prefix-role",
                "true");
        assertThat(parsed.format()).isEqualTo(io.divastream.datasets.DatasetFormat.CUB);
        assertThat(parsed.selection())
                .isEqualTo(new DatasetSelection(
                        io.divastream.datasets.ClassSplit.ranges(1, 20, 21, 30), DatasetSelection.Role.TRAIN, true));
        ProducerArguments defaults = ProducerArguments.parse("--bootstrap-servers", "h:1");
        assertThat(defaults.format()).isEqualTo(io.divastream.datasets.DatasetFormat.OMNIGLOT);
        assertThat(defaults.selection()).isEqualTo(DatasetSelection.EVERYTHING);
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--format", "cars"))
                .hasMessage("--data-dir is required for --format cars");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--format", "png"))
                .hasMessageContaining("unknown dataset format 'png'");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--role", "val"))
                .hasMessage("--role must be all, train, test, query or gallery: val");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--split", "1-3"))
                .hasMessageStartingWith("--split: ");
        assertThatThrownBy(() -> ProducerArguments.parse("--bootstrap-servers", "h:1", "--prefix-role", "yes"))
                .hasMessage("--prefix-role must be true or false: yes");
    }

    /**
     * Issue 13, defect 9: the producer aborted the whole run at the first file it could not send. Now a
     * folder with a file over limits.image-bytes (sparse, never read), a file whose event would exceed
     * max.request.size and a file name that makes an id over the limit publishes every other image, exits with
     * {@link ImageEventProducerMain#EXIT_SKIPPED} and reports each skipped file.
     */
    @Test
    void filesThatCannotBeSentAreSkippedCountedAndReported(@TempDir Path root) throws java.io.IOException {
        java.nio.file.Files.createDirectories(root.resolve("cats"));
        java.nio.file.Files.createDirectories(root.resolve("dogs"));
        for (int i = 0; i < 3; i++) {
            java.nio.file.Files.write(
                    root.resolve("cats/cat" + i + ".png"), ("png " + i).getBytes(StandardCharsets.UTF_8));
            java.nio.file.Files.write(
                    root.resolve("dogs/dog" + i + ".png"), ("png " + i).getBytes(StandardCharsets.UTF_8));
        }
        java.nio.file.Files.write(root.resolve("cats/" + "f".repeat(250) + ".png"), new byte[] {1}); // id over 256
        java.nio.file.Files.write(root.resolve("dogs/big.png"), new byte[1_100_000]);
        try (java.io.RandomAccessFile huge =
                new java.io.RandomAccessFile(root.resolve("cats/huge.png").toFile(), "rw")) {
            huge.setLength(3L << 30); // sparse: 3 GiB that are never read
        }
        int code = run(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--topic",
                "cli-folder",
                "--rate",
                "0",
                "--format",
                "folder",
                "--data-dir",
                root.toString());

        assertThat(code).as(err()).isEqualTo(ImageEventProducerMain.EXIT_SKIPPED);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("published 6 image events to cli-folder");
        List<String> report = err().lines().toList();
        assertThat(report.get(0))
                .isEqualTo("skipped 3 images: 1 IMAGE_ID_TOO_LONG; 1 over limits.image-bytes; 1 over max.request.size");
        assertThat(report)
                .anySatisfy(line -> assertThat(line).contains("huge.png has 3221225472 bytes, the limit is 10485760"));
        assertThat(report)
                .anySatisfy(line -> assertThat(line).contains("big.png: an event of", "max.request.size is 1048576"));
        assertThat(KAFKA.readAll("cli-folder", 6, Duration.ofSeconds(30))).hasSize(6);
    }
}
