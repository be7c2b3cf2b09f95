package io.divastream.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.testing.TestPhotos;
import io.divastream.model.DjlRuntime;
import io.divastream.model.net.DivaNetwork;
import io.divastream.model.net.ParameterIo;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.SharedFiles;
import io.divastream.model.net.backbone.TorchvisionResNetFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code finetune} mode at the small scale a CPU allows: the whole network (the pretrained MobileNetV2 and the
 * heads) trains on the pixels of encoded photos, views drawn by the trainer, deterministically, and a run restored
 * from a checkpoint publishes the versions of a run without the interruption bit for bit.
 */
class DivaTrainFunctionFinetuneTest {

    private static JobConfig config(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--kafka.bootstrap-servers", "unused:9092",
                "--model.preset", "photo-mobilenetv2",
                "--model.backbone-file", SharedFiles.mobileNetV2().toString(),
                "--train.mode", "finetune",
                "--model.backbone-input-size", "64",
                "--model.backbone-resize", "72",
                "--model.embedding-dim", "16",
                "--train.queue-size", "12",
                "--train.steps-per-version", "2",
                "--batch.classes", "3",
                "--batch.images-per-class", "2"));
        args.addAll(List.of(more));
        return JobOptions.parse(args.toArray(String[]::new));
    }

    private static OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> harness() throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new DivaTrainFunction(config().training(), 1)));
        // the trainer's state holds the whole network, its momentum copy and Adam's moments: 40 MB here, more than
        // the harness's default of 5 MB in memory (the job checkpoints to a file system)
        h.setCheckpointStorage(new JobManagerCheckpointStorage(100 << 20));
        return h;
    }

    private static List<TrainingBatch> batches(int n) {
        Random random = new Random(11);
        List<TrainingBatch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String[] labels = new String[6];
            String[] ids = new String[6];
            byte[][] photos = new byte[6][];
            for (int j = 0; j < 6; j++) {
                int klass = (i + j / 2) % 4;
                labels[j] = "birds/" + klass;
                ids[j] = "p" + i + "-" + j;
                photos[j] = TestPhotos.photo(klass, random);
            }
            out.add(new TrainingBatch(i, labels, ids, photos, 6));
        }
        return out;
    }

    @Test
    void theFinetuneModeKeepsPhotosEncodedAndTrainsTheBackboneItself() {
        JobConfig config = config();
        assertThat(config.training().payload()).isEqualTo(SamplePayload.ENCODED_PHOTO);
        assertThat(config.training().decoding()).isInstanceOf(SampleDecoding.Photos.class);
        assertThat(config.training().model().network().backbone()).isInstanceOf(BackboneSpec.TorchScript.class);
        assertThat(config.training().model().network().backbone().input().cropSize())
                .isEqualTo(64);
        assertThat(config("--train.mode", "frozen").training().payload()).isEqualTo(SamplePayload.STORED_FEATURES);
        assertThatThrownBy(
                        () -> JobOptions.parse("--kafka.bootstrap-servers", "unused:9092", "--train.mode", "finetune"))
                .hasMessage("option --train.mode finetune is for the photo presets: --model.preset omniglot-conv4"
                        + " trains its whole network already");
        assertThat(DivaTrainFunction.FINETUNE_ON_CPU).contains("--train.mode frozen", "CPU");
    }

    @Test
    void aFinetuneRunIsReproducibleMovesTheBackboneAndRestoresBitForBit() throws Exception {
        List<TrainingBatch> batches = batches(8);
        List<ModelUpdate> updates;
        try (var h = harness()) {
            h.open();
            updates = TrainerOutputs.feed(h, batches);
        }
        // two batches fill the DaNCE queue of 12, then six steps: versions 0, 1, 2, 3 at steps 0, 2, 4, 6
        assertThat(updates).extracting(ModelUpdate::step).containsExactly(0L, 2L, 4L, 6L);
        assertThat(updates.get(3).parameterCount())
                .as("the backbone's parameters too")
                .isGreaterThan(2_000_000);
        assertThat(firstConvolution(updates.get(3)))
                .as("the pretrained backbone itself trains")
                .isNotEqualTo(firstConvolution(updates.get(0)));

        List<String> straight = updates.stream().map(TrainerOutputs::content).toList();
        assertThat(TrainerOutputs.straightRun(DivaTrainFunctionFinetuneTest::harness, batches))
                .as("a second run")
                .isEqualTo(straight);
        assertThat(TrainerOutputs.restoredRun(DivaTrainFunctionFinetuneTest::harness, batches, 5))
                .as("restored mid-version")
                .isEqualTo(straight);
    }

    /**
     * The paper's network: the built-in ResNet-50 from torchvision-named weights (random here: no ImageNet weights
     * on the build machines), trained whole with its BatchNorm frozen, as {@code --model.preset photo-resnet50} sets.
     */
    @Test
    void theResNet50PresetTrainsTheBackboneWithItsBatchNormFrozen(@TempDir Path tmp) throws Exception {
        Path weights = TorchvisionResNetFile.write(tmp.resolve("resnet50.pt"), 50, 3);
        JobConfig config = JobOptions.parse(
                "--kafka.bootstrap-servers", "unused:9092",
                "--model.preset", "photo-resnet50",
                "--model.backbone-file", weights.toString(),
                "--train.queue-size", "6",
                "--train.steps-per-version", "1",
                "--batch.classes", "3",
                "--batch.images-per-class", "2");
        assertThat(config.training().payload()).isEqualTo(SamplePayload.ENCODED_PHOTO);
        assertThat(config.training().model().network().backbone())
                .isEqualTo(new BackboneSpec.ResNet(
                        50, true, weights.toAbsolutePath().toString()));
        assertThat(config.training().model().network().embeddingDim()).isEqualTo(128);
        assertThat(config.training().model().optimizer().learningRate()).isEqualTo(1e-5);
        assertThatThrownBy(() -> JobOptions.parse(
                        "--kafka.bootstrap-servers", "unused:9092",
                        "--model.preset", "photo-resnet50",
                        "--model.backbone-file", weights.toString(),
                        "--train.mode", "frozen"))
                .hasMessageStartingWith("option --train.mode frozen is not for --model.preset photo-resnet50");

        List<ModelUpdate> updates;
        try (var h = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new DivaTrainFunction(config.training(), 1)))) {
            h.open();
            updates = TrainerOutputs.feed(h, batches(3));
        }
        // one batch fills the queue, then two steps: versions 0, 1, 2
        assertThat(updates).extracting(ModelUpdate::step).containsExactly(0L, 1L, 2L);
        Map<Parameter.Type, float[]> before = backbone(config, updates.get(0));
        Map<Parameter.Type, float[]> after = backbone(config, updates.get(2));
        assertThat(after.get(Parameter.Type.WEIGHT)).isNotEqualTo(before.get(Parameter.Type.WEIGHT));
        assertThat(after.get(Parameter.Type.RUNNING_MEAN)).isEqualTo(before.get(Parameter.Type.RUNNING_MEAN));
        assertThat(after.get(Parameter.Type.RUNNING_VAR)).isEqualTo(before.get(Parameter.Type.RUNNING_VAR));
    }

    /** The backbone's first convolution weights of a version. */
    private static float[] firstConvolution(ModelUpdate update) throws Exception {
        return backbone(config(), update).get(Parameter.Type.WEIGHT);
    }

    /** Per parameter type, the first such parameter of a version's network (the backbone's come first). */
    private static Map<Parameter.Type, float[]> backbone(JobConfig config, ModelUpdate update) throws Exception {
        DjlRuntime.disableGradientRecording();
        try (NDManager m = DjlRuntime.engine().newBaseManager();
                DivaNetwork net = DivaNetwork.create(config.training().model().network(), m)) {
            ParameterIo.load(net, update.parameters());
            Map<Parameter.Type, float[]> first = new HashMap<>();
            for (var p : net.getParameters()) {
                first.computeIfAbsent(
                        p.getValue().getType(), t -> p.getValue().getArray().toFloatArray());
            }
            return first;
        }
    }
}
