package io.divastream.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.KeyBatchNormStatistics;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Trains a DiVA model one batch at a time (DIVA_SPEC section 4.5). Its {@link TrainerState} owns,
 * under one root NDManager: the query network, its momentum (key) copy, the three learnable beta
 * vectors, the decorrelation regressors, the DaNCE queue and the Adam state. Each step runs in its
 * own sub-manager, so nothing of a step outlives it. The objective is {@link DivaObjective}, the
 * optimizer's groups {@link ParameterGroups}, the queue's filling before training {@link
 * QueueInitialisation}.
 *
 * <p>Every random draw of a step (the views' augmentation, each head's mining, a baseline's choices)
 * comes from a generator that is a pure function of the model seed, the step number and the purpose
 * ({@link RandomStreams}); so the trainer's state is its arrays and counters only, and a trainer
 * restored at step s continues exactly as the trainer that saved it would have.
 *
 * <p>Not thread-safe, and only one trainer may run a step at a time in a JVM (PyTorch allows one
 * gradient collector per process): run it in a single thread.
 */
public final class DivaTrainer implements AutoCloseable {

    /** Largest number of training classes; the beta vectors have this length. */
    public static final int DEFAULT_CLASS_CAPACITY = 65_536;

    private final TrainerState state;
    private final TrainingViews trainingViews;
    private final DivaObjective objective;
    private final QueueInitialisation queueInitialisation;

    /**
     * Creates a trainer with freshly initialised parameters.
     *
     * @param config the model and training configuration
     * @param augmenter produces the two training views of each image
     */
    public DivaTrainer(DivaConfig config, ViewAugmenter augmenter) {
        this(config, augmenter, DEFAULT_CLASS_CAPACITY);
    }

    /**
     * Creates a trainer with freshly initialised parameters.
     *
     * @param config the model and training configuration
     * @param augmenter produces the two training views of each image
     * @param classCapacity the largest number of training classes
     */
    public DivaTrainer(DivaConfig config, ViewAugmenter augmenter, int classCapacity) {
        this(config, augmenter, classCapacity, DjlRuntime.engine().defaultDevice());
    }

    /**
     * Creates a trainer with freshly initialised parameters on a device: every array of the
     * trainer (networks, betas, regressors, queue, optimizer state, each step's batch) lives
     * there; only a step's input images and its reported numbers cross between host and device.
     *
     * @param config the model and training configuration
     * @param augmenter produces the two training views of each image
     * @param classCapacity the largest number of training classes
     * @param device the device, usually {@link io.divastream.model.DeviceSelection#device()}
     */
    public DivaTrainer(DivaConfig config, ViewAugmenter augmenter, int classCapacity, Device device) {
        this.state = new TrainerState(config, classCapacity, device);
        this.trainingViews = new TrainingViews(config.network(), config.seed(), augmenter);
        this.objective = new DivaObjective(state);
        this.queueInitialisation = new QueueInitialisation(state, trainingViews);
    }

    /** The state, for tests in this package. */
    TrainerState state() {
        return state;
    }

    /** The objective, for tests in this package. */
    DivaObjective objective() {
        return objective;
    }

    /**
     * Returns the configuration.
     *
     * @return the config
     */
    public DivaConfig config() {
        return state.config();
    }

    /**
     * Returns the number of optimizer steps taken.
     *
     * @return the step count
     */
    public long steps() {
        return state.steps();
    }

    /**
     * Returns the number of batches whose keys initialised the DaNCE queue before training ({@link
     * #initializeQueue(LabeledBatch)}, {@link #enqueueKeys}); part of the saved state.
     *
     * @return the count of initialisation batches
     */
    public long queueInitBatches() {
        return state.queueInitBatches();
    }

    /**
     * Returns the number of training classes seen.
     *
     * @return the class count
     */
    public int classCount() {
        return state.classIndex().size();
    }

    /**
     * Returns the number of DaNCE keys in the queue (0 without the selfsim head, or before the
     * queue was first filled).
     *
     * @return the queue's size
     */
    public int queueSize() {
        return state.queue().size();
    }

    /**
     * Returns the capacity of the DaNCE queue.
     *
     * @return the configured queue size K
     */
    public int queueCapacity() {
        return state.queue().capacity();
    }

    /**
     * Freezes or thaws the backbone: while frozen, steps update the heads, betas, regressors and
     * any baseline parameters but leave the backbone's weights and Adam moments as they are (a
     * warm-up that trains the randomly initialised heads on the pretrained features before their
     * gradients reach the backbone). Not part of the saved state.
     *
     * @param frozen whether the backbone is frozen
     * @throws IllegalStateException if the backbone and heads share one parameter group (a head
     *     learning-rate factor of 1)
     */
    public void freezeBackbone(boolean frozen) {
        if (state.config().optimizer().headLearningRateFactor() == 1.0) {
            throw new IllegalStateException(
                    "freezing the backbone needs separate backbone and head groups: set a head learning-rate factor other than 1");
        }
        state.optimizer().setFrozen(ParameterGroups.BACKBONE, frozen);
    }

    /**
     * Returns how many times a class took over the beta index of the least recently trained class.
     *
     * @return recycled class indices since the trainer was created or restored
     */
    public long recycledClasses() {
        return state.classIndex().recycled();
    }

    /**
     * Returns the factor on all learning rates for the next step, from the configured schedule.
     *
     * @return the learning-rate scale
     */
    public double learningRateScale() {
        return state.config().optimizer().learningRateScale(state.steps());
    }

    /**
     * Runs one DiVA training step on a batch: two augmented views, the key encoder on view B, all
     * enabled task losses and the decorrelation on view A, one backward pass, one Adam update, the
     * momentum update of the key encoder and the queue update.
     *
     * @param batch the batch
     * @return the losses of the step
     * @throws TrainingDivergedException if the objective is not finite (nothing is updated)
     */
    public StepResult step(LabeledBatch batch) {
        return step(batch.labels(), Arrays.asList(batch.images()), trainingViews.glyph());
    }

    /**
     * Runs one training step on images of any form: the trainer draws two views of each image
     * with its own random stream, exactly as {@link #step(LabeledBatch)} does for glyphs.
     *
     * @param labels the class label of each image
     * @param images the images
     * @param view draws a training view
     * @param <T> the image type
     * @return the losses of the step
     * @throws TrainingDivergedException if the objective is not finite (nothing is updated)
     */
    public <T> StepResult step(List<String> labels, List<T> images, TrainingView<T> view) {
        return step(labels, trainingViews.draw(images, view, 2, trainingViews.streamOf(state.steps() + 1)));
    }

    /**
     * Runs one training step on two views prepared by the caller (for inputs the trainer's {@link
     * ViewAugmenter} cannot augment, such as photos cropped from their full resolution): the
     * outline of DIVA_SPEC section 4.5. A step that diverges changes nothing.
     *
     * @param labels the class label of each image
     * @param views view A and view B, each a flat (B, C, S, S) array in the network's input format
     * @return the losses of the step
     * @throws TrainingDivergedException if the objective is not finite (nothing is updated)
     */
    public StepResult step(List<String> labels, float[][] views) {
        DjlRuntime.disableGradientRecording();
        checkViews(labels.size(), views);
        long step = state.steps() + 1;
        ClassIndex.Assignment classes = state.classIndex().assign(labels, step);
        Runnable undoRecycling = state.recycleClasses(classes.recycled());
        state.optimizer().setLearningRateScale(learningRateScale());
        DivaObjective.Value loss;
        try (NDManager scope = state.root().newSubManager();
                StatisticsBackup statistics = new StatisticsBackup(state.queryNet(), state.root())) {
            boolean queueFilledNow = false;
            try {
                NDArray xA = scope.create(views[0], trainingViews.shape(labels.size()));
                queueFilledNow = queueInitialisation.fillIfEmpty(xA);
                NDArray keys = keyEmbeddings(views[1], labels.size(), scope); // K = key_net(x_b)["ssl"]
                loss = backward(xA, keys, classes.indices(), step); // E = query_net(x_a); L; L.backward()
                state.optimizer().step();
                momentumUpdate(); // key_net.params = m key_net.params + (1 - m) query_net.params
                if (keys != null) {
                    state.queue().enqueue(keys); // queue = concat(queue[B:], K)
                }
            } catch (TrainingDivergedException e) {
                undoRecycling.run();
                statistics.restore();
                if (queueFilledNow) {
                    state.queue().clear(); // it was filled from this (non-finite) batch
                }
                throw e;
            }
        }
        state.classIndex().commit(classes);
        state.countStep();
        return new StepResult(step, loss.value(), loss.taskLosses(), loss.decorrelation(), queueSize());
    }

    private void checkViews(int b, float[][] views) {
        if (views.length != 2) {
            throw new IllegalArgumentException("need two views, got " + views.length);
        }
        trainingViews.checkSize(views[0], b);
        trainingViews.checkSize(views[1], b);
    }

    /**
     * The key encoder's selfsim embeddings of view B (null without the selfsim head). The forward
     * pass runs in its own manager, so its intermediate arrays (every layer's output) are freed as
     * soon as it ends rather than with the step; only the keys join {@code owner}.
     */
    private NDArray keyEmbeddings(float[] viewB, int b, NDManager owner) {
        if (!state.spec().has(DivaHead.SELFSIM)) {
            return null;
        }
        try (NDManager scope = owner.newSubManager()) {
            NDArray xB = scope.create(viewB, trainingViews.shape(b));
            NDArray keys = state.keyEncoder()
                    .forward(state.parameterStore(), new NDList(xB), false)
                    .get(state.spec().indexOf(DivaHead.SELFSIM));
            keys.attach(owner);
            return keys;
        }
    }

    /**
     * The query network's forward pass on view A, the objective and its backward pass.
     *
     * @throws TrainingDivergedException if the objective or a gradient is not finite (the
     *     gradients are then zeroed)
     */
    private DivaObjective.Value backward(NDArray xA, NDArray keys, int[] classes, long step) {
        DivaObjective.Value loss;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDList e = state.queryNet().forward(state.parameterStore(), new NDList(xA), true);
            loss = objective.compute(e, keys, classes, step);
            if (!Double.isFinite(loss.value())) {
                throw new TrainingDivergedException("non-finite DiVA objective " + loss.value() + " at step " + step
                        + ", task losses " + loss.taskLosses());
            }
            collector.backward(loss.total());
        }
        List<String> nonFinite = state.optimizer().nonFiniteGradients();
        if (!nonFinite.isEmpty()) {
            state.optimizer().zeroGradients();
            throw new TrainingDivergedException("non-finite gradients at step " + step + " in " + nonFinite
                    + " (objective " + loss.value() + ", task losses " + loss.taskLosses() + ")");
        }
        return loss;
    }

    /** The key encoder follows the query network (with the selfsim head only: it has no other use). */
    private void momentumUpdate() {
        if (state.spec().has(DivaHead.SELFSIM)) {
            MomentumUpdate.apply(
                    state.keyEncoder(),
                    state.queryNet(),
                    state.config().momentum().momentum(),
                    state.config().momentum().keyBatchNormStatistics() == KeyBatchNormStatistics.EMA);
        }
    }

    /**
     * Fills the DaNCE queue before training (DIVA_SPEC section 2.4): the key encoder, in
     * inference mode, embeds view A of each batch and the selfsim keys are appended, as the
     * original code does over its first {@code n_key_batches} batches. Stops once the queue is full.
     *
     * @param batches the batches whose view A to embed
     * @return the queue size afterwards (0 without the selfsim head)
     */
    public int initializeQueue(Iterable<LabeledBatch> batches) {
        return queueInitialisation.fromBatches(batches);
    }

    /**
     * Initialises the DaNCE queue with one batch before training, as the streaming trainer does
     * with its first batches (DIVA_SPEC section 2.4): the key encoder, in inference mode, embeds one
     * augmented view (view A) of each glyph and the selfsim keys are appended, first in, first out
     * (so batches beyond the queue's capacity replace the oldest keys). Nothing else changes: no
     * step, no class, no parameter. Counted in {@link #queueInitBatches()}.
     *
     * @param batch the batch
     * @return the queue size afterwards (0 without the selfsim head, and the batch is not counted)
     * @throws IllegalStateException if the trainer has already taken a step
     */
    public int initializeQueue(LabeledBatch batch) {
        return queueInitialisation.fromBatch(batch);
    }

    /**
     * Appends the key encoder's selfsim embeddings of one random view of each image to the DaNCE
     * queue (its initialisation before training, DIVA_SPEC section 2.4), first in, first out. The
     * views are drawn from a stream of the seed, the step count and the number of keys enqueued
     * this way before (the queue's size while it is not full).
     *
     * @param images the images
     * @param view draws a view
     * @param <T> the image type
     * @return the queue size afterwards (0 without the selfsim head)
     */
    public <T> int enqueueKeys(List<T> images, TrainingView<T> view) {
        return queueInitialisation.enqueueKeys(images, view);
    }

    /**
     * Takes an immutable snapshot of the query network's parameters.
     *
     * @param version the version to stamp on it
     * @return the snapshot
     */
    public ModelSnapshot snapshot(long version) {
        return state.snapshot(version);
    }

    /**
     * Serializes the complete training state: step count, seed, the queue's initialisation
     * counts, classes, networks (the key encoder's BatchNorm statistics included), betas,
     * regressors, queue and optimizer moments, in a versioned binary layout (not Java
     * serialization). {@link #restore} brings a trainer of the same configuration back to exactly
     * this state; no random-generator state is needed, the draws being functions of seed and step.
     *
     * @return the state
     */
    public byte[] saveState() {
        return state.save();
    }

    /**
     * Restores a state written by {@link #saveState} of a trainer with the same configuration, in
     * the current format or an older one ({@link TrainerState#FORMAT}).
     *
     * @param saved the saved state
     * @throws IOException if the state is corrupt or belongs to another configuration
     */
    public void restore(byte[] saved) throws IOException {
        state.restore(saved);
    }

    @Override
    public void close() {
        state.close();
    }
}
