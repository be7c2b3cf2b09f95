package io.divastream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.embed.Embedder;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.LabeledBatch;
import io.divastream.model.train.StepResult;
import io.divastream.model.train.ViewAugmenter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Device selection on this CPU-only machine: the real engine for cpu/auto/gpu, the pure rule for the rest. */
class DeviceSelectionTest {

    private static final String VERSION = "2.7.1";

    @Test
    void autoOnAMachineWithoutGpuChoosesTheCpuAndLogsOneLine() {
        List<String> info = new ArrayList<>();
        List<String> warn = new ArrayList<>();
        DeviceSelection selection = DeviceSelection.select(DeviceRequest.AUTO, "auto", info::add, warn::add);
        assertThat(selection.device()).isEqualTo(Device.cpu());
        assertThat(selection.gpuCount()).isZero();
        assertThat(selection.flavour()).isEqualTo("cpu");
        assertThat(info)
                .containsExactly("training on cpu() (engine PyTorch " + VERSION
                        + ", flavour cpu; device auto, 0 GPU(s) visible)");
        assertThat(warn).isEmpty();
    }

    @Test
    void cpuIsTheCpu() {
        assertThat(DeviceSelection.select(DeviceRequest.CPU, "cpu", s -> {}, s -> {})
                        .device())
                .isEqualTo(Device.cpu());
    }

    @Test
    void gpuWithoutAGpuFailsNamingTheCauseAndTheWayOut() {
        assertThatThrownBy(() -> DeviceSelection.select(DeviceRequest.GPU, "auto", s -> {}, s -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("device gpu was asked for but no GPU is usable (engine PyTorch " + VERSION)
                .hasMessageContaining("CPU build (flavour cpu)")
                .hasMessageContaining("DJL_FLAVOR=cu128")
                .hasMessageContaining("train.device=auto or cpu");
    }

    @Test
    void theRuleWithAGpuPresent() {
        assertThat(DeviceSelection.resolve(DeviceRequest.AUTO, "auto", 2, VERSION, "cu128")
                        .device())
                .isEqualTo(Device.gpu());
        assertThat(DeviceSelection.resolve(DeviceRequest.GPU, "cu128", 1, VERSION, "cu128")
                        .device())
                .isEqualTo(Device.gpu());
        assertThat(DeviceSelection.resolve(DeviceRequest.CPU, "auto", 1, VERSION, "cu128")
                        .device())
                .isEqualTo(Device.cpu());
    }

    @Test
    void aCudaLibraryWithoutGpuFallsBackWithAWarningOrFailsForGpu() {
        DeviceSelection auto = DeviceSelection.resolve(DeviceRequest.AUTO, "cu128", 0, VERSION, "cu128");
        assertThat(auto.device()).isEqualTo(Device.cpu());
        assertThat(auto.warning())
                .hasValueSatisfying(w -> assertThat(w)
                        .contains("fell back to the CPU")
                        .contains("flavour cu128")
                        .contains("no GPU is visible"));
        assertThat(DeviceSelection.resolve(DeviceRequest.AUTO, "auto", 0, VERSION, "cpu")
                        .warning())
                .isEmpty();
        assertThatThrownBy(() -> DeviceSelection.resolve(DeviceRequest.GPU, "auto", 0, VERSION, "cu128"))
                .hasMessageContaining("CUDA library (flavour cu128) is loaded but the engine sees no GPU");
    }

    @Test
    void aFlavourOtherThanTheConfiguredOneFails() {
        assertThatThrownBy(() -> DeviceSelection.resolve(DeviceRequest.AUTO, "cu128", 0, VERSION, "cpu"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("loaded the native library flavour 'cpu' but 'cu128' is configured")
                .hasMessageContaining("PYTORCH_FLAVOR=cu128");
        assertThat(DeviceSelection.resolve(DeviceRequest.AUTO, "cpu", 0, VERSION, "cpu")
                        .device())
                .isEqualTo(Device.cpu());
    }

    @Test
    void theFlavourIsReadFromDjlsLibraryDirectory() {
        assertThat(DeviceSelection.loadedFlavour()).isEqualTo("cpu");
        assertThat(DeviceSelection.flavourOfLibraryDirectory("2.7.1-20250812-cpu-linux-x86_64"))
                .isEqualTo("cpu");
        assertThat(DeviceSelection.flavourOfLibraryDirectory("2.7.1-cu128-linux-x86_64"))
                .isEqualTo("cu128");
        assertThat(DeviceSelection.flavourOfLibraryDirectory("2.7.1-cu128-precxx11-linux-aarch64"))
                .isEqualTo("cu128-precxx11");
        assertThat(DeviceSelection.flavourOfLibraryDirectory("libtorch")).isEqualTo("unknown");
        assertThat(DeviceSelection.FLAVOUR.matcher("cu128").matches()).isTrue();
        assertThat(DeviceSelection.FLAVOUR.matcher("cuda").matches()).isFalse();
        // every flavour this build claims is one DJL's JNI jar on the class path carries a library for
        for (String flavour : DeviceSelection.SUPPORTED_FLAVOURS) {
            assertThat(DeviceSelection.class
                            .getClassLoader()
                            .getResource("jnilib/linux-x86_64/" + flavour + "/libdjl_torch.so"))
                    .as("JNI library of flavour %s", flavour)
                    .isNotNull();
        }
        assertThat(DeviceSelection.class.getClassLoader().getResource("jnilib/linux-x86_64/cu126/libdjl_torch.so"))
                .isNull();
    }

    @Test
    void requestsParse() {
        assertThat(DeviceRequest.parse(" GPU ")).isEqualTo(DeviceRequest.GPU);
        assertThatThrownBy(() -> DeviceRequest.parse("tpu")).hasMessageContaining("auto, cpu or gpu");
    }

    /** A step on the selected device trains exactly as the trainer on the engine's default device. */
    @Test
    void aTrainingStepRunsOnTheSelectedDeviceAndEmbedsThere() {
        DivaConfig config = new DivaConfig(
                new NetworkSpec(28, List.of(8, 8), 16, List.of(DivaHead.values()), 32),
                new LossSpec(0.2, 1.2, 0.5, 0.3, 0.3, 0.3, 1500, 0.01, 1.4, false),
                new OptimizerSpec(1e-3, 4e-4, 5e-4, 1e-3),
                new MomentumSpec(0.9, 64),
                7L);
        Device device = DeviceSelection.select(DeviceRequest.AUTO, "auto", s -> {}, s -> {})
                .device();
        LabeledBatch batch = batch(new SplittableRandom(3));
        try (DivaTrainer selected = new DivaTrainer(config, ViewAugmenter.IDENTITY, 64, device);
                DivaTrainer reference = new DivaTrainer(config, ViewAugmenter.IDENTITY, 64)) {
            StepResult a = selected.step(batch);
            StepResult b = reference.step(batch);
            assertThat(a.step()).isEqualTo(1);
            assertThat(a.total()).isFinite().isEqualTo(b.total());
            assertThat(selected.snapshot(1).sha256())
                    .isEqualTo(reference.snapshot(1).sha256());
            try (Embedder embedder = new Embedder(config.network(), device)) {
                embedder.load(selected.snapshot(1));
                float[][][] e = embedder.embed(new float[][] {batch.images()[0]});
                assertThat(e).hasDimensions(DivaHead.values().length, 1);
                double norm = 0;
                for (float v : e[0][0]) {
                    norm += v * v;
                }
                assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    private static LabeledBatch batch(SplittableRandom random) {
        List<String> labels = new ArrayList<>();
        float[][] images = new float[16][28 * 28];
        for (int i = 0; i < 16; i++) {
            labels.add("c" + (i / 4));
            for (int j = 0; j < images[i].length; j++) {
                images[i][j] = (float) random.nextDouble();
            }
        }
        return new LabeledBatch(labels, images);
    }
}
