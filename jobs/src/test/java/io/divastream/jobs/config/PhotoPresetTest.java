package io.divastream.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.SharedFiles;
import org.junit.jupiter.api.Test;

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
        String file = SharedFiles.mobileNetV2().toString();
        assertThatThrownBy(() -> parse(
                        "--model.preset",
                        "photo-mobilenetv2",
                        "--model.backbone-file",
                        file,
                        "--export.dir",
                        "/tmp/artefacts"))
                .hasMessageStartingWith("option --export.dir is not available with --model.preset photo-mobilenetv2");
        assertThatThrownBy(() -> parse("--state.feature-precision", "double"))
                .hasMessage("option --state.feature-precision must be half or single, got 'double'");
    }
}
