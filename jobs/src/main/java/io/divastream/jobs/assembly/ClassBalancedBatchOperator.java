package io.divastream.jobs.assembly;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.model.train.Draws;
import io.divastream.model.train.RandomStreams;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Assembles class-balanced training batches from a stream keyed by class label. Design notes:
 * docs/design-notes.md#classbalancedbatchoperator.
 */
public final class ClassBalancedBatchOperator extends AbstractStreamOperator<TrainingBatch>
        implements OneInputStreamOperator<ImageSample, TrainingBatch>, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;

    /** Name of the keyed state holding each class's buffer. */
    public static final String BUFFER_STATE = "class-buffer";

    /**
     * Name of the keyed state holding the stamp of each class's latest image, which orders the
     * classes for eviction.
     */
    public static final String LAST_UPDATE_STATE = "class-last-update";

    /**
     * Name of the operator state holding the batch counter and the pending new images, one {@code
     * {sequence, pendingNew}} pair per subtask, so that a rescale never splits a pair.
     */
    public static final String COUNTER_STATE = "batch-counters";

    /** Name of the keyed state holding the images a class keeps in the replay memory. */
    public static final String MEMORY_STATE = "replay-memory";

    /** Name of the keyed state holding the number of distinct images of a class offered to the replay memory. */
    public static final String MEMORY_SEEN_STATE = "replay-memory-seen";

    private final JobConfig.BatchingConfig config;
    private final long seed;

    private transient ListState<BufferedImage> buffer;
    private transient ValueState<Long> lastUpdate;
    private transient ListState<long[]> counters;
    private transient Map<String, Integer> sizes;
    /** Labels with at least K buffered images, sorted (independent of arrival and restore order). */
    private transient List<String> eligible;
    /** The buffered classes by their last update, for eviction. */
    private transient ClassRecency recency;
    /** The stamp of the next arrival: one more than the largest stamp in the keyed state. */
    private transient long nextStamp;
    /** The replay memory, or null without one. */
    private transient ReplayMemory memory;

    private transient int subtask;
    private transient long sequence;
    private transient int pendingNew;
    private transient Counter batchesEmitted;
    private transient Counter classesEvicted;
    private transient Counter imagesEvicted;
    private transient Counter newImageBatches;
    private transient Counter replayBatches;
    private transient Counter replayedClasses;
    private transient volatile long bufferedImages;

    /**
     * Creates the operator.
     *
     * @param config the batching configuration
     * @param seed seed of the class and image draws
     */
    public ClassBalancedBatchOperator(JobConfig.BatchingConfig config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        buffer = getKeyedStateStore()
                .getListState(new ListStateDescriptor<>(BUFFER_STATE, TypeInformation.of(BufferedImage.class)));
        lastUpdate = getKeyedStateStore().getState(new ValueStateDescriptor<>(LAST_UPDATE_STATE, Types.LONG));
        counters = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(
                        COUNTER_STATE, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        memory = config.replayMemory() == 0
                ? null
                : new ReplayMemory(
                        config.replayMemory(),
                        config.imagesPerClass(),
                        getKeyedStateStore()
                                .getListState(new ListStateDescriptor<>(
                                        MEMORY_STATE, TypeInformation.of(BufferedImage.class))),
                        getKeyedStateStore().getState(new ValueStateDescriptor<>(MEMORY_SEEN_STATE, Types.LONG)),
                        this::setCurrentKey);
        sizes = new HashMap<>();
        bufferedImages = 0;
        eligible = new ArrayList<>();
        recency = new ClassRecency();
        nextStamp = 0;
        sequence = 0;
        pendingNew = 0;
        if (context.isRestored()) {
            for (long[] saved : counters.get()) {
                sequence = Math.max(sequence, saved[0]);
                pendingNew += (int) saved[1];
            }
            rebuildIndex();
        }
    }

    private void rebuildIndex() throws Exception {
        List<String> labels;
        try (Stream<Object> keys = getKeyedStateBackend().getKeys(BUFFER_STATE, VoidNamespace.INSTANCE)) {
            labels = keys.map(Object::toString).toList();
        }
        for (String label : labels) {
            setCurrentKey(label);
            int size = 0;
            for (BufferedImage ignored : buffer.get()) {
                size++;
            }
            recordSize(label, size);
            // a class from a savepoint taken before the bound existed has no stamp: it counts as
            // the oldest, and such classes are evicted in label order
            Long stamp = lastUpdate.value();
            long restored = stamp == null ? -1 : stamp;
            recency.touch(label, restored);
            nextStamp = Math.max(nextStamp, restored + 1);
        }
        if (memory != null) {
            List<String> remembered;
            try (Stream<Object> keys = getKeyedStateBackend().getKeys(MEMORY_STATE, VoidNamespace.INSTANCE)) {
                remembered = keys.map(Object::toString).toList();
            }
            for (String label : remembered) {
                setCurrentKey(label);
                memory.restore(label);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        batchesEmitted = getMetricGroup().counter("numBatchesEmitted");
        getMetricGroup().meter("numBatchesEmittedPerSecond", new MeterView(batchesEmitted));
        newImageBatches = getMetricGroup().counter("numNewImageBatches");
        replayBatches = getMetricGroup().counter("numReplayBatches");
        replayedClasses = getMetricGroup().counter("numReplayedClasses");
        getMetricGroup().gauge("numReplayMemoryImages", () -> memory == null ? 0L : memory.size());
        getMetricGroup().gauge("numReplayMemoryClasses", () -> memory == null ? 0 : memory.classes());
        getMetricGroup().gauge("numBufferedImages", () -> bufferedImages);
        getMetricGroup().gauge("numClassesBuffered", () -> sizes.size());
        getMetricGroup().gauge("numClassesEligible", () -> eligible.size());
        scheduleReplay();

        classesEvicted = getMetricGroup().counter("numClassesEvicted");
        imagesEvicted = getMetricGroup().counter("numImagesEvicted");
    }

    private void scheduleReplay() {
        if (config.replayIntervalMs() == 0) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + config.replayIntervalMs(), this);
    }

    @Override
    public void processElement(StreamRecord<ImageSample> element) throws Exception {
        ImageSample sample = element.getValue();
        if (!recency.contains(sample.label())) {
            makeRoomForANewClass();
        }
        List<BufferedImage> current = new ArrayList<>();
        buffer.get().forEach(current::add);
        BufferedImage image = new BufferedImage(sample.imageId(), sample.pixels());
        ClassBuffer.Result result = ClassBuffer.add(current, image, config.bufferPerClass());
        buffer.update(result.images());
        recordSize(sample.label(), result.images().size());
        lastUpdate.update(nextStamp);
        recency.touch(sample.label(), nextStamp);
        if (result.added()) {
            pendingNew++;
            if (memory != null) {
                memory.offer(sample.label(), image, seed, nextStamp, subtask);
            }
        }
        nextStamp++;
        if (pendingNew >= config.newImagesPerBatch() && canAssemble()) {
            emitBatch();
            newImageBatches.inc();
        }
    }

    /** Evicts the least recently updated classes until a new class fits within the bound. */
    private void makeRoomForANewClass() throws Exception {
        if (recency.size() < config.maxClasses()) {
            return;
        }
        Object key = getCurrentKey();
        while (recency.size() >= config.maxClasses()) {
            String label = recency.eldest();
            setCurrentKey(label);
            buffer.clear();
            lastUpdate.clear();
            imagesEvicted.inc(sizes.getOrDefault(label, 0));
            classesEvicted.inc();
            recency.remove(label);
            Integer evicted = sizes.remove(label);
            bufferedImages -= evicted == null ? 0 : evicted;
            int index = Collections.binarySearch(eligible, label);
            if (index >= 0) {
                eligible.remove(index);
            }
        }
        setCurrentKey(key);
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        if (canAssemble()) {
            emitBatch();
            replayBatches.inc();
        }
        scheduleReplay();
    }

    private boolean canAssemble() {
        return eligible.size() >= config.classesPerBatch() - replayed(formerClasses());
    }

    /** The classes the replay memory can replay that are not buffered with K images, sorted. */
    private List<String> formerClasses() {
        if (memory == null) {
            return List.of();
        }
        List<String> former = new ArrayList<>();
        for (String label : memory.replayable()) {
            if (Collections.binarySearch(eligible, label) < 0) {
                former.add(label);
            }
        }
        return former;
    }

    private int replayed(List<String> former) {
        return Math.min(former.size(), config.replayedClasses());
    }

    private void emitBatch() throws Exception {
        Object key = getCurrentKey();
        int p = config.classesPerBatch();
        int k = config.imagesPerClass();
        String[] labels = new String[p * k];
        String[] ids = new String[p * k];
        byte[][] pixels = new byte[p * k][];
        SplittableRandom random = RandomStreams.of(seed, RandomStreams.Purpose.BATCHES, sequence, subtask);
        List<String> former = formerClasses();
        int fromMemory = replayed(former);
        int slot = 0;
        for (int c : Draws.distinct(eligible.size(), p - fromMemory, random)) {
            String label = eligible.get(c);
            setCurrentKey(label);
            List<BufferedImage> images = new ArrayList<>();
            buffer.get().forEach(images::add);
            slot = take(label, images, k, random, labels, ids, pixels, slot);
        }
        for (int c : Draws.distinct(former.size(), fromMemory, random)) {
            String label = former.get(c);
            slot = take(label, memory.imagesOf(label), k, random, labels, ids, pixels, slot);
        }
        replayedClasses.inc(fromMemory);
        if (key != null) {
            setCurrentKey(key);
        }
        output.collect(new StreamRecord<>(new TrainingBatch(sequence++, labels, ids, pixels, pendingNew)));
        pendingNew = 0;
        batchesEmitted.inc();
    }

    private static int take(
            String label,
            List<BufferedImage> images,
            int k,
            SplittableRandom random,
            String[] labels,
            String[] ids,
            byte[][] pixels,
            int slot) {
        int next = slot;
        for (int i : Draws.distinct(images.size(), k, random)) {
            labels[next] = label;
            ids[next] = images.get(i).imageId();
            pixels[next] = images.get(i).pixels();
            next++;
        }
        return next;
    }

    private void recordSize(String label, int size) {
        Integer before = sizes.put(label, size);
        bufferedImages += size - (before == null ? 0 : before);
        boolean isEligible = size >= config.imagesPerClass();
        int index = Collections.binarySearch(eligible, label);
        if (isEligible && index < 0) {
            eligible.add(-index - 1, label);
        } else if (!isEligible && index >= 0) {
            eligible.remove(index);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        counters.update(List.of(new long[] {sequence, pendingNew}));
    }

    /**
     * Returns the number of images buffered for a class (for tests and metrics).
     *
     * @param label the class label
     * @return the buffer size, 0 if unknown
     */
    public int bufferedImages(String label) {
        return sizes.getOrDefault(label, 0);
    }

    /**
     * Returns the number of images the replay memory holds of a class (for tests).
     *
     * @param label the class label
     * @return the count, 0 without a memory
     */
    public int rememberedImages(String label) {
        return memory == null ? 0 : memory.count(label);
    }

    /**
     * Returns the number of classes this operator instance has evicted since it was opened.
     *
     * @return the value of the {@code numClassesEvicted} counter
     */
    public long evictedClasses() {
        return classesEvicted.getCount();
    }

    /**
     * Returns the number of buffered images this operator instance has evicted with their classes.
     *
     * @return the value of the {@code numImagesEvicted} counter
     */
    public long evictedImages() {
        return imagesEvicted.getCount();
    }
}
