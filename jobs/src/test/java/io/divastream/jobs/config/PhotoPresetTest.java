package io.divastream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.jobs.pipeline.ArtefactShape;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The photo preset: a frozen TorchScript backbone's features, DiVA's heads trained on them (docs/photos.md). */
class PhotoPresetTest {

    private static JobConfig parse(String... extra) {
        String[] args = new String[extra.length + 2];
        args[0] = "--kafka.bootstrap-servers";
        args[1] = "k:9092";
        System.arraycopy(extra, 0, args, 2, extra.length);
        return JobOptions.parse(args);
    }

    @Test
    void thePhotoPresetTrainsTheHeadsOnAFrozenBackbonesStoredFeatures() {
        String file = SharedFiles.mobileNetV2().toString();
        JobConfig config = parse("--model.preset", "photo-mobilenetv2", "--model.backbone-file", file);
        var network = config.training().model().network();
        assertThat(network.backbone()).isInstanceOf(BackboneSpec.Features.class);
        assertThat(network.backbone().featureDim()).isEqualTo(1280);
        assertThat(network.embeddingDim()).isEqualTo(320);
        assertThat(config.training().model().optimizer().learningRate()).isEqualTo(1e-4);
        assertThat(config.training().model().loss().rho()).isEqualTo(300);
        assertThat(config.training().payload()).isEqualTo(SamplePayload.STORED_FEATURES);
        SampleDecoding.Features decoding =
                (SampleDecoding.Features) config.training().decoding();
        assertThat(decoding.trainingViews()).isEqualTo(8);
        assertThat(decoding.precision()).isEqualTo(StoredFeatures.Precision.HALF);
        assertThat(((BackboneSpec.TorchScript) decoding.backbone()).path())
                .endsWith("mobilenet_v2_imagenet_features.torchscript.pt");
        // a refresh is a matrix product per stored image: a faster pace than the glyphs' 1,000/s in chunks of 64
        assertThat(config.embedding().catalogue().reembedRate()).isEqualTo(10_000);
        assertThat(config.embedding().catalogue().reembedChunk()).isEqualTo(500);
        assertThat(parse().embedding().catalogue().reembedRate()).isEqualTo(1_000);
        // explicit keys win over the preset
        JobConfig given = parse(
                "--model.preset",
                "photo-mobilenetv2",
                "--model.backbone-file",
                file,
                "--model.embedding-dim",
                "64",
                "--train.feature-views",
                "3",
                "--state.feature-precision",
                "single");
        assertThat(given.training().model().network().embeddingDim()).isEqualTo(64);
        SampleDecoding.Features chosen =
                (SampleDecoding.Features) given.training().decoding();
        assertThat(chosen.trainingViews()).isEqualTo(3);
        assertThat(chosen.precision()).isEqualTo(StoredFeatures.Precision.SINGLE);
        // the glyph presets keep decoding glyphs
        assertThat(parse().training().decoding()).isInstanceOf(SampleDecoding.Glyphs.class);
    }

    @Test
    void whatThePhotoPresetCannotRunWithIsRefusedInOneLine() {
        assertThatThrownBy(() -> parse("--model.preset", "photo-mobilenetv2"))
                .hasMessage("option --model.backbone-file is required by --model.preset photo-mobilenetv2: the"
                        + " TorchScript file of the frozen backbone");
        assertThatThrownBy(() -> parse("--model.preset", "photo-mobilenetv2", "--model.backbone-file", "/no/such.pt"))
                .hasMessage("option --model.backbone-file: no such file '/no/such.pt'");
        assertThatThrownBy(() -> parse("--state.feature-precision", "double"))
                .hasMessage("option --state.feature-precision must be half or single, got 'double'");
    }

    @Test
    void aPhotoModelsArtefactsCarryTheFrozenBackboneAndTheStoredPrecision(@TempDir Path dir) {
        String file = SharedFiles.mobileNetV2().toString();
        JobConfig config = parse(
                "--model.preset",
                "photo-mobilenetv2",
                "--model.backbone-file",
                file,
                "--export.dir",
                dir.toString(),
                "--state.feature-precision",
                "single");
        assertThat(config.export().enabled()).isTrue();
        ArtefactShape shape = ArtefactShape.of(config);
        assertThat(shape.glyphSpec()).isNull();
        assertThat(shape.frozen().module().path())
                .isEqualTo(Path.of(file).toAbsolutePath().toString());
        assertThat(shape.frozen().precision()).isEqualTo(StoredFeatures.Precision.SINGLE);
        assertThat(shape.network()).isEqualTo(config.training().model().network());
        ArtefactShape glyphs = ArtefactShape.of(parse());
        assertThat(glyphs.frozen()).isNull();
        assertThat(glyphs.glyphSpec().size()).isEqualTo(glyphs.network().inputSize());
    }

    @Test
    void aUsersTorchScriptBackboneIsDescribedByOptionsAndRunOnceAtStartUp() {
        String file = SharedFiles.mobileNetV2().toString();
        JobConfig mine = parse(
                "--model.preset", "photo-torchscript",
                "--model.backbone-file", file,
                "--model.backbone-feature-dim", "1280",
                "--model.backbone-input-size", "192",
                "--model.backbone-resize", "220",
                "--model.backbone-mean", "0.4,0.5,0.6",
                "--model.backbone-std", "0.2,0.3,0.4");
        BackboneSpec.TorchScript backbone = (BackboneSpec.TorchScript)
                ((SampleDecoding.Features) mine.training().decoding()).backbone();
        assertThat(backbone.featureDim()).isEqualTo(1280);
        assertThat(backbone.input().cropSize()).isEqualTo(192);
        assertThat(backbone.input().resizeSize()).isEqualTo(220);
        assertThat(backbone.input().mean()).containsExactly(0.4f, 0.5f, 0.6f);
        assertThat(backbone.input().std()).containsExactly(0.2f, 0.3f, 0.4f);
        assertThat(mine.training().model().network().embeddingDim())
                .as("the photo recipe")
                .isEqualTo(320);
        BackboneProbe.check(mine); // MobileNetV2 pools any input size to 1280 values

        // the MobileNetV2 preset describes the shared file as it was exported: 1280-d, inputs scaled to [-1, 1]
        BackboneSpec preset = ((SampleDecoding.Features)
                        parse("--model.preset", "photo-mobilenetv2", "--model.backbone-file", file)
                                .training()
                                .decoding())
                .backbone();
        assertThat(preset)
                .isEqualTo(BackboneSpec.TorchScript.mobileNetV2ImagenetFile(
                        Path.of(file).toAbsolutePath()));

        // a wrong width is found by the forward pass, before the job starts
        JobConfig wrong = parse(
                "--model.preset", "photo-torchscript",
                "--model.backbone-file", file,
                "--model.backbone-feature-dim", "2048");
        assertThatThrownBy(() -> BackboneProbe.check(wrong))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("option --model.backbone-file torchscript-"
                        + Path.of(file).getFileName()
                        + ": one forward pass on a 3 x 224 x 224 input (--model.backbone-input-size) giving 2048"
                        + " values (--model.backbone-feature-dim) failed: ")
                .hasMessageContaining("1280");
        assertThatThrownBy(() -> parse("--model.preset", "photo-torchscript", "--model.backbone-file", file))
                .hasMessage("option --model.backbone-feature-dim is required by --model.preset photo-torchscript:"
                        + " the width of the backbone's output per image");
        assertThatThrownBy(() -> parse(
                        "--model.preset", "photo-torchscript",
                        "--model.backbone-file", file,
                        "--model.backbone-feature-dim", "8",
                        "--model.backbone-mean", "0.5,0.5"))
                .hasMessage("option --model.backbone-mean must be three finite numbers (R, G, B), got [0.5, 0.5]");
    }

    @Test
    void aFileThatIsNotTorchScriptStopsTheJobBeforeItStarts(@TempDir Path dir) throws IOException {
        Path notAModel = Files.write(dir.resolve("backbone.pt"), new byte[] {1, 2, 3});
        JobConfig config = parse(
                "--model.preset", "photo-torchscript",
                "--model.backbone-file", notAModel.toString(),
                "--model.backbone-feature-dim", "512");
        assertThatThrownBy(() -> BackboneProbe.check(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("option --model.backbone-file torchscript-backbone.pt: one forward pass");
        BackboneProbe.check(parse()); // the glyph presets have nothing to probe
    }
}
