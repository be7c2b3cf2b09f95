package io.divastream.jobs.train;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.RuntimeConfig;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.model.DeviceSelection;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.augment.GlyphAugmenter;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.StepResult;
import io.divastream.model.train.TrainingDivergedException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer: runs one DiVA step with DJL per class-balanced batch and publishes a new model version every {@code
 * stepsPerVersion} steps (and the untrained version 0 before the first step). Design notes:
 * docs/design-notes.md#divatrainfunction.
 */
public final class DivaTrainFunction extends ProcessFunction<TrainingBatch, ModelUpdate>
        implements CheckpointedFunction, CheckpointListener {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DivaTrainFunction.class);

    /** Said when the trainer opens on a CPU in the finetune mode (the argument: the backbone's id). */
    static final String FINETUNE_ON_CPU = "--train.mode finetune trains the whole pretrained backbone {} on pixels,"
            + " on a CPU here: each step runs it forward and backward over every view of the batch, so training"
            + " is slow and the trainer holds the catalogue's refresh back; --train.mode frozen (the default) is"
            + " the mode for a CPU: the backbone runs once per photo and only the heads train";

    /** Name of the operator state holding the trainer's checkpoint. */
    public static final String STATE = "diva-trainer";

    /**
     * Version of the operator-state layout. 1: version, images seen, trainer state. 2: the id of the
     * checkpoint the state was taken for, version, images seen, consecutive diverged steps, loss
     * sums and counts, trainer state. Both are read.
     */
    private static final int CHECKPOINT_FORMAT = 2;

    private final JobConfig.TrainingConfig config;
    private final int intraOpThreads;
    private final PublishHook hook;

    /**
     * A test hook on the versions the trainer publishes: what a test changes in a version before it leaves the trainer
     * (e.g. degrading one, to see the promotion gate refuse it). The job itself passes {@link #NONE}.
     */
    @FunctionalInterface
    public interface PublishHook extends java.io.Serializable {
        /** Publishes every version as it is. */
        PublishHook NONE = update -> update;

        /**
         * Changes a version.
         *
         * @param update the version the trainer made
         * @return the version published
         */
        ModelUpdate apply(ModelUpdate update);
    }

    private transient DivaTrainer trainer;
    private transient ListState<byte[]> checkpoint;
    private transient byte[] restoredTrainerState;
    private transient long version;
    private transient long imagesSeen;
    private transient int consecutiveFailures;
    private transient LossAccumulator losses;
    private transient TrainerMetrics metrics;
    private transient volatile long publishedVersion;
    private transient long completedCheckpoint;

    /**
     * Creates the function with libtorch's intra-op threads on every processor of the task manager.
     *
     * @param config the training configuration
     */
    public DivaTrainFunction(JobConfig.TrainingConfig config) {
        this(config, RuntimeConfig.IntraOpThreads.DEFAULT.trainer());
    }

    /**
     * Creates the function.
     *
     * @param config the training configuration
     * @param intraOpThreads libtorch's intra-op threads for the trainer's operations (set on the task
     *     thread when it opens), or 0 for every processor
     */
    public DivaTrainFunction(JobConfig.TrainingConfig config, int intraOpThreads) {
        this(config, intraOpThreads, PublishHook.NONE);
    }

    /**
     * Creates the function with a test hook on the published versions.
     *
     * @param config the training configuration
     * @param intraOpThreads libtorch's intra-op threads for the trainer's operations, or 0 for every processor
     * @param hook what a test changes in each published version
     */
    public DivaTrainFunction(JobConfig.TrainingConfig config, int intraOpThreads, PublishHook hook) {
        this.config = config;
        this.intraOpThreads = DjlRuntime.checkIntraOpThreads(intraOpThreads);
        this.hook = java.util.Objects.requireNonNull(hook, "hook");
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        checkpoint = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        version = -1;
        imagesSeen = 0;
        losses = new LossAccumulator();
        completedCheckpoint = ModelUpdate.NO_CHECKPOINT;
        if (context.isRestored()) {
            // a format-1 state does not name its checkpoint; Flink knows which one it restores
            completedCheckpoint = context.getRestoredCheckpointId().orElse(ModelUpdate.NO_CHECKPOINT);
            for (byte[] saved : checkpoint.get()) {
                readCheckpoint(saved);
            }
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        int threads = DjlRuntime.useIntraOpThreads(intraOpThreads);
        LOG.info("trainer: {} libtorch intra-op threads", threads);
        GlyphAugmenter augmenter = new GlyphAugmenter(config.augmentation());
        DeviceSelection device = DeviceSelection.select(config.device(), config.engineFlavour());
        trainer = new DivaTrainer(
                config.model(), augmenter::augment, DivaTrainer.DEFAULT_CLASS_CAPACITY, device.device());
        if (config.payload() == SamplePayload.ENCODED_PHOTO && !device.device().isGpu()) {
            LOG.warn(FINETUNE_ON_CPU, config.model().network().backbone().id());
        }
        if (restoredTrainerState != null) {
            trainer.restore(restoredTrainerState);
            restoredTrainerState = null;
            LOG.info(
                    "trainer restored at step {}, model version {}, from checkpoint {} (DaNCE queue: {} keys, {} of {}"
                            + " initialisation batches)",
                    trainer.steps(),
                    version,
                    completedCheckpoint,
                    trainer.queueSize(),
                    trainer.queueInitBatches(),
                    config.queueInitBatches());
        }
        publishedVersion = version;
        var group = getRuntimeContext().getMetricGroup();
        metrics = new TrainerMetrics(group);
        metrics.trainerChanged(trainer);
        group.gauge("modelVersion", () -> publishedVersion);
    }

    @Override
    public void processElement(TrainingBatch batch, Context ctx, Collector<ModelUpdate> out) {
        if (version < 0) {
            publish(out);
        }
        imagesSeen += batch.newImages();
        BatchInput input = BatchInput.of(
                batch, config.payload(), config.model().network().backbone().input());
        if (initializingQueue()) {
            initializeQueue(input, batch.sequence());
            return;
        }
        StepResult result;
        long started = System.nanoTime();
        try {
            result = input.step(trainer);
        } catch (TrainingDivergedException e) {
            metrics.stepDiverged(System.nanoTime() - started, trainer);
            consecutiveFailures++;
            LOG.warn("skipped batch {}: {}", batch.sequence(), e.getMessage());
            if (consecutiveFailures >= config.maxConsecutiveFailures()) {
                throw new IllegalStateException(
                        consecutiveFailures + " training steps in a row diverged; last: " + e.getMessage(), e);
            }
            return;
        }
        metrics.stepDone(result, batch.size(), System.nanoTime() - started, trainer);
        consecutiveFailures = 0;
        losses.add(result);
        if (trainer.steps() % config.stepsPerVersion() == 0) {
            publish(out);
        }
    }

    /** Whether the next batch goes to the DaNCE queue rather than to a training step. */
    private boolean initializingQueue() {
        return trainer.steps() == 0 && trainer.queueInitBatches() < config.queueInitBatches();
    }

    private void initializeQueue(BatchInput batch, long sequence) {
        int keys = batch.enqueueKeys(trainer);
        long done = trainer.queueInitBatches();
        metrics.trainerChanged(trainer);
        if (done == 1 || done == config.queueInitBatches()) {
            LOG.info(
                    "DaNCE queue initialisation: batch {} (sequence {}) of {}, {} of {} keys{}",
                    done,
                    sequence,
                    config.queueInitBatches(),
                    keys,
                    trainer.queueCapacity(),
                    done == config.queueInitBatches() ? "; training starts with the next batch" : "");
        } else {
            LOG.debug(
                    "DaNCE queue initialisation: batch {} (sequence {}) of {}, {} keys",
                    done,
                    sequence,
                    config.queueInitBatches(),
                    keys);
        }
    }

    private void publish(Collector<ModelUpdate> out) {
        version++;
        ModelSnapshot snapshot = trainer.snapshot(version);
        out.collect(hook.apply(new ModelUpdate(
                version,
                snapshot.step(),
                imagesSeen,
                trainer.classCount(),
                snapshot.parameters(),
                snapshot.parameterCount(),
                snapshot.sha256(),
                LossAccumulator.NAMES.clone(),
                losses.drain(),
                System.currentTimeMillis(),
                completedCheckpoint)));
        publishedVersion = version;
        LOG.info(
                "published model version {} at step {} ({} training images seen)",
                version,
                snapshot.step(),
                imagesSeen);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        completedCheckpoint = Math.max(completedCheckpoint, checkpointId);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        checkpoint.update(List.of(writeCheckpoint(context.getCheckpointId())));
    }

    private byte[] writeCheckpoint(long checkpointId) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream data = new DataOutputStream(bytes)) {
            data.writeInt(CHECKPOINT_FORMAT);
            data.writeLong(checkpointId);
            data.writeLong(version);
            data.writeLong(imagesSeen);
            data.writeInt(consecutiveFailures);
            losses.save(data);
            byte[] state = trainer.saveState();
            data.writeInt(state.length);
            data.write(state);
        }
        return bytes.toByteArray();
    }

    private void readCheckpoint(byte[] saved) throws IOException {
        try (DataInputStream data = new DataInputStream(new ByteArrayInputStream(saved))) {
            int format = data.readInt();
            if (format != 1 && format != CHECKPOINT_FORMAT) {
                throw new IOException("unknown trainer checkpoint format " + format + " (this build reads 1 to "
                        + CHECKPOINT_FORMAT + ")");
            }
            if (format >= 2) {
                // restored, the checkpoint this state was taken for has completed
                completedCheckpoint = data.readLong();
            }
            version = data.readLong();
            imagesSeen = data.readLong();
            if (format >= 2) {
                consecutiveFailures = data.readInt();
                losses.load(data);
            }
            restoredTrainerState = data.readNBytes(data.readInt());
        }
    }

    @Override
    public void close() throws Exception {
        if (trainer != null) {
            trainer.close();
            trainer = null;
        }
        super.close();
    }
}
