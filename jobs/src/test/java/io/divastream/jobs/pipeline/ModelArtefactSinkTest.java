package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.artefacts.ExportedModel;
import io.divastream.artefacts.ModelExport;
import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.images.ImageDecoder;
import io.divastream.images.ImageSpec;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.testing.MetricsCapture;
import io.divastream.jobs.testing.TinyModel;
import io.divastream.jobs.train.DivaTrainFunction;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.embed.Embedder;
import io.divastream.schemas.ModelVersionRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer operator (in Flink's test harness) feeding the artefact writer: an artefact per published
 * version, named by version and SHA-256, loadable with exactly the update's parameters, the retention bound,
 * and an update published again after a restore left as it is.
 */
class ModelArtefactSinkTest {

    private static final double[] WEIGHTS = {0.5, 1, 1, 1};
    private static final ArtefactShape SHAPE =
            new ArtefactShape(TinyModel.NETWORK, new ImageSpec(TinyModel.SIDE, true), null, WEIGHTS);

    @TempDir
    Path tmp;

    private List<ModelUpdate> train(int batches) throws Exception {
        Random random = new Random(3);
        JobConfig.TrainingConfig config = TinyModel.training(TinyModel.config(), 2, 5);
        List<ModelUpdate> out = new ArrayList<>();
        try (MockEnvironment env = new MockEnvironmentBuilder().build();
                OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> harness =
                        new OneInputStreamOperatorTestHarness<>(
                                new ProcessOperator<>(new DivaTrainFunction(config)), env)) {
            harness.open();
            for (int i = 0; i < batches; i++) {
                harness.processElement(TinyModel.batch(i, random, 6, 4, 2, 4), i);
            }
            out.addAll(harness.extractOutputValues());
        }
        return out;
    }

    private static ModelArtefactSink sink(Path dir, int keep) {
        return new ModelArtefactSink(new JobConfig.ExportConfig(dir.toString(), keep), SHAPE);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyPublishedVersionBecomesAnArtefactThatEmbedsLikeItsParameters() throws Exception {
        List<ModelUpdate> updates = train(6); // version 0, then one every 2 steps: versions 0 to 3
        assertThat(updates).extracting(ModelUpdate::version).containsExactly(0L, 1L, 2L, 3L);
        Path dir = tmp.resolve("exports");
        MetricsCapture metrics = new MetricsCapture();
        try (var writer = sink(dir, 10).writer(metrics.getOrAddOperator(new OperatorID(), "export", Map.of()))) {
            for (ModelUpdate u : updates) {
                writer.write(u, null);
                assertThat(dir.resolve(
                                "v" + u.version() + "-" + u.parameterSha256().substring(0, 12)))
                        .isDirectory();
            }
            assertThat(metrics.count("modelArtefactsWritten")).isEqualTo(4);
            assertThat(metrics.gauge("lastExportedVersion")).isEqualTo(3L);
        }
        assertThat(names(dir)).hasSize(4);

        Random random = new Random(9);
        float[][] inputs = new float[3][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = ImageDecoder.fromBytes(TinyModel.randomImage(random));
        }
        for (ModelUpdate u : List.of(updates.get(0), updates.get(3))) {
            ModelSnapshot snapshot = new ModelSnapshot(u.version(), u.step(), u.parameters(), u.parameterCount());
            Path artefact = new ArtefactStore(dir)
                    .find(u.version(), u.parameterSha256())
                    .orElseThrow();
            try (Embedder embedder = new Embedder(TinyModel.NETWORK);
                    ExportedModel model = ExportedModel.load(artefact, u.parameterSha256())) {
                embedder.load(snapshot);
                assertThat(model.version()).isEqualTo(u.version());
                assertThat(model.manifest().trainingStep()).isEqualTo(u.step());
                for (float[] input : inputs) {
                    float[][][] heads = embedder.embed(new float[][] {input});
                    float[] combined = EmbeddingCombiner.combine(heads, WEIGHTS)[0];
                    assertThat(model.embedInputs(new float[][] {input})[0].combined())
                            .containsExactly(combined);
                }
            }
        }
        // version 3's artefact is not version 2's
        ModelUpdate v2 = updates.get(2);
        assertThatThrownBy(() -> ExportedModel.load(
                        new ArtefactStore(dir)
                                .find(3, updates.get(3).parameterSha256())
                                .orElseThrow(),
                        v2.parameterSha256()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("expected " + v2.parameterSha256());
    }

    @Test
    void theModelVersionRecordCarriesTheSha256OfTheManifestTheSinkWrites() throws Exception {
        List<ModelUpdate> updates = train(4); // versions 0 and 1
        Path dir = tmp.resolve("exports");
        try (var writer =
                sink(dir, 10).writer(new MetricsCapture().getOrAddOperator(new OperatorID(), "e", Map.of()))) {
            for (ModelUpdate u : updates) {
                writer.write(u, null);
            }
        }
        for (ModelUpdate u : updates) {
            // the record as PipelineSinks maps it, with what DivaPipeline gives the sink
            ModelVersionRecord record = AvroMapping.modelVersion(u, SHAPE);
            Path artefact = new ArtefactStore(dir)
                    .find(u.version(), u.parameterSha256())
                    .orElseThrow();
            byte[] manifest = Files.readAllBytes(artefact.resolve(ModelExport.MANIFEST));
            assertThat(record.getManifestSha256()).isEqualTo(ModelSnapshot.sha256(manifest));
            assertThat(record.getParameterSha256()).isEqualTo(u.parameterSha256());
            try (ExportedModel model =
                    ExportedModel.load(artefact, record.getParameterSha256(), record.getManifestSha256())) {
                assertThat(model.version()).isEqualTo(u.version());
            }
        }
        assertThat(updates.stream()
                        .map(u -> AvroMapping.modelVersion(u, SHAPE).getManifestSha256())
                        .distinct())
                .hasSize(updates.size());
    }

    @Test
    void keepsTheNewestArtefactsAndLeavesARepublishedVersionAsItIs() throws Exception {
        List<ModelUpdate> updates = train(6);
        Path dir = tmp.resolve("exports");
        MetricsCapture metrics = new MetricsCapture();
        try (var writer = sink(dir, 2).writer(metrics.getOrAddOperator(new OperatorID(), "export", Map.of()))) {
            for (ModelUpdate u : updates) {
                writer.write(u, null);
            }
            assertThat(names(dir))
                    .containsExactly(
                            ArtefactStore.name(2, updates.get(2).parameterSha256()),
                            ArtefactStore.name(3, updates.get(3).parameterSha256()));
            assertThat(metrics.count("modelArtefactsDeleted")).isEqualTo(2);

            // after a restore the trainer publishes version 3 again, with the same parameters
            Path v3 = dir.resolve(ArtefactStore.name(3, updates.get(3).parameterSha256()));
            Files.writeString(v3.resolve("marker"), "untouched");
            writer.write(updates.get(3), null);
            assertThat(v3.resolve("marker")).exists();
            assertThat(metrics.count("modelArtefactsWritten")).isEqualTo(4);
        }
    }

    @Test
    void refusesAnUpdateWhoseParametersDoNotHashToItsSha() throws Exception {
        ModelUpdate u = train(1).get(0);
        ModelUpdate forged = new ModelUpdate(
                u.version(),
                u.step(),
                u.imagesSeen(),
                u.trainClasses(),
                u.parameters(),
                u.parameterCount(),
                "0".repeat(64),
                u.lossNames(),
                u.lossValues(),
                u.createdAt());
        try (var writer = sink(tmp, 2).writer(new MetricsCapture().getOrAddOperator(new OperatorID(), "e", Map.of()))) {
            assertThatThrownBy(() -> writer.write(forged, null)).hasMessageContaining("0".repeat(64));
        }
        assertThat(names(tmp)).isEmpty();
        assertThatThrownBy(() -> sink(Path.of(""), 1)).hasMessageContaining("no export directory");
    }
}
