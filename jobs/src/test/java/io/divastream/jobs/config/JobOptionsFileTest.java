package io.divastream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.model.DeviceRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration file: the documented default file, {@code --config}, overrides, file errors, presets. */
class JobOptionsFileTest {

    /** The documented file, from the jobs module's directory (where the tests run). */
    private static final Path DOCUMENTED = Path.of("..").resolve(JobOptions.CONFIG_FILE);

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path file = dir.resolve("diva-" + System.nanoTime() + ".properties");
        Files.write(file, List.of(lines));
        return file;
    }

    @Test
    void theDocumentedFileIsTheTemplateOfEveryOption() throws IOException {
        String template = JobOptions.configFileTemplate();
        if (!Files.readString(DOCUMENTED).equals(template)) {
            Path regenerated = Path.of("target", "diva-stream.properties");
            Files.createDirectories(regenerated.getParent());
            Files.writeString(regenerated, template);
            throw new AssertionError(DOCUMENTED + " differs from the option declarations; the current template is in "
                    + regenerated.toAbsolutePath() + " (copy it over if the options changed on purpose)");
        }
        // every option exactly once, at its default, and nothing else
        Set<String> keys = new LinkedHashSet<>();
        for (String line : Files.readAllLines(DOCUMENTED)) {
            if (line.matches("# [a-z0-9.-]+ =.*") && !isClientPropertyExample(line)) {
                String key = line.substring(2, line.indexOf(' ', 2));
                assertThat(keys.add(key)).as("key %s listed twice", key).isTrue();
                DivaOption<?> option = JobOptions.ALL.options().stream()
                        .filter(o -> o.key().equals(key))
                        .findFirst()
                        .orElseThrow();
                assertThat(line.substring(line.indexOf('=') + 1).strip())
                        .isEqualTo(option.isRequired() ? "" : option.defaultText());
            }
        }
        assertThat(keys)
                .containsExactlyElementsOf(
                        JobOptions.ALL.options().stream().map(DivaOption::key).toList());
    }

    @Test
    void theDocumentedFileUncommentedGivesTheDefaultConfiguration() throws Exception {
        List<String> active = new ArrayList<>();
        for (String line : Files.readAllLines(DOCUMENTED)) {
            if (line.matches("# [a-z0-9.-]+ =.*") && !isClientPropertyExample(line)) {
                active.add(
                        line.startsWith("# kafka.bootstrap-servers")
                                ? "kafka.bootstrap-servers = b:9092"
                                : line.substring(2));
            }
        }
        JobConfig fromFile = JobOptions.parse(
                new String[] {"--config", file(active.toArray(String[]::new)).toString()});
        JobConfig fromDefaults = JobOptions.parse(new String[] {"--kafka.bootstrap-servers", "b:9092"});
        assertSameConfig(fromFile, fromDefaults);
        // and the commented file itself changes nothing either
        JobConfig commented = JobOptions.parse(
                new String[] {"--config", DOCUMENTED.toString(), "--kafka.bootstrap-servers", "b:9092"});
        assertSameConfig(commented, fromDefaults);
    }

    /** The file's examples of client properties, which are not options with defaults. */
    private static boolean isClientPropertyExample(String line) {
        return line.startsWith("# kafka.properties.");
    }

    /** Equal configurations (the embedding part holds an array, compared by content). */
    private static void assertSameConfig(JobConfig actual, JobConfig expected) {
        assertThat(actual.kafka()).isEqualTo(expected.kafka());
        assertThat(actual.routing()).isEqualTo(expected.routing());
        assertThat(actual.batching()).isEqualTo(expected.batching());
        assertThat(actual.training()).isEqualTo(expected.training());
        assertThat(actual.runtime()).isEqualTo(expected.runtime());
        assertThat(actual.embedding().headWeights())
                .containsExactly(expected.embedding().headWeights());
        assertThat(actual.embedding().catalogue())
                .isEqualTo(expected.embedding().catalogue());
        assertThat(actual.metrics()).isEqualTo(expected.metrics());
    }

    @Test
    void fileValuesApplyAndTheCommandLineWinsWhateverTheOrder() throws IOException {
        Path f = file(
                "# a comment",
                "! another",
                "",
                "kafka.bootstrap-servers = k:9092",
                "batch.classes=12",
                "  batch.images-per-class : 3",
                "route.eval-labels = ^(Greek)/\\d+",
                "checkpoint.dir =");
        JobConfig config = JobOptions.parse(new String[] {"--batch.classes", "20", "--config", f.toString()});
        assertThat(config.kafka().bootstrapServers()).isEqualTo("k:9092");
        assertThat(config.batching().classesPerBatch()).isEqualTo(20);
        assertThat(config.batching().imagesPerClass()).isEqualTo(3);
        assertThat(config.routing().evalLabelRegex()).isEqualTo("^(Greek)/\\d+");
        assertThat(config.runtime().checkpointDirectory()).isEmpty();
    }

    @Test
    void aLaterFileWinsOverAnEarlierOne() throws IOException {
        Path a = file("kafka.bootstrap-servers = a:1", "batch.classes = 10");
        Path b = file("batch.classes = 11");
        JobConfig config = JobOptions.parse(new String[] {"--config", a.toString(), "--config", b.toString()});
        assertThat(config.batching().classesPerBatch()).isEqualTo(11);
        assertThat(config.kafka().bootstrapServers()).isEqualTo("a:1");
    }

    @Test
    void anUnknownKeyNamesFileLineAndTheClosestKey() throws IOException {
        Path f = file("kafka.bootstrap-servers = k:9092", "", "batch.clases = 3");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--config", f.toString()}))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        f + ":3: unknown key batch.clases (did you mean batch.classes?); run with --help for the list");
        Path demoKey = file("demo.rate = 3");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--config", demoKey.toString()}))
                .hasMessageContaining("unknown key demo.rate");
    }

    @Test
    void malformedFilesAreRejectedWithFileAndLine() throws IOException {
        Path noValue = file("batch.classes");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--config", noValue.toString()}))
                .isInstanceOf(ConfigException.class)
                .hasMessage(noValue + ":1: expected 'key = value' or a # comment, got 'batch.classes'");
        Path twice = file("batch.classes = 3", "batch.classes = 4");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--config", twice.toString()}))
                .hasMessage(twice + ":2: key batch.classes is already set on line 1");
        Path missing = dir.resolve("absent.properties");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--config", missing.toString()}))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot read configuration file " + missing);
    }

    @Test
    void aBadValueInTheFileNamesTheKey() throws IOException {
        Path f = file("kafka.bootstrap-servers = k:9092", "train.device = tpu");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--config", f.toString()}))
                .isInstanceOf(ConfigException.class)
                .hasMessage("option --train.device must be auto, cpu or gpu, got 'tpu'");
    }

    @Test
    void thePresetSetsTheModelKeysAndExplicitKeysWin() throws IOException {
        JobConfig wide = JobOptions.parse(
                new String[] {"--kafka.bootstrap-servers", "k:1", "--model.preset", "omniglot-conv4-wide"});
        assertThat(wide.training().model().network().channels()).containsExactly(128, 128, 128, 128);
        assertThat(wide.training().model().network().inputSize()).isEqualTo(28);
        Path f = file("model.preset = omniglot-conv4-wide", "model.channels = 32,32");
        JobConfig overridden =
                JobOptions.parse(new String[] {"--kafka.bootstrap-servers", "k:1", "--config", f.toString()});
        assertThat(overridden.training().model().network().channels()).containsExactly(32, 32);
        assertThat(JobOptions.parse(new String[] {"--kafka.bootstrap-servers", "k:1"})
                        .training()
                        .model()
                        .network()
                        .channels())
                .containsExactly(64, 64, 64, 64);
        for (ModelPreset preset : ModelPreset.values()) {
            assertThat(preset.settings()).containsKey("model.embedding-dim");
            if (!preset.photo()) {
                assertThat(preset.settings()).containsKeys("image.size", "model.channels");
            }
        }
        assertThatThrownBy(() -> JobOptions.parse(
                        new String[] {"--kafka.bootstrap-servers", "k:1", "--model.preset", "resnet50"}))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "option --model.preset must be one of omniglot-conv4, omniglot-conv4-wide, photo-mobilenetv2,"
                                + " photo-torchscript, photo-resnet50, got 'resnet50'");
    }

    @Test
    void theDeviceOptionsReachTheTrainingConfiguration() {
        JobConfig config = JobOptions.parse(new String[] {
            "--kafka.bootstrap-servers", "k:1", "--train.device", "gpu", "--train.engine-flavour", "cu128"
        });
        assertThat(config.training().device()).isEqualTo(DeviceRequest.GPU);
        assertThat(config.training().engineFlavour()).isEqualTo("cu128");
        JobConfig defaults = JobOptions.parse(new String[] {"--kafka.bootstrap-servers", "k:1"});
        assertThat(defaults.training().device()).isEqualTo(DeviceRequest.AUTO);
        assertThat(defaults.training().engineFlavour()).isEqualTo("auto");
    }

    @Test
    void usageMentionsTheConfigOption() {
        assertThat(JobOptions.ALL.usage("diva-stream")).contains("--config=FILE");
    }
}
