package io.divastream.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.DecorrelationPair;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.loss.baseline.BaselineLoss;
import io.divastream.model.loss.baseline.BaselineLosses;
import io.divastream.model.net.DecorrelationRegressor;
import io.divastream.model.net.DivaNetwork;
import io.divastream.model.net.ParameterIo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@link DivaTrainer} learns and counts, under one root NDManager: the query network,
 * its momentum copy (the key encoder), the beta vector of each margin loss, the decorrelation
 * regressors, a baseline's parameters, the DaNCE queue, the Adam state, the class index and the
 * step and queue-initialisation counters; and its versioned binary form ({@link #save}, {@link
 * #restore}). Closing it releases every array.
 */
final class TrainerState implements AutoCloseable {

    /**
     * Version of the {@link #save} layout. 1: steps, classes, networks, betas, regressors,
     * baseline parameters, queue, optimizer (the random stream was re-seeded from the step count on
     * restore). 2: as 1 with the model seed after the step count (the draws are pure functions of
     * seed and step, {@link RandomStreams}). 3: as 2 with each class's last training step in the
     * class index (classes are recycled least recently used first). 4: as 3 with the number of
     * batches and of keys that initialised the DaNCE queue before training after the seed. All four
     * are read (an older state counts no initialisation batch).
     */
    static final int FORMAT = 4;

    private final DivaConfig config;
    private final NDManager root;
    private final DivaNetwork queryNet;
    private final DivaNetwork keyEncoder;
    private final ParameterStore parameterStore;
    private final Map<DivaHead, NDArray> betas = new EnumMap<>(DivaHead.class);
    private final List<DecorrelationPair> pairs;
    private final List<Block> regressors = new ArrayList<>();
    private final BaselineLoss baseline;
    private final FeatureQueue queue;
    private final ParamGroupAdam optimizer;
    private final ClassIndex classIndex;
    private long steps;
    private long queueInitBatches;
    private long queueInitKeys;

    /**
     * Creates the state with freshly initialised parameters at the configured seed. The order of
     * creation fixes the engine's random draws, and so every initial value.
     *
     * @param config the model and training configuration
     * @param classCapacity the largest number of training classes (the betas' length)
     * @param device where every array lives
     */
    TrainerState(DivaConfig config, int classCapacity, Device device) {
        Engine engine = DjlRuntime.engine();
        DjlRuntime.disableGradientRecording();
        synchronized (DjlRuntime.INITIALISATION_LOCK) {
            engine.setRandomSeed((int) config.seed());
            NetworkSpec spec = config.network();
            this.config = config;
            this.root = engine.newBaseManager(device);
            this.queryNet = DivaNetwork.create(spec, root);
            this.keyEncoder = DivaNetwork.create(spec, root);
            copyParameters(queryNet, keyEncoder);
            for (Parameter p : keyEncoder.getParameters().values()) {
                p.getArray().setRequiresGradient(false);
            }
            this.parameterStore = new ParameterStore(root, false);
            this.classIndex = new ClassIndex(classCapacity);
            this.baseline = config.objective().isBaseline()
                    ? BaselineLosses.create(
                            config.objective().baseline(), root, classCapacity, spec.embeddingDim(), config.seed())
                    : null;
            for (DivaHead head : spec.heads()) {
                if (baseline == null && head != DivaHead.SELFSIM) {
                    NDArray beta = root.full(
                            new Shape(classCapacity), (float) config.loss().betaInit());
                    beta.setRequiresGradient(true);
                    betas.put(head, beta);
                }
            }
            this.pairs = config.decorrelationPairs();
            for (int i = 0; i < pairs.size(); i++) {
                regressors.add(DecorrelationRegressor.create(spec.embeddingDim(), spec.decorrelationHidden(), root));
            }
            this.queue = new FeatureQueue(root, config.momentum().queueSize(), spec.embeddingDim());
            this.optimizer = new ParamGroupAdam(
                    root, ParameterGroups.of(config.optimizer(), spec, queryNet, betas, regressors, baseline));
        }
    }

    private static void copyParameters(Block from, Block to) {
        List<Parameter> source = from.getParameters().values();
        List<Parameter> target = to.getParameters().values();
        for (int i = 0; i < source.size(); i++) {
            source.get(i).getArray().copyTo(target.get(i).getArray());
        }
    }

    DivaConfig config() {
        return config;
    }

    NetworkSpec spec() {
        return config.network();
    }

    /** The manager that owns every array of the state; a step's arrays live in a sub-manager of it. */
    NDManager root() {
        return root;
    }

    DivaNetwork queryNet() {
        return queryNet;
    }

    DivaNetwork keyEncoder() {
        return keyEncoder;
    }

    ParameterStore parameterStore() {
        return parameterStore;
    }

    /** The beta vector of each margin loss's head (none for a baseline), in head order. */
    Map<DivaHead, NDArray> betas() {
        return Collections.unmodifiableMap(betas);
    }

    List<DecorrelationPair> pairs() {
        return pairs;
    }

    /** One regressor per decorrelation pair, in the pairs' order. */
    List<Block> regressors() {
        return Collections.unmodifiableList(regressors);
    }

    /** The baseline loss, or null for DiVA's objective. */
    BaselineLoss baseline() {
        return baseline;
    }

    FeatureQueue queue() {
        return queue;
    }

    ParamGroupAdam optimizer() {
        return optimizer;
    }

    ClassIndex classIndex() {
        return classIndex;
    }

    long steps() {
        return steps;
    }

    /** Counts a step that succeeded. */
    void countStep() {
        steps++;
    }

    long queueInitBatches() {
        return queueInitBatches;
    }

    long queueInitKeys() {
        return queueInitKeys;
    }

    /** Counts a batch of {@code keys} images whose keys initialised the queue. */
    void countQueueInitBatch(int keys) {
        queueInitBatches++;
        queueInitKeys += keys;
    }

    /**
     * Hands beta indices to new classes: each old class's betas go back to their initial value and
     * their Adam moments to zero, as if the index had never been used.
     *
     * @param indices the recycled indices, in order
     * @return what puts the old values back (after a diverged step)
     * @throws IllegalStateException if a baseline keeps per-class parameters
     */
    Runnable recycleClasses(List<Integer> indices) {
        List<Runnable> undo = new ArrayList<>();
        for (int index : indices) {
            undo.add(recycleClass(index));
        }
        return () -> undo.forEach(Runnable::run);
    }

    private Runnable recycleClass(int index) {
        if (baseline != null && !baseline.parameters().isEmpty()) {
            throw new IllegalStateException(
                    "the " + config.objective().baseline().kind()
                            + " baseline keeps per-class parameters and cannot recycle the index of a class: train it with a"
                            + " class capacity above its number of classes");
        }
        NDIndex at = new NDIndex(index);
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
     * Takes an immutable snapshot of the query network's parameters.
     *
     * @param version the version to stamp on it
     * @return the snapshot
     */
    ModelSnapshot snapshot(long version) {
        return new ModelSnapshot(version, steps, ParameterIo.toBytes(queryNet), ParameterIo.count(queryNet));
    }

    /**
     * Serializes the state: step count, seed, the queue's initialisation counts, classes,
     * networks (the key encoder's BatchNorm statistics included), betas, regressors, baseline
     * parameters, queue and optimizer moments, in layout {@link #FORMAT} (not Java serialization).
     *
     * @return the bytes
     */
    byte[] save() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeLong(steps);
            out.writeLong(config.seed());
            out.writeLong(queueInitBatches);
            out.writeLong(queueInitKeys);
            classIndex.save(out);
            ParameterIo.write(queryNet, out);
            ParameterIo.write(keyEncoder, out);
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
     * Restores bytes written by {@link #save} of a state with the same configuration, in any format
     * from 1 to {@link #FORMAT}.
     *
     * @param state the saved state
     * @throws IOException if the state is corrupt or belongs to another configuration
     */
    void restore(byte[] state) throws IOException {
        DjlRuntime.disableGradientRecording();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int format = in.readInt();
            if (format < 1 || format > FORMAT) {
                throw new IOException(
                        "unknown trainer state format " + format + " (this build reads 1 to " + FORMAT + ")");
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
            ParameterIo.read(keyEncoder, in);
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

    @Override
    public void close() {
        if (baseline != null) {
            baseline.close();
        }
        keyEncoder.close();
        queryNet.close();
        root.close();
    }
}
