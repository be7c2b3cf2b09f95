package io.divastream.connectors.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.testing.LocalKafkaExtension;
import io.divastream.schemas.ImageEvent;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

class ImageEventProducerMainTest {

    @RegisterExtension static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

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
        int code =
                run(
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
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("published 25 image events to cli-images");
        List<ConsumerRecord<byte[], byte[]>> records =
                KAFKA.readAll("cli-images", 25, Duration.ofSeconds(30));
        List<LabeledImage> expected =
                InterleavedOrder.of(OmniglotDataset.loadEmbedded(), 5).subList(0, 25);
        AvroCodec<ImageEvent> codec = AvroCodec.of(ImageEvent.class);
        assertThat(records)
                .extracting(r -> codec.decode(r.value()).getImageId())
                .containsExactlyElementsOf(expected.stream().map(LabeledImage::imageId).toList());
    }

    @Test
    void missingDataDirectoryIsAOneLineErrorWithTheNonZeroStatus(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        int code =
                run(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--data-dir",
                        missing.toString());

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
        assertThat(run("--rate", "fast", "--bootstrap-servers", "x:1"))
                .isEqualTo(ImageEventProducerMain.EXIT_USAGE);
        assertThat(err()).startsWith("error: --rate must be a number: fast").contains("usage:");
        assertThat(err()).doesNotContain("Exception");
    }

    @Test
    void helpPrintsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage:");
    }

    @Test
    void parsesArguments() {
        ProducerArguments parsed =
                ProducerArguments.parse(
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
        assertThat(parsed.seed()).isEqualTo(-3);
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
        assertThatThrownBy(
                        () ->
                                ProducerArguments.parse(
                                        "--bootstrap-servers", "h:1", "--colour", "red"))
                .hasMessage("unknown argument: --colour");
        assertThatThrownBy(
                        () ->
                                ProducerArguments.parse(
                                        "--bootstrap-servers", "h:1", "--limit", "-1"))
                .hasMessageContaining("--limit must not be negative");
        assertThatThrownBy(
                        () ->
                                ProducerArguments.parse(
                                        "--bootstrap-servers", "h:1", "--seed", "1.5"))
                .hasMessageContaining("--seed must be an integer");
        assertThatThrownBy(
                        () ->
                                ProducerArguments.parse(
                                        "--bootstrap-servers", "h:1", "--rate", "NaN"))
                .hasMessageContaining("--rate must be a number");
    }
}
