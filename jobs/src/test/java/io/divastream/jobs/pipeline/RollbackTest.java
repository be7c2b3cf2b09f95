package io.divastream.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.artefacts.ArtefactStore;
import io.divastream.images.ImageSpec;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.testing.MetricsCapture;
import io.divastream.jobs.testing.TinyModel;
import io.divastream.jobs.train.DivaTrainFunction;
import io.divastream.jobs.train.VersionPublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollback commands at the version publisher (harness) after a real trainer, with the artefact writer fed as in the
 * job: a rollback publishes the next version with the exported parameters of the version named (the SHA-256 published
 * for it), the trainer's later versions follow it, and every command goes on to the scorer, with the published version
 * or why it could not apply (never published, not exported, artefact deleted or damaged, no export at all); a restored
 * publisher keeps its numbering and still finds its versions' artefacts.
 */
class RollbackTest {

    private static final ArtefactShape SHAPE = new ArtefactShape(
            TinyModel.NETWORK, new ImageSpec(TinyModel.SIDE, true), null, new double[] {0.5, 1, 1, 1});

    @TempDir
    Path tmp;

    private final Random random = new Random(5);
    private ModelArtefactSink.Writer writer;

    private OneInputStreamOperatorTestHarness<TrainingBatch, ModelUpdate> trainer;

    private TwoInputStreamOperatorTestHarness<ModelUpdate, OperatorCommand, ModelUpdate> publisher(
            JobConfig.ExportConfig export, OperatorSubtaskState from) throws Exception {
        if (trainer == null) {
            trainer = new OneInputStreamOperatorTestHarness<>(
                    new ProcessOperator<>(new DivaTrainFunction(TinyModel.training(TinyModel.config(), 2, 5))));
            trainer.open();
        }
        var h = new TwoInputStreamOperatorTestHarness<>(
                new CoProcessOperator<>(new VersionPublisher(export, TinyModel.NETWORK)));
        h.initializeState(from);
        h.open();
        return h;
    }

    @AfterEach
    void closeTrainer() throws Exception {
        if (trainer != null) {
            trainer.close();
        }
    }

    /** Trains and publishes, exporting every version as the job does; returns the versions published. */
    private List<ModelUpdate> train(
            TwoInputStreamOperatorTestHarness<ModelUpdate, OperatorCommand, ModelUpdate> h, int from, int batches)
            throws Exception {
        for (int i = from; i < from + batches; i++) {
            trainer.processElement(TinyModel.batch(i, random, 6, 4, 2, 4), i);
        }
        for (ModelUpdate u : trainer.extractOutputValues()) {
            h.processElement1(u, 0);
        }
        trainer.getOutput().clear();
        return export(h);
    }

    private List<ModelUpdate> export(TwoInputStreamOperatorTestHarness<ModelUpdate, OperatorCommand, ModelUpdate> h)
            throws Exception {
        List<ModelUpdate> updates = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        if (writer != null) {
            for (ModelUpdate u : updates) {
                writer.write(u, null);
            }
        }
        return updates;
    }

    private static List<OperatorCommand.Applied> applied(
            TwoInputStreamOperatorTestHarness<ModelUpdate, OperatorCommand, ModelUpdate> h) {
        List<OperatorCommand.Applied> out = new ArrayList<>();
        var queue = h.getSideOutput(VersionPublisher.COMMANDS);
        if (queue != null) {
            queue.forEach(r -> out.add(((StreamRecord<OperatorCommand.Applied>) r).getValue()));
            queue.clear();
        }
        return out;
    }

    private static OperatorCommand command(String id, OperatorCommand.Action action, long version) {
        return new OperatorCommand(id, action, version, "ops", "", 1L);
    }

    @Test
    void aRollbackRepublishesTheExportedParametersAsTheNextVersion() throws Exception {
        Path dir = tmp.resolve("exports");
        JobConfig.ExportConfig export = new JobConfig.ExportConfig(dir.toString(), 3);
        writer = new ModelArtefactSink(export, SHAPE)
                .writer(new MetricsCapture().getOrAddOperator(new OperatorID(), "export", Map.of()));
        var h = publisher(export, null);
        List<ModelUpdate> trained = train(h, 0, 6);
        assertThat(trained).extracting(ModelUpdate::version).containsExactly(0L, 1L, 2L, 3L);

        h.processElement2(command("pin", OperatorCommand.Action.PIN, 3), 0);
        assertThat(applied(h)).singleElement().satisfies(a -> {
            assertThat(a.publishedVersion()).isEqualTo(-1);
            assertThat(a.problem()).isNull();
        });

        h.processElement2(command("rb-2", OperatorCommand.Action.ROLLBACK, 2), 0);
        ModelUpdate rolled = export(h).get(0);
        assertThat(rolled.version()).isEqualTo(4);
        assertThat(rolled.parameterSha256()).isEqualTo(trained.get(2).parameterSha256());
        assertThat(rolled.parameters()).isEqualTo(trained.get(2).parameters());
        assertThat(rolled.step())
                .as("the trainer's step, not the version's")
                .isEqualTo(trained.get(3).step());
        assertThat(applied(h)).singleElement().satisfies(a -> {
            assertThat(a.command().commandId()).isEqualTo("rb-2");
            assertThat(a.publishedVersion()).isEqualTo(4);
            assertThat(a.problem()).isNull();
        });
        assertThat(train(h, 6, 2))
                .extracting(ModelUpdate::version)
                .as("training goes on")
                .containsExactly(5L);

        h.processElement2(command("rb-9", OperatorCommand.Action.ROLLBACK, 9), 0);
        assertThat(applied(h).get(0).problem()).isEqualTo("version 9 was never published (the newest is 5)");
        // --export.keep 3 deleted version 0's artefact
        h.processElement2(command("rb-0", OperatorCommand.Action.ROLLBACK, 0), 0);
        assertThat(applied(h).get(0).problem())
                .isEqualTo("version 0's artefact is not in the export directory (--export.keep 3 keeps the newest 3)");
        // a damaged artefact
        Path v3 =
                new ArtefactStore(dir).find(3, trained.get(3).parameterSha256()).orElseThrow();
        Files.writeString(v3.resolve("parameters.bin"), "not the parameters");
        h.processElement2(command("rb-3", OperatorCommand.Action.ROLLBACK, 3), 0);
        assertThat(applied(h).get(0).problem())
                .startsWith("version 3's artefact " + v3.getFileName() + " cannot be read: ");
        assertThat(export(h)).as("nothing published for refused rollbacks").isEmpty();

        // restored, the trainer still knows which artefact is each version's
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();
        var restored = publisher(export, snapshot);
        restored.processElement2(command("rb-4", OperatorCommand.Action.ROLLBACK, 4), 0);
        ModelUpdate again = export(restored).get(0);
        assertThat(again.version()).isEqualTo(6);
        assertThat(again.parameterSha256()).isEqualTo(trained.get(2).parameterSha256());
        assertThat(train(restored, 8, 2))
                .extracting(ModelUpdate::version)
                .as("the trainer's version 5 follows both rollbacks")
                .containsExactly(7L);
        restored.close();
    }

    @Test
    void aJobWithoutExportRefusesEveryRollback() throws Exception {
        var h = publisher(JobConfig.ExportConfig.OFF, null);
        assertThat(train(h, 0, 1)).extracting(ModelUpdate::version).containsExactly(0L);
        h.processElement2(command("rb", OperatorCommand.Action.ROLLBACK, 0), 0);
        assertThat(applied(h).get(0).problem()).contains("exports no artefacts (--export.dir)");
        h.processElement2(command("early", OperatorCommand.Action.ROLLBACK, 1), 0);
        assertThat(applied(h).get(0).problem()).isEqualTo("version 1 was never published (the newest is 0)");
        h.close();
    }
}
