package io.divastream.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.DecorrelationPair;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.KeyBatchNormStatistics;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.loss.AdversarialSeparation;
import io.divastream.model.loss.DanceLoss;
import io.divastream.model.loss.MarginLoss;
import io.divastream.model.loss.SeparationPair;
import io.divastream.model.loss.baseline.BaselineLoss;
import io.divastream.model.loss.baseline.BaselineLosses;
import io.divastream.model.miner.BatchMiner;
import io.divastream.model.miner.DistanceWeightedMiner;
import io.divastream.model.miner.IntraClassMiner;
import io.divastream.model.miner.Triplets;
import io.divastream.model.net.DecorrelationRegressor;
import io.divastream.model.net.DivaNetwork;
import io.divastream.model.net.ParameterIo;
import io.divastream.model.tensor.Scalars;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a DiVA model one batch at a time (DIVA_SPEC section 4.5). It owns, under one root
 * NDManager: the query network, its momentum (key) copy, the three learnable beta vectors, the
 * decorrelation regressors, the DaNCE queue and the Adam state. Each step runs in its own
 * sub-manager, so nothing of a step outlives it.
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

    /**
     * Version of the {@link #saveState} layout. 1: steps, classes, networks, betas, regressors,
     * baseline parameters, queue, optimizer (the random stream was re-seeded from the step count on
     * restore). 2: as 1 with the model seed after the step count (the draws are pure functions of
     * seed and step, {@link RandomStreams}). 3: as 2 with each class's last training step in the
     * class index (classes are recycled least recently used first). 4: as 3 with the number of
     * batches and of keys that initialised the DaNCE queue before training after the seed. All four
     * are read (an older state counts no initialisation batch).
     */
    private static final int STATE_FORMAT = 4;

    private final DivaConfig config;
    private final NetworkSpec spec;
    private final LossSpec lossSpec;
    private final ViewAugmenter augmenter;
    private final NDManager root;
    private final DivaNetwork queryNet;
    private final DivaNetwork keyNet;
    private final ParameterStore parameterStore;
    private final Map<DivaHead, NDArray> betas = new EnumMap<>(DivaHead.class);
    private final List<DecorrelationPair> pairs;
    private final List<Block> regressors = new ArrayList<>();
    private final BaselineLoss baseline;
    private final FeatureQueue queue;
    private final ParamGroupAdam optimizer;
    private final ClassIndex classIndex;
    private final BatchMiner discriminativeMiner;
    private final BatchMiner sharedMiner;
    private final BatchMiner intraMiner;
    private long steps;
    private long queueInitBatches;
    private long queueInitKeys;

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
        Engine engine = DjlRuntime.engine();
        DjlRuntime.disableGradientRecording();
        synchronized (DjlRuntime.INITIALISATION_LOCK) {
            engine.setRandomSeed((int) config.seed());
            this.config = config;
            this.spec = config.network();
            this.lossSpec = config.loss();
            this.augmenter = augmenter;
            this.root = engine.newBaseManager(device);
            this.queryNet = DivaNetwork.create(spec, root);
            this.keyNet = DivaNetwork.create(spec, root);
            copyParameters(queryNet, keyNet);
            for (Parameter p : keyNet.getParameters().values()) {
                p.getArray().setRequiresGradient(false);
            }
            this.parameterStore = new ParameterStore(root, false);
            this.classIndex = new ClassIndex(classCapacity);
            this.baseline = config.objective().isBaseline()
                    ? BaselineLosses.create(config.objective().baseline(), root, classCapacity, spec.embeddingDim(), config.seed())
                    : null;
            for (DivaHead head : spec.heads()) {
                if (baseline == null && head != DivaHead.SELFSIM) {
                    NDArray beta = root.full(new Shape(classCapacity), (float) lossSpec.betaInit());
                    beta.setRequiresGradient(true);
                    betas.put(head, beta);
                }
            }
            this.pairs = config.decorrelationPairs();
            for (int i = 0; i < pairs.size(); i++) {
                regressors.add(
                        DecorrelationRegressor.create(spec.embeddingDim(), spec.decorrelationHidden(), root));
            }
            this.queue = new FeatureQueue(root, config.momentum().queueSize(), spec.embeddingDim());
            this.optimizer = new ParamGroupAdam(root, parameterGroups());
            this.discriminativeMiner = new DistanceWeightedMiner(lossSpec.minerLowerCutoff());
            this.sharedMiner = config.objective().sharedMining().miner(lossSpec.minerLowerCutoff());
            this.intraMiner = new IntraClassMiner(config.objective().excludeDegenerateIntra());
        }
    }

    private List<ParamGroupAdam.Group> parameterGroups() {
        var o = config.optimizer();
        List<ParamGroupAdam.Group> groups = new ArrayList<>();
        if (o.headLearningRateFactor() == 1.0) {
            groups.add(
                    new ParamGroupAdam.Group(
                            "network", trainable(queryNet), o.learningRate(), o.weightDecay()));
        } else {
            List<NDArray> backboneParams = new ArrayList<>();
            List<NDArray> headParams = new ArrayList<>();
            for (ai.djl.util.Pair<String, Parameter> p : queryNet.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    (isHeadParameter(p.getKey()) ? headParams : backboneParams).add(p.getValue().getArray());
                }
            }
            groups.add(new ParamGroupAdam.Group("backbone", backboneParams, o.learningRate(), o.weightDecay()));
            groups.add(new ParamGroupAdam.Group(
                    "heads", headParams, o.learningRate() * o.headLearningRateFactor(), o.weightDecay()));
        }
        for (Map.Entry<DivaHead, NDArray> beta : betas.entrySet()) {
            groups.add(
                    new ParamGroupAdam.Group(
                            "beta_" + beta.getKey().id(),
                            List.of(beta.getValue()),
                            o.betaLearningRate(),
                            0));
        }
        List<NDArray> regressorParams = new ArrayList<>();
        for (Block regressor : regressors) {
            regressorParams.addAll(trainable(regressor));
        }
        if (!regressorParams.isEmpty()) {
            groups.add(
                    new ParamGroupAdam.Group(
                            "decorrelation", regressorParams, o.decorrelationLearningRate(), 0));
        }
        if (baseline != null && !baseline.parameters().isEmpty()) {
            groups.add(
                    new ParamGroupAdam.Group(
                            "baseline",
                            baseline.parameters(),
                            o.learningRate() * baseline.parameterLearningRateMultiplier(),
                            0));
        }
        return groups;
    }

    private boolean isHeadParameter(String name) {
        return !groupOf(name).equals("backbone");
    }

    /** The group of a query-network parameter: {@code head_<id>} for a head's, else {@code backbone}. */
    private String groupOf(String parameterName) {
        for (DivaHead head : spec.heads()) {
            if (parameterName.contains("head_" + head.id() + "_")) {
                return "head_" + head.id();
            }
        }
        return "backbone";
    }

    private static List<NDArray> trainable(Block block) {
        List<NDArray> out = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            if (p.requiresGradient()) {
                out.add(p.getArray());
            }
        }
        return out;
    }

    /**
     * Returns the configuration.
     *
     * @return the config
     */
    public DivaConfig config() {
        return config;
    }

    /**
     * Returns the number of optimizer steps taken.
     *
     * @return the step count
     */
    public long steps() {
        return steps;
    }

    /**
     * Returns the number of batches whose keys initialised the DaNCE queue before training ({@link
     * #initializeQueue(LabeledBatch)}, {@link #enqueueKeys}); part of the saved state.
     *
     * @return the count of initialisation batches
     */
    public long queueInitBatches() {
        return queueInitBatches;
    }

    /**
     * Returns the number of training classes seen.
     *
     * @return the class count
     */
    public int classCount() {
        return classIndex.size();
    }

    /**
     * Returns the number of DaNCE keys in the queue (0 without the selfsim head, or before the
     * queue was first filled).
     *
     * @return the queue's size
     */
    public int queueSize() {
        return queue.size();
    }

    /**
     * Returns the capacity of the DaNCE queue.
     *
     * @return the configured queue size K
     */
    public int queueCapacity() {
        return queue.capacity();
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
        if (config.optimizer().headLearningRateFactor() == 1.0) {
            throw new IllegalStateException(
                    "freezing the backbone needs separate backbone and head groups: set a head learning-rate factor other than 1");
        }
        optimizer.setFrozen("backbone", frozen);
    }

    /**
     * Hands a beta index to a new class: the old class's betas go back to their initial value and
     * their Adam moments to zero, as if the index had never been used.
     *
     * @return what puts the old values back (after a diverged step)
     */
    private Runnable recycleClass(int index) {
        if (baseline != null && !baseline.parameters().isEmpty()) {
            throw new IllegalStateException("the " + config.objective().baseline().kind()
                    + " baseline keeps per-class parameters and cannot recycle the index of a class: train it with a"
                    + " class capacity above its number of classes");
        }
        ai.djl.ndarray.index.NDIndex at = new ai.djl.ndarray.index.NDIndex(index);
        List<Runnable> undo = new ArrayList<>();
        for (NDArray beta : betas.values()) {
            float old = beta.getFloat(index);
            float[] moments = optimizer.resetMoments(beta, index);
            beta.set(at, (float) config.loss().betaInit());
            undo.add(() -> {
                beta.set(at, old);
                optimizer.setMoments(beta, index, moments);
            });
        }
        return () -> undo.forEach(Runnable::run);
    }

    /**
     * Returns how many times a class took over the beta index of the least recently trained class.
     *
     * @return recycled class indices since the trainer was created or restored
     */
    public long recycledClasses() {
        return classIndex.recycled();
    }

    /**
     * Returns the factor on all learning rates for the next step, from the configured schedule.
     *
     * @return the learning-rate scale
     */
    public double learningRateScale() {
        return config.optimizer().learningRateScale(steps);
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
        return step(batch.labels(), augmentedViews(batch));
    }

    /**
     * Runs one training step on two views prepared by the caller (for inputs the trainer's {@link
     * ViewAugmenter} cannot augment, such as photos cropped from their full resolution).
     *
     * @param labels the class label of each image
     * @param views view A and view B, each a flat (B, C, S, S) array in the network's input format
     * @return the losses of the step
     * @throws TrainingDivergedException if the objective is not finite (nothing is updated)
     */
    public StepResult step(List<String> labels, float[][] views) {
        DjlRuntime.disableGradientRecording();
        int b = labels.size();
        if (views.length != 2) {
            throw new IllegalArgumentException("need two views, got " + views.length);
        }
        checkViewSize(views[0], b);
        checkViewSize(views[1], b);
        ClassIndex.Assignment assignment = classIndex.assign(labels, steps + 1);
        int[] classes = assignment.indices();
        List<Runnable> undoRecycling = new ArrayList<>();
        for (int index : assignment.recycled()) {
            undoRecycling.add(recycleClass(index));
        }
        optimizer.setLearningRateScale(learningRateScale());
        Map<DivaHead, Double> taskLosses = new EnumMap<>(DivaHead.class);
        double[] decorrelation = {0};
        double totalValue;
        boolean queueFilledNow = false;
        try (NDManager stepManager = root.newSubManager();
                StatisticsBackup statistics = new StatisticsBackup(queryNet, root)) {
            try {
                Shape shape = DivaNetwork.inputShape(spec, b);
                NDArray xA = stepManager.create(views[0], shape);
                NDArray keys = null;
                if (spec.has(DivaHead.SELFSIM)) {
                    int self = spec.indexOf(DivaHead.SELFSIM);
                    if (queue.size() == 0) {
                        queue.enqueue(keyNet.forward(parameterStore, new NDList(xA), false).get(self));
                        queueFilledNow = true;
                    }
                    keys = keyEmbeddings(views[1], shape, stepManager);
                }
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDList e = queryNet.forward(parameterStore, new NDList(xA), true);
                    NDArray total = objective(
                            e, keys, classes, taskLosses, decorrelation, spec.heads(), true, true);
                    totalValue = total.getFloat();
                    if (!Double.isFinite(totalValue)) {
                        throw new TrainingDivergedException(
                                "non-finite DiVA objective " + totalValue + " at step " + (steps + 1)
                                        + ", task losses " + taskLosses);
                    }
                    collector.backward(total);
                }
                List<String> nonFinite = optimizer.nonFiniteGradients();
                if (!nonFinite.isEmpty()) {
                    optimizer.zeroGradients();
                    throw new TrainingDivergedException(
                            "non-finite gradients at step " + (steps + 1) + " in " + nonFinite
                                    + " (objective " + totalValue + ", task losses " + taskLosses + ")");
                }
                optimizer.step();
                if (spec.has(DivaHead.SELFSIM)) {
                    MomentumUpdate.apply(keyNet, queryNet, config.momentum().momentum(),
                            config.momentum().keyBatchNormStatistics() == KeyBatchNormStatistics.EMA);
                }
                if (keys != null) {
                    queue.enqueue(keys);
                }
            } catch (TrainingDivergedException e) {
                undoRecycling.forEach(Runnable::run);
                statistics.restore();
                if (queueFilledNow) {
                    queue.clear(); // it was filled from this (non-finite) batch
                }
                throw e;
            }
        }
        classIndex.commit(assignment);
        steps++;
        return new StepResult(steps, totalValue, taskLosses, decorrelation[0], queue.size());
    }

    /**
     * The key encoder's selfsim embeddings of view B. The forward pass runs in its own manager, so
     * its intermediate arrays (every layer's output) are freed as soon as it ends rather than with
     * the step; only the keys join {@code owner}.
     */
    private NDArray keyEmbeddings(float[] viewB, Shape shape, NDManager owner) {
        try (NDManager scope = owner.newSubManager()) {
            NDArray xB = scope.create(viewB, shape);
            NDArray keys = keyNet.forward(parameterStore, new NDList(xB), false).get(spec.indexOf(DivaHead.SELFSIM));
            keys.attach(owner);
            return keys;
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
        for (LabeledBatch batch : batches) {
            if (!spec.has(DivaHead.SELFSIM) || queue.size() >= config.momentum().queueSize()) {
                break;
            }
            enqueueKeys(java.util.Arrays.asList(batch.images()), glyphView());
        }
        return queue.size();
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
        if (steps > 0) {
            throw new IllegalStateException(
                    "the DaNCE queue is initialised before training, but the trainer has taken " + steps + " steps");
        }
        return enqueueKeys(java.util.Arrays.asList(batch.images()), glyphView());
    }

    /** Embeds prepared inputs with the key encoder and appends their selfsim keys to the queue. */
    private void enqueueKeys(float[] inputs, int count) {
        DjlRuntime.disableGradientRecording();
        checkViewSize(inputs, count);
        try (NDManager manager = root.newSubManager()) {
            NDArray x = manager.create(inputs, DivaNetwork.inputShape(spec, count));
            NDList keys = keyNet.forward(parameterStore, new NDList(x), false);
            queue.enqueue(keys.get(spec.indexOf(DivaHead.SELFSIM)));
        }
    }

    private void checkViewSize(float[] view, int b) {
        long expected = DivaNetwork.inputShape(spec, b).size();
        if (view.length != expected) {
            throw new IllegalArgumentException(
                    "a view of " + b + " images must have " + expected + " values, got " + view.length);
        }
    }

    /** Two independently augmented views of every glyph, each as one flat (B, 1, S, S) array. */
    private float[][] augmentedViews(LabeledBatch batch) {
        return views(java.util.Arrays.asList(batch.images()), glyphView(), 2, viewStream());
    }

    /** The stream of the next step's training views. */
    private SplittableRandom viewStream() {
        return RandomStreams.of(config.seed(), RandomStreams.Purpose.VIEWS, steps + 1, 0);
    }

    /** The stream of a head's mining (or a baseline's random choices) in the next step. */
    private SplittableRandom miningStream(DivaHead head) {
        return RandomStreams.of(config.seed(), RandomStreams.Purpose.MINING, steps + 1, head.ordinal());
    }

    /** The glyph augmentation as a training view. */
    private TrainingView<float[]> glyphView() {
        return (image, r) -> augmenter.augment(image, spec.inputSize(), r);
    }

    /**
     * Draws {@code count} views of every image from {@code random} (for each image in turn, its views
     * in order, by {@link TrainingView#makeViews}), each set as one flat (B, C, S, S) array.
     */
    private <T> float[][] views(List<T> images, TrainingView<T> view, int count, SplittableRandom random) {
        int size = (int) DivaNetwork.inputShape(spec, 1).size();
        float[][] out = new float[count][images.size() * size];
        for (int i = 0; i < images.size(); i++) {
            float[][] made = view.makeViews(images.get(i), count, random);
            for (int v = 0; v < count; v++) {
                float[] x = made[v];
                if (x.length != size) {
                    throw new IllegalArgumentException(
                            "a view of image " + i + " has " + x.length + " values, expected " + size);
                }
                System.arraycopy(x, 0, out[v], i * size, size);
            }
        }
        return out;
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
        return step(labels, views(images, view, 2, viewStream()));
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
        if (!spec.has(DivaHead.SELFSIM)) {
            return 0;
        }
        SplittableRandom random =
                RandomStreams.of(config.seed(), RandomStreams.Purpose.QUEUE_VIEWS, steps, queueInitKeys);
        enqueueKeys(views(images, view, 1, random)[0], images.size());
        queueInitBatches++;
        queueInitKeys += images.size();
        return queue.size();
    }

    /**
     * The DiVA objective: each head's task loss weighted by its alpha, plus the decorrelation.
     *
     * @param e the query network's head embeddings of view A
     * @param keys the key encoder's embeddings of view B (null without the selfsim head)
     * @param classes the class index of each image
     * @param taskLosses receives each head's unweighted loss
     * @param decorrelation receives the decorrelation term in its first element
     * @return the scalar objective
     */
    private NDArray objective(
            NDList e,
            NDArray keys,
            int[] classes,
            Map<DivaHead, Double> taskLosses,
            double[] decorrelation,
            List<DivaHead> tasks,
            boolean separation,
            boolean reverseGradient) {
        NDArray total = null;
        for (DivaHead head : tasks) {
            NDArray loss = taskLoss(head, e.get(spec.indexOf(head)), keys, classes);
            taskLosses.put(head, (double) loss.getFloat());
            NDArray weighted = Scalars.mul(loss, alpha(head));
            total = total == null ? weighted : total.add(weighted);
        }
        if (separation && !regressors.isEmpty()) {
            NDArray sep = decorrelation(e, reverseGradient);
            decorrelation[0] = sep.getFloat();
            total = total == null ? sep : total.add(sep);
        }
        return total;
    }

    private double alpha(DivaHead head) {
        return switch (head) {
            case DISCRIMINATIVE -> 1.0;
            case SELFSIM -> lossSpec.alphaSelfsim();
            case SHARED -> lossSpec.alphaShared();
            case INTRA -> lossSpec.alphaIntra();
        };
    }

    private NDArray taskLoss(DivaHead head, NDArray embedding, NDArray keys, int[] classes) {
        if (head == DivaHead.SELFSIM) {
            return DanceLoss.compute(
                    embedding,
                    keys,
                    queue.keys(),
                    lossSpec.temperature(),
                    lossSpec.minerLowerCutoff(),
                    lossSpec.danceUpperCutoff(),
                    lossSpec.danceFixed());
        }
        if (baseline != null) {
            return baseline.compute(embedding, classes, miningStream(head));
        }
        BatchMiner miner =
                switch (head) {
                    case DISCRIMINATIVE -> discriminativeMiner;
                    case SHARED -> sharedMiner;
                    default -> intraMiner;
                };
        float[][] rows = rows(embedding);
        Triplets triplets = miner.mine(rows, classes, miningStream(head));
        int[] anchorClasses = new int[triplets.size()];
        for (int t = 0; t < anchorClasses.length; t++) {
            anchorClasses[t] = classes[triplets.anchors()[t]];
        }
        return MarginLoss.compute(
                embedding, triplets, betas.get(head), anchorClasses, lossSpec.margin());
    }

    /** L_sep = - sum over pairs of rho * c(source, target), on gradient-reversed embeddings. */
    private NDArray decorrelation(NDList embeddings, boolean reverseGradient) {
        List<SeparationPair> positions = new ArrayList<>(pairs.size());
        for (DecorrelationPair pair : pairs) {
            positions.add(new SeparationPair(spec.indexOf(pair.source()), spec.indexOf(pair.target()), pair.rho()));
        }
        return AdversarialSeparation.separation(
                embeddings, positions, regressors, parameterStore, true, reverseGradient);
    }

    /**
     * Computes the gradients that chosen terms of the objective send to every parameter group,
     * without updating anything: the gradient-routing check of DIVA_SPEC section 2.5. Batch-norm
     * statistics are restored and the gradients zeroed afterwards; the queue is not changed.
     *
     * @param labels the class label of each image
     * @param views view A and view B as for {@link #step(List, float[][])}
     * @param tasks the task losses to include (each with its alpha)
     * @param separation whether to include L_sep
     * @param reverseGradient false to compute L_sep without the gradient-reversal layer
     * @return the flattened gradient of each group: {@code backbone}, {@code head_<id>}, {@code
     *     beta_<id>}, {@code regressor_<source>_<target>}; and {@code key} holding the key
     *     encoder's gradients (all zero unless something leaks into it)
     */
    Map<String, float[]> probeGradients(
            List<String> labels, float[][] views, List<DivaHead> tasks, boolean separation, boolean reverseGradient) {
        DjlRuntime.disableGradientRecording();
        int b = labels.size();
        int[] classes = classIndex.indicesOf(labels);
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        try (NDManager stepManager = root.newSubManager();
                StatisticsBackup statistics = new StatisticsBackup(queryNet, root)) {
            Shape shape = DivaNetwork.inputShape(spec, b);
            NDArray xA = stepManager.create(views[0], shape);
            NDArray xB = stepManager.create(views[1], shape);
            NDArray keys = null;
            if (spec.has(DivaHead.SELFSIM)) {
                int self = spec.indexOf(DivaHead.SELFSIM);
                if (queue.size() == 0) {
                    throw new IllegalStateException("fill the queue first");
                }
                keys = keyNet.forward(parameterStore, new NDList(xB), false).get(self);
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDList e = queryNet.forward(parameterStore, new NDList(xA), true);
                NDArray total = objective(e, keys, classes, new EnumMap<>(DivaHead.class), new double[1],
                        tasks, separation, reverseGradient);
                if (total != null) {
                    collector.backward(total);
                }
            }
            for (ai.djl.util.Pair<String, Parameter> entry : queryNet.getParameters()) {
                append(out, groupOf(entry.getKey()), gradientOf(entry.getValue().getArray(), stepManager));
            }
            for (Map.Entry<DivaHead, NDArray> beta : betas.entrySet()) {
                append(out, "beta_" + beta.getKey().id(), gradientOf(beta.getValue(), stepManager));
            }
            for (int i = 0; i < pairs.size(); i++) {
                String name = "regressor_" + pairs.get(i).source().id() + "_" + pairs.get(i).target().id();
                for (Parameter p : regressors.get(i).getParameters().values()) {
                    append(out, name, gradientOf(p.getArray(), stepManager));
                }
            }
            for (Parameter p : keyNet.getParameters().values()) {
                append(out, "key", gradientOf(p.getArray(), stepManager));
            }
            optimizer.zeroGradients();
            statistics.restore();
        }
        return out;
    }

    /**
     * Returns the query network's parameter values by group ({@code backbone}, {@code head_<id>}),
     * flattened; for tests of the parameter groups.
     *
     * @return the values of each group
     */
    Map<String, float[]> parameterValues() {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (ai.djl.util.Pair<String, Parameter> entry : queryNet.getParameters()) {
            if (!entry.getValue().requiresGradient()) {
                continue;
            }
            append(out, groupOf(entry.getKey()), entry.getValue().getArray().toFloatArray());
        }
        return out;
    }

    /**
     * Returns the BatchNorm running statistics (the parameters that require no gradient) of the
     * query network or of the key encoder, by the query network's parameter names; for tests.
     *
     * @param keyEncoder the key encoder's rather than the query network's
     * @return the values of each statistic
     */
    Map<String, float[]> batchNormStatistics(boolean keyEncoder) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        ai.djl.util.PairList<String, Parameter> query = queryNet.getParameters();
        List<Parameter> key = keyNet.getParameters().values();
        for (int i = 0; i < query.size(); i++) {
            if (!query.valueAt(i).requiresGradient()) {
                Parameter p = keyEncoder ? key.get(i) : query.valueAt(i);
                out.put(query.keyAt(i), p.getArray().toFloatArray());
            }
        }
        return out;
    }

    /**
     * Returns the key encoder's trainable parameters, flattened in order; for tests.
     *
     * @return the values
     */
    float[] keyParameterValues() {
        ai.djl.util.PairList<String, Parameter> query = queryNet.getParameters();
        List<Parameter> key = keyNet.getParameters().values();
        float[] out = new float[0];
        for (int i = 0; i < query.size(); i++) {
            if (query.valueAt(i).requiresGradient()) {
                float[] v = key.get(i).getArray().toFloatArray();
                float[] joined = java.util.Arrays.copyOf(out, out.length + v.length);
                System.arraycopy(v, 0, joined, out.length, v.length);
                out = joined;
            }
        }
        return out;
    }

    /**
     * Returns the DaNCE queue's keys, oldest first, one row each; for tests.
     *
     * @return the keys
     */
    float[][] queueKeys() {
        int n = queue.size();
        if (n == 0) {
            return new float[0][];
        }
        return rows(queue.keys());
    }

    /** The betas of one head's margin loss, for tests. */
    float[] betaValues(DivaHead head) {
        return betas.get(head).toFloatArray();
    }

    /** A parameter's gradient (zeros without one); the temporary wrapper is released with {@code scope}. */
    private static float[] gradientOf(NDArray parameter, NDManager scope) {
        if (!parameter.hasGradient()) {
            return new float[(int) parameter.size()];
        }
        NDArray g = parameter.getGradient();
        g.attach(scope);
        return g.toFloatArray();
    }

    private static void append(Map<String, float[]> out, String group, float[] values) {
        float[] old = out.get(group);
        if (old == null) {
            out.put(group, values);
            return;
        }
        float[] joined = java.util.Arrays.copyOf(old, old.length + values.length);
        System.arraycopy(values, 0, joined, old.length, values.length);
        out.put(group, joined);
    }

    private static float[][] rows(NDArray embedding) {
        int n = (int) embedding.getShape().get(0);
        int d = (int) embedding.getShape().get(1);
        float[] flat = embedding.stopGradient().toFloatArray();
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    /**
     * Takes an immutable snapshot of the query network's parameters.
     *
     * @param version the version to stamp on it
     * @return the snapshot
     */
    public ModelSnapshot snapshot(long version) {
        return new ModelSnapshot(version, steps, ParameterIo.toBytes(queryNet), ParameterIo.count(queryNet));
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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(STATE_FORMAT);
            out.writeLong(steps);
            out.writeLong(config.seed());
            out.writeLong(queueInitBatches);
            out.writeLong(queueInitKeys);
            classIndex.save(out);
            ParameterIo.write(queryNet, out);
            ParameterIo.write(keyNet, out);
            for (NDArray beta : betas.values()) {
                ArrayCodec.write(out, beta);
            }
            for (Block regressor : regressors) {
                ParameterIo.write(regressor, out);
            }
            if (baseline != null) {
                for (NDArray parameter : baseline.parameters()) {
                    ArrayCodec.write(out, parameter);
                }
            }
            queue.save(out);
            optimizer.save(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Restores a state written by {@link #saveState} of a trainer with the same configuration, in
     * the current format or format 1 (of builds before the seed was saved).
     *
     * @param state the saved state
     * @throws IOException if the state is corrupt or belongs to another configuration
     */
    public void restore(byte[] state) throws IOException {
        DjlRuntime.disableGradientRecording();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int format = in.readInt();
            if (format < 1 || format > STATE_FORMAT) {
                throw new IOException(
                        "unknown trainer state format " + format + " (this build reads 1 to " + STATE_FORMAT + ")");
            }
            long savedSteps = in.readLong();
            if (format >= 2) {
                long savedSeed = in.readLong();
                if (savedSeed != config.seed()) {
                    throw new IOException(
                            "the trainer state was trained with seed " + savedSeed + ", this trainer has seed "
                                    + config.seed() + " (its random draws would not continue the saved run)");
                }
            }
            long savedInitBatches = format >= 4 ? in.readLong() : 0;
            long savedInitKeys = format >= 4 ? in.readLong() : 0;
            classIndex.load(in, format >= 3);
            ParameterIo.read(queryNet, in);
            ParameterIo.read(keyNet, in);
            for (NDArray beta : betas.values()) {
                ArrayCodec.readInto(in, beta);
            }
            for (Block regressor : regressors) {
                ParameterIo.read(regressor, in);
            }
            if (baseline != null) {
                for (NDArray parameter : baseline.parameters()) {
                    ArrayCodec.readInto(in, parameter);
                }
                baseline.observeClasses(classIndex.size());
            }
            queue.load(in);
            optimizer.load(in);
            steps = savedSteps;
            queueInitBatches = savedInitBatches;
            queueInitKeys = savedInitKeys;
        }
    }

    private static void copyParameters(Block from, Block to) {
        List<Parameter> source = from.getParameters().values();
        List<Parameter> target = to.getParameters().values();
        for (int i = 0; i < source.size(); i++) {
            source.get(i).getArray().copyTo(target.get(i).getArray());
        }
    }

    @Override
    public void close() {
        if (baseline != null) {
            baseline.close();
        }
        keyNet.close();
        queryNet.close();
        root.close();
    }
}
