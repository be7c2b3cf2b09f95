package io.divastream.jobs.train;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the trainer's versions and operators' rollbacks under one version numbering (docs/continual.md). A
 * rollback to version V publishes V's exported parameters as the next version; the trainer's later versions follow
 * it, shifted by the rollbacks so far. Every command then leaves through {@link #COMMANDS} to the scorer, with the
 * version a rollback published or why it could not apply. It sits after the trainer so that the trainer keeps one
 * input and stays chained to the batch assembly. Runs with parallelism 1; its numbering and the digests of the
 * newest versions are checkpointed.
 */
public final class VersionPublisher extends CoProcessFunction<ModelUpdate, OperatorCommand, ModelUpdate>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(VersionPublisher.class);
    private static final int STATE_FORMAT = 1;

    /** Operators' commands as applied, for the scorer. */
    public static final OutputTag<OperatorCommand.Applied> COMMANDS =
            new OutputTag<>("applied-commands", TypeInformation.of(OperatorCommand.Applied.class));

    private final ExportedRollback rollbacks;
    private final NetworkSpec network;

    private transient ListState<byte[]> state;
    private transient PublishedVersions published;
    /** Rollbacks so far: the trainer's version t is published as t + shift. */
    private transient long shift;
    /** The newest version published, -1 if none; and the trainer's figures of the newest update. */
    private transient long newest;

    private transient long step;
    private transient long imagesSeen;
    private transient int trainClasses;
    private transient long checkpointId;

    /**
     * Creates the publisher.
     *
     * @param export the job's artefact export, where rollbacks find their parameters
     * @param network the job's network, which a rollback's parameters must fit
     */
    public VersionPublisher(JobConfig.ExportConfig export, NetworkSpec network) {
        this.rollbacks = new ExportedRollback(export);
        this.network = network;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        state = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(
                        "version-publisher", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        published = new PublishedVersions();
        newest = -1;
        for (byte[] saved : state.get()) {
            read(saved);
        }
    }

    @Override
    public void processElement1(ModelUpdate update, Context ctx, Collector<ModelUpdate> out) {
        ModelUpdate shifted = shift == 0 ? update : update.withVersion(update.version() + shift);
        step = update.step();
        imagesSeen = update.imagesSeen();
        trainClasses = update.trainClasses();
        checkpointId = update.checkpointId();
        publish(shifted, out);
        if (shift != 0) {
            LOG.info("published the trainer's version {} as version {}", update.version(), shifted.version());
        }
    }

    /**
     * An operator's command: a rollback publishes the version's exported parameters as the next version; every
     * command goes on to the scorer.
     */
    @Override
    public void processElement2(OperatorCommand command, Context ctx, Collector<ModelUpdate> out) {
        if (command.action() != OperatorCommand.Action.ROLLBACK) {
            ctx.output(COMMANDS, command.applied(-1, null));
            return;
        }
        ModelSnapshot parameters;
        try {
            parameters = rollbacks.load(command.modelVersion(), published, newest, network);
        } catch (ExportedRollback.Refused e) {
            LOG.warn(
                    "rollback command {} to version {} refused: {}",
                    command.commandId(),
                    command.modelVersion(),
                    e.getMessage());
            ctx.output(COMMANDS, command.applied(-1, e.getMessage()));
            return;
        }
        shift++;
        publish(
                new ModelUpdate(
                        newest + 1,
                        step,
                        imagesSeen,
                        trainClasses,
                        parameters.parameters(),
                        parameters.parameterCount(),
                        parameters.sha256(),
                        new String[0],
                        new double[0],
                        System.currentTimeMillis(),
                        checkpointId),
                out);
        LOG.info(
                "published model version {} with version {}'s parameters (rollback command {})",
                newest,
                command.modelVersion(),
                command.commandId());
        ctx.output(COMMANDS, command.applied(newest, null));
    }

    private void publish(ModelUpdate update, Collector<ModelUpdate> out) {
        out.collect(update);
        published.published(update.version(), update.parameterSha256());
        newest = update.version();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream data = new DataOutputStream(bytes)) {
            data.writeInt(STATE_FORMAT);
            data.writeLong(shift);
            data.writeLong(newest);
            data.writeLong(step);
            data.writeLong(imagesSeen);
            data.writeInt(trainClasses);
            data.writeLong(checkpointId);
            published.save(data);
        }
        state.update(List.of(bytes.toByteArray()));
    }

    private void read(byte[] saved) throws IOException {
        try (DataInputStream data = new DataInputStream(new ByteArrayInputStream(saved))) {
            int format = data.readInt();
            if (format != STATE_FORMAT) {
                throw new IOException("unknown version-publisher state format " + format + " (this build reads "
                        + STATE_FORMAT + ")");
            }
            shift = data.readLong();
            newest = data.readLong();
            step = data.readLong();
            imagesSeen = data.readLong();
            trainClasses = data.readInt();
            checkpointId = data.readLong();
            published.load(data);
        }
    }
}
