package io.divastream.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.InputSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PresetTest {

    @Test
    void paperPresetsCarryTheSampleRunValuesOfSpecSection46() {
        // dataset, backbone, tau, gamma, alpha, rho, n_key_batches, epochs, seed (DIVA_SPEC 4.6)
        Object[][] table = {
            {"cub-resnet50", 55, 0.2, 0.3, 1500.0, 30, 350, 0L},
            {"cub-bninception", 70, 0.3, 0.1, 300.0, 30, 350, 0L},
            {"cars-resnet50", 70, 0.2, 0.15, 100.0, 30, 350, 0L},
            {"cars-bninception", 160, 0.3, 0.15, 100.0, 30, 350, 1L},
            {"sop-resnet50", 70, 0.3, 0.2, 150.0, 70, 150, 0L},
            {"sop-bninception", 80, 0.3, 0.1, 150.0, 70, 150, 0L},
        };
        for (Object[] row : table) {
            Preset p = Preset.named((String) row[0]);
            assertThat(p.tauEpoch()).as(p.id()).isEqualTo(row[1]);
            assertThat(p.gamma()).as(p.id()).isEqualTo(row[2]);
            assertThat(p.alpha()).as(p.id()).isEqualTo(row[3]);
            assertThat(p.rho()).as(p.id()).isEqualTo(row[4]);
            assertThat(p.keyBatches()).as(p.id()).isEqualTo(row[5]);
            assertThat(p.epochs()).as(p.id()).isEqualTo(row[6]);
            assertThat(p.seed()).as(p.id()).isEqualTo(row[7]);
            assertThat(p.learningRate()).isEqualTo(1e-5);
            assertThat(p.decorrelationLearningRate()).isEqualTo(1e-5);
        }
        assertThat(Preset.named("cub-resnet50").weightings())
                .containsOnlyKeys("0.75-1.25-1.25-1.25", "0.5-1-1-1", "0.5-1.5-1.5-1.5");
        assertThat(Preset.named("sop-resnet50").weightings().get("1-0.5-0.5-0.5"))
                .containsExactly(1, 0.5, 0.5, 0.5);
    }

    @Test
    void theMilestoneFallsAfterTauEpochsOfFloorNOverBSteps() {
        // CUB: 5,864 training images / 112 = 52 steps per epoch; tau 55 -> step 2,860
        assertThat(Preset.named("cub-resnet50").milestoneStep(5864 / 112)).isEqualTo(2860);
    }

    @Test
    void unknownPresetsAndUnbuildableBackbonesAreClearErrors(@TempDir Path dir) {
        assertThatThrownBy(() -> Preset.named("cub-vit"))
                .hasMessageContaining("unknown preset 'cub-vit'")
                .hasMessageContaining("cub-resnet50");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new DivaBatchMain()).setErr(new PrintWriter(err));
        int code = cli.execute("train", "--preset", "cub-bninception", "--data", dir.toString());
        assertThat(code).isNotZero();
        // BN-Inception has no model-zoo copy: its presets refuse to start without ImageNet weights
        assertThat(err.toString()).contains("cub-bninception needs --backbone-weights");
        err.getBuffer().setLength(0);
        code = cli.execute(
                "train",
                "--preset",
                "cub-bninception",
                "--data",
                dir.toString(),
                "--backbone-weights",
                dir.resolve("bn_inception.pt").toString());
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("--backbone-weights", "bn_inception.pt is not a file");
        err.getBuffer().setLength(0);
        code = cli.execute("train", "--preset", "cub-resnt50", "--data", dir.toString());
        assertThat(err.toString()).contains("unknown preset 'cub-resnt50'");
    }

    @Test
    void theBnInceptionPresetsBuildBnInceptionFromTheGivenWeights(@TempDir Path dir) throws IOException {
        Path weights = Files.createFile(dir.resolve("bn_inception.pt"));
        for (String preset : new String[] {"cub-bninception", "cars-bninception", "sop-bninception"}) {
            TrainCommand command = new TrainCommand();
            new CommandLine(command)
                    .parseArgs("--preset", preset, "--data", dir.toString(), "--backbone-weights", weights.toString());
            BackboneSpec spec = command.backbone(Preset.named(preset));
            assertThat(spec).isEqualTo(new BackboneSpec.BnInception(weights.toString()));
            assertThat(spec.input()).isEqualTo(InputSpec.caffeBnInception());
        }
        TrainCommand resnet = new TrainCommand();
        new CommandLine(resnet)
                .parseArgs(
                        "--preset", "cub-resnet50", "--data", dir.toString(), "--backbone-weights", weights.toString());
        assertThat(resnet.backbone(Preset.named("cub-resnet50")))
                .isEqualTo(new BackboneSpec.ResNet(50, true, weights.toString()));
    }
}
