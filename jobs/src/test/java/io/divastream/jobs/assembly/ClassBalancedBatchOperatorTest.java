package io.divastream.jobs.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.jobs.testing.MetricsCapture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The class-balanced batcher in a keyed harness, on the heap and on the RocksDB state backend. A
 * small model of the expected buffers (the last {@code bufferPerClass} distinct ids of each class,
 * redeliveries replacing in place) is the oracle of which images a batch may contain.
 */
@SuppressWarnings("try") // the harnesses are closed by try-with-resources
class ClassBalancedBatchOperatorTest {

    private static final int P = 3;
    private static final int K = 2;
    private static final int BUFFER = 4;
    private static final int NEW_PER_BATCH = 5;
    private static final long REPLAY_MS = 1_000;
    private static final long SEED = 11;
    /** A class bound that the tests of other behaviour never reach. */
    private static final int NO_BOUND = 1_000;

    private static final JobConfig.BatchingConfig CONFIG =
            new JobConfig.BatchingConfig(P, K, BUFFER, NEW_PER_BATCH, REPLAY_MS, NO_BOUND, 0, 0);

    /** The state backends the batcher is tested on. */
    enum Backend {
        HEAP,
        ROCKSDB;

        StateBackend create() {
            return this == HEAP ? new HashMapStateBackend() : new EmbeddedRocksDBStateBackend();
        }
    }

    /**
     * What the per-class buffers should hold: insertion-ordered, bounded, replace in place; and at
     * most {@code maxClasses} classes, a new one evicting the class whose latest image is the oldest
     * (found by a linear scan of every class's last arrival).
     */
    private static final class ExpectedBuffers {
        final Map<String, LinkedHashMap<String, byte[]>> byClass = new HashMap<>();
        final Map<String, Long> lastArrival = new HashMap<>();
        final List<String> evicted = new ArrayList<>();
        final Set<String> everFed = new HashSet<>();
        int maxClasses = NO_BOUND;
        long evictedImages;
        long arrivals;

        void add(ImageSample s) {
            if (!byClass.containsKey(s.label())) {
                while (byClass.size() >= maxClasses) {
                    String oldest = null;
                    for (Map.Entry<String, Long> e : lastArrival.entrySet()) {
                        if (oldest == null || e.getValue() < lastArrival.get(oldest)) {
                            oldest = e.getKey();
                        }
                    }
                    evictedImages += byClass.remove(oldest).size();
                    lastArrival.remove(oldest);
                    evicted.add(oldest);
                }
            }
            lastArrival.put(s.label(), arrivals++);
            LinkedHashMap<String, byte[]> buffer = byClass.computeIfAbsent(s.label(), l -> new LinkedHashMap<>());
            buffer.put(s.imageId(), s.pixels());
            while (buffer.size() > BUFFER) {
                buffer.remove(buffer.keySet().iterator().next());
            }
            everFed.add(s.imageId());
        }

        List<String> ids(String label) {
            return List.copyOf(
                    byClass.getOrDefault(label, new LinkedHashMap<>()).keySet());
        }
    }

    private final ExpectedBuffers expected = new ExpectedBuffers();
    private final Random random = new Random(3);

    private static KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness(
            Backend backend, ClassBalancedBatchOperator operator) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(operator, ImageSample::label, Types.STRING);
        harness.setStateBackend(backend.create());
        return harness;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> opened(Backend backend)
            throws Exception {
        return opened(backend, CONFIG);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> opened(
            Backend backend, JobConfig.BatchingConfig config) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness =
                harness(backend, new ClassBalancedBatchOperator(config, SEED));
        harness.open();
        return harness;
    }

    private static JobConfig.BatchingConfig bounded(int maxClasses) {
        return new JobConfig.BatchingConfig(P, K, BUFFER, NEW_PER_BATCH, REPLAY_MS, maxClasses, 0, 0);
    }

    private ImageSample image(String label, String id) {
        byte[] pixels = new byte[784];
        random.nextBytes(pixels);
        return new ImageSample(id, label, Role.TRAIN, pixels, 1_000L);
    }

    private ImageSample feed(
            KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness, ImageSample sample)
            throws Exception {
        expected.add(sample);
        harness.processElement(sample, sample.eventTime());
        return sample;
    }

    private void feedNew(
            KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness, String label, int count)
            throws Exception {
        for (int i = 0; i < count; i++) {
            feed(harness, image(label, label + "#" + expected.everFed.size()));
        }
    }

    /** Takes the batches emitted since the last call. */
    private static List<TrainingBatch> drain(
            KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness) {
        List<TrainingBatch> batches = harness.extractOutputValues();
        harness.getOutput().clear();
        return batches;
    }

    private void assertValid(TrainingBatch batch) {
        assertThat(batch.size()).isEqualTo(P * K);
        assertThat(batch.imageIds()).doesNotHaveDuplicates();
        Map<String, Long> perClass = Arrays.stream(batch.labels())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(perClass).hasSize(P);
        assertThat(perClass.values()).containsOnly((long) K);
        for (int i = 0; i < batch.size(); i++) {
            LinkedHashMap<String, byte[]> buffer = expected.byClass.get(batch.labels()[i]);
            assertThat(buffer.keySet())
                    .as("image %s of class %s must be buffered", batch.imageIds()[i], batch.labels()[i])
                    .contains(batch.imageIds()[i]);
            assertThat(Arrays.equals(batch.pixels()[i], buffer.get(batch.imageIds()[i])))
                    .as("pixels of %s are the latest delivered ones", batch.imageIds()[i])
                    .isTrue();
        }
    }

    /** Reads every class's buffer from the keyed state itself, oldest first. */
    private static Map<String, List<String>> keyedBuffers(
            KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness) throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        ListStateDescriptor<BufferedImage> descriptor = new ListStateDescriptor<>(
                ClassBalancedBatchOperator.BUFFER_STATE, TypeInformation.of(BufferedImage.class));
        harness.getOperator()
                .getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        descriptor,
                        (Object key, ListState<BufferedImage> state) -> {
                            List<String> ids = new ArrayList<>();
                            for (BufferedImage b : state.get()) {
                                ids.add(b.imageId());
                            }
                            out.put((String) key, ids);
                        });
        return out;
    }

    /** Reads every class's last-update stamp from the keyed state itself. */
    private static Map<String, Long> keyedStamps(
            KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        ValueStateDescriptor<Long> descriptor =
                new ValueStateDescriptor<>(ClassBalancedBatchOperator.LAST_UPDATE_STATE, Types.LONG);
        harness.getOperator()
                .getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        descriptor,
                        (Object key, ValueState<Long> state) -> out.put((String) key, state.value()));
        return out;
    }

    /** The keyed buffers are the oracle's, and only the oracle's classes have a stamp. */
    private void assertStateIsTheExpected(
            KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness) throws Exception {
        Map<String, List<String>> want = new TreeMap<>();
        for (String label : expected.byClass.keySet()) {
            want.put(label, expected.ids(label));
        }
        assertThat(keyedBuffers(harness)).isEqualTo(want);
        assertThat(keyedStamps(harness).keySet()).isEqualTo(want.keySet());
        assertThat(keyCount(harness)).isEqualTo(want.size());
        for (String label : want.keySet()) {
            assertThat(operator(harness).bufferedImages(label))
                    .isEqualTo(want.get(label).size());
        }
    }

    private static long keyCount(KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness) {
        try (Stream<Object> keys = harness.getOperator()
                .getKeyedStateBackend()
                .getKeys(ClassBalancedBatchOperator.BUFFER_STATE, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /** The pending processing-time timers: the replay timer is the only one. */
    private static Set<Long> replayTimers(
            KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness) {
        return harness.getProcessingTimeService().getActiveTimerTimestamps();
    }

    private static ClassBalancedBatchOperator operator(
            KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness) {
        return (ClassBalancedBatchOperator) harness.getOperator();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void emitsOnlyOnceEnoughClassesHaveEnoughImagesAndEnoughAreNew(Backend backend) throws Exception {
        try (var harness = opened(backend)) {
            feedNew(harness, "A", 10); // one eligible class, 10 new images: not enough classes
            feedNew(harness, "B", 2);
            feedNew(harness, "C", 1); // C has 1 < K images
            assertThat(drain(harness)).isEmpty();

            feedNew(harness, "C", 1); // now P classes have K images, 14 new pending
            List<TrainingBatch> first = drain(harness);
            assertThat(first).hasSize(1);
            assertValid(first.get(0));
            assertThat(first.get(0).newImages()).isEqualTo(14);
            assertThat(first.get(0).sequence()).isZero();
            assertThat(first.get(0).classCount()).isEqualTo(P);

            feedNew(harness, "D", NEW_PER_BATCH - 1);
            assertThat(drain(harness)).isEmpty();
            feedNew(harness, "A", 1);
            List<TrainingBatch> second = drain(harness);
            assertThat(second).hasSize(1);
            assertValid(second.get(0));
            assertThat(second.get(0).newImages()).isEqualTo(NEW_PER_BATCH);
            assertThat(second.get(0).sequence()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void redeliveredImageIsNotNewAndReplacesItsPixelsInPlace(Backend backend) throws Exception {
        try (var harness = opened(backend)) {
            feedNew(harness, "A", 2);
            feedNew(harness, "B", 2);
            feedNew(harness, "C", 1);
            ImageSample c1 = image("C", "C#x");
            feed(harness, c1); // 6 new: a batch
            assertThat(drain(harness)).hasSize(1);
            assertThat(operator(harness).bufferedImages("C")).isEqualTo(2);

            for (int i = 0; i < 20; i++) {
                // the same id again, with other bytes: replaces, does not grow, is not new
                feed(harness, image("C", "C#x"));
                feed(harness, image("A", "A#0"));
            }
            assertThat(drain(harness)).isEmpty();
            assertThat(operator(harness).bufferedImages("C")).isEqualTo(2);
            assertThat(operator(harness).bufferedImages("A")).isEqualTo(2);
            assertThat(keyedBuffers(harness).get("C")).containsExactly("C#4", "C#x");

            feedNew(harness, "D", NEW_PER_BATCH - 1);
            assertThat(drain(harness)).isEmpty();
            feedNew(harness, "D", 1);
            List<TrainingBatch> batches = drain(harness);
            assertThat(batches).hasSize(1);
            assertThat(batches.get(0).newImages()).isEqualTo(NEW_PER_BATCH);
            assertValid(batches.get(0)); // pixels of C#x and A#0 are the latest delivered ones

            // replay until the redelivered images have been drawn, and check their pixels each time
            boolean sawReplaced = false;
            for (int t = 1; t <= 60 && !sawReplaced; t++) {
                harness.setProcessingTime(t * REPLAY_MS);
                for (TrainingBatch b : drain(harness)) {
                    assertValid(b);
                    sawReplaced |= Arrays.asList(b.imageIds()).contains("C#x");
                }
            }
            assertThat(sawReplaced).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void buffersAreBoundedAndEvictTheOldestImage(Backend backend) throws Exception {
        try (var harness = opened(backend)) {
            for (int i = 0; i < 10; i++) {
                feed(harness, image("A", "A-" + i));
                feed(harness, image("B", "B-" + i));
                feed(harness, image("C", "C-" + i));
            }
            assertThat(operator(harness).bufferedImages("A")).isEqualTo(BUFFER);
            Map<String, List<String>> state = keyedBuffers(harness);
            assertThat(state.get("A")).containsExactly("A-6", "A-7", "A-8", "A-9");
            assertThat(state.get("B")).containsExactly("B-6", "B-7", "B-8", "B-9");
            assertThat(state.get("C")).containsExactly("C-6", "C-7", "C-8", "C-9");

            List<TrainingBatch> batches = new ArrayList<>(drain(harness));
            for (int t = 1; t <= 40; t++) {
                harness.setProcessingTime(t * REPLAY_MS);
                batches.addAll(drain(harness));
            }
            Set<String> drawnAfterLastInput = new HashSet<>();
            for (TrainingBatch b : batches.subList(batches.size() - 40, batches.size())) {
                assertValid(b);
                drawnAfterLastInput.addAll(b.distinctImageIds());
            }
            // only the buffered (latest four) images can be drawn, and each of them is
            assertThat(drawnAfterLastInput)
                    .containsExactlyInAnyOrder(
                            "A-6", "A-7", "A-8", "A-9", "B-6", "B-7", "B-8", "B-9", "C-6", "C-7", "C-8", "C-9");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void replayTimerEmitsBatchesWithoutNewInput(Backend backend) throws Exception {
        try (var harness = opened(backend)) {
            assertThat(replayTimers(harness)).containsExactly(REPLAY_MS);
            feedNew(harness, "A", 2);
            feedNew(harness, "B", 2);
            harness.setProcessingTime(REPLAY_MS); // only two eligible classes: nothing
            assertThat(drain(harness)).isEmpty();
            assertThat(replayTimers(harness)).containsExactly(2 * REPLAY_MS);

            feedNew(harness, "C", 2); // 6 new images: one batch right away
            assertThat(drain(harness)).hasSize(1);
            feedNew(harness, "A", 2); // 2 pending, below the threshold
            assertThat(drain(harness)).isEmpty();

            harness.setProcessingTime(2 * REPLAY_MS - 1);
            assertThat(drain(harness)).isEmpty();
            harness.setProcessingTime(2 * REPLAY_MS);
            List<TrainingBatch> replayed = drain(harness);
            assertThat(replayed).hasSize(1);
            assertValid(replayed.get(0));
            assertThat(replayed.get(0).newImages()).isEqualTo(2);

            for (int t = 3; t <= 6; t++) {
                harness.setProcessingTime(t * REPLAY_MS);
                List<TrainingBatch> more = drain(harness);
                assertThat(more).hasSize(1);
                assertValid(more.get(0));
                assertThat(more.get(0).newImages()).isZero();
                assertThat(more.get(0).sequence()).isEqualTo(t - 1);
            }
            assertThat(replayTimers(harness)).containsExactly(7 * REPLAY_MS);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void metricsCountBufferedImagesAndBatchesByWhatTriggeredThem(Backend backend) throws Exception {
        try (var harness = harness(backend, new ClassBalancedBatchOperator(CONFIG, SEED))) {
            MetricsCapture metrics = MetricsCapture.attach(harness);
            harness.open();
            assertThat(metrics.number("numBufferedImages")).isZero();
            feedNew(harness, "A", 6); // bounded at BUFFER
            feedNew(harness, "B", 1);
            assertThat(metrics.number("numBufferedImages")).isEqualTo(BUFFER + 1);
            assertThat(metrics.number("numClassesBuffered")).isEqualTo(2);
            assertThat(metrics.number("numClassesEligible")).isEqualTo(1);
            feed(harness, image("B", "A#0")); // another class's id is another image
            feed(harness, image("B", "A#0")); // a redelivery replaces itself
            feedNew(harness, "C", 2); // P classes eligible, new images pending: a batch
            assertThat(drain(harness)).hasSize(1);
            assertThat(metrics.number("numBufferedImages")).isEqualTo(BUFFER + 2 + 2);
            assertThat(metrics.number("numClassesEligible")).isEqualTo(3);
            assertThat(metrics.count("numNewImageBatches")).isEqualTo(1);
            assertThat(metrics.count("numReplayBatches")).isZero();

            for (int t = 1; t <= 4; t++) {
                harness.setProcessingTime(t * REPLAY_MS);
            }
            assertThat(drain(harness)).hasSize(4);
            assertThat(metrics.count("numReplayBatches")).isEqualTo(4);
            assertThat(metrics.count("numNewImageBatches")).isEqualTo(1);
            assertThat(metrics.count("numBatchesEmitted")).isEqualTo(5);
            metrics.updateViews();
            assertThat(metrics.meter("numBatchesEmittedPerSecond").getRate()).isCloseTo(5 / 60.0, within(1e-12));
            assertThat(metrics.number("numBufferedImages"))
                    .as("batches do not drain the buffers")
                    .isEqualTo(BUFFER + 4);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void newImageCountsSumToTheDistinctImagesFed(Backend backend) throws Exception {
        try (var harness = opened(backend)) {
            List<TrainingBatch> batches = new ArrayList<>();
            Set<String> distinct = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                String label = "class-" + random.nextInt(12);
                ImageSample sample = feed(harness, image(label, label + "/img-" + i));
                distinct.add(sample.imageId());
                if (random.nextInt(4) == 0) {
                    // an immediate redelivery of the same event: still buffered, so never new
                    feed(
                            harness,
                            new ImageSample(
                                    sample.imageId(),
                                    label,
                                    Role.TRAIN,
                                    sample.pixels().clone(),
                                    2_000L));
                }
                if (i % 37 == 0) {
                    harness.setProcessingTime(harness.getProcessingTime() + REPLAY_MS);
                }
                List<TrainingBatch> emitted = drain(harness);
                emitted.forEach(this::assertValid);
                batches.addAll(emitted);
            }
            harness.setProcessingTime(harness.getProcessingTime() + REPLAY_MS); // flush the rest
            List<TrainingBatch> last = drain(harness);
            assertThat(last).hasSize(1);
            assertValid(last.get(0));
            batches.addAll(last);

            assertThat(batches.stream().mapToInt(TrainingBatch::newImages).sum())
                    .isEqualTo(distinct.size());
            assertThat(batches.stream().mapToLong(TrainingBatch::sequence))
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, batches.size())
                            .boxed()
                            .toList());
            // most batches were triggered by new images, a few by the timer
            assertThat(batches).filteredOn(b -> b.newImages() == NEW_PER_BATCH).hasSizeGreaterThan(40);
            assertThat(batches).filteredOn(b -> b.newImages() < NEW_PER_BATCH).isNotEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void classesAndImagesAreDrawnFromAllEligibleOnes(Backend backend) throws Exception {
        try (var harness = opened(backend)) {
            for (String label : List.of("A", "B", "C", "D", "E")) {
                feedNew(harness, label, BUFFER);
            }
            feedNew(harness, "F", 1); // not eligible: never drawn
            drain(harness);
            Map<String, Integer> classDraws = new HashMap<>();
            Set<String> ids = new HashSet<>();
            for (int t = 1; t <= 150; t++) {
                harness.setProcessingTime(t * REPLAY_MS);
                for (TrainingBatch b : drain(harness)) {
                    assertValid(b);
                    for (String label : new HashSet<>(Arrays.asList(b.labels()))) {
                        classDraws.merge(label, 1, Integer::sum);
                    }
                    ids.addAll(b.distinctImageIds());
                }
            }
            assertThat(classDraws).containsOnlyKeys("A", "B", "C", "D", "E");
            // 150 batches x 3 of 5 classes: each is drawn about 90 times
            assertThat(classDraws.values()).allSatisfy(n -> assertThat(n).isBetween(60, 120));
            assertThat(ids).hasSize(5 * BUFFER);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void keyedStateStaysBoundedByTheNumberOfClasses(Backend backend) throws Exception {
        try (var harness = opened(backend)) {
            for (int i = 0; i < 1_000; i++) {
                feed(harness, image("class-" + (i % 10), "img-" + i));
                if (i % 100 == 0) {
                    harness.setProcessingTime(harness.getProcessingTime() + REPLAY_MS);
                }
            }
            drain(harness);
            assertThat(keyCount(harness)).isEqualTo(10);
            if (backend == Backend.HEAP) {
                // a buffer and a last-update stamp per class
                assertThat(harness.numKeyedStateEntries()).isEqualTo(2 * 10);
            }
            assertThat(keyedStamps(harness)).hasSize(10);
            Map<String, List<String>> state = keyedBuffers(harness);
            assertThat(state).hasSize(10);
            assertThat(state.values()).allSatisfy(ids -> assertThat(ids).hasSize(BUFFER));
            assertThat(state.get("class-3")).containsExactly("img-963", "img-973", "img-983", "img-993");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void restoreRebuildsTheClassIndexAndKeepsTheCounters(Backend backend) throws Exception {
        OperatorSubtaskState snapshot;
        long lastSequence;
        Map<String, List<String>> buffersBefore;
        try (var harness = opened(backend)) {
            feedNew(harness, "A", 3);
            feedNew(harness, "B", 2);
            feedNew(harness, "C", 2);
            feedNew(harness, "D", 1);
            List<TrainingBatch> batches = drain(harness);
            assertThat(batches).hasSize(1); // after the 7th image (C's second)
            lastSequence = batches.get(0).sequence();
            feedNew(harness, "D", 1);
            feedNew(harness, "E", 2); // 4 pending new images (D#7, D#8, E#9, E#10) at the snapshot
            assertThat(drain(harness)).isEmpty();
            buffersBefore = keyedBuffers(harness);
            snapshot = harness.snapshot(1L, 1L);
        }

        ClassBalancedBatchOperator restored = new ClassBalancedBatchOperator(CONFIG, SEED);
        try (var harness = harness(backend, restored)) {
            MetricsCapture metrics = MetricsCapture.attach(harness);
            harness.initializeState(snapshot);
            harness.open();
            assertThat(keyedBuffers(harness)).isEqualTo(buffersBefore);
            assertThat(metrics.number("numBufferedImages"))
                    .as("rebuilt from the keyed state")
                    .isEqualTo(
                            buffersBefore.values().stream().mapToInt(List::size).sum());
            for (String label : List.of("A", "B", "C", "D", "E")) {
                assertThat(restored.bufferedImages(label))
                        .as("buffer size of %s after restore", label)
                        .isEqualTo(buffersBefore.get(label).size());
            }
            assertThat(replayTimers(harness)).containsExactly(REPLAY_MS);

            feedNew(harness, "F", 1); // the 5th new image since the last batch, counting the restored 4
            List<TrainingBatch> after = drain(harness);
            assertThat(after).hasSize(1);
            assertValid(after.get(0));
            assertThat(after.get(0).newImages()).isEqualTo(NEW_PER_BATCH);
            assertThat(after.get(0).sequence()).isEqualTo(lastSequence + 1);

            feedNew(harness, "F", 1); // F becomes eligible next to the restored classes
            assertThat(drain(harness)).isEmpty();

            // the replay, which needs the eligible classes from the rebuilt index, goes on too
            Set<String> classes = new HashSet<>();
            for (int t = 1; t <= 30; t++) {
                harness.setProcessingTime(t * REPLAY_MS);
                for (TrainingBatch b : drain(harness)) {
                    assertValid(b);
                    classes.addAll(Arrays.asList(b.labels()));
                }
            }
            assertThat(classes).containsExactlyInAnyOrder("A", "B", "C", "D", "E", "F");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aNewClassBeyondTheBoundEvictsTheLeastRecentlyUpdatedClassAndClearsItsState(Backend backend) throws Exception {
        expected.maxClasses = 4;
        try (var harness = opened(backend, bounded(4))) {
            feedNew(harness, "A", 2);
            feedNew(harness, "B", 3);
            feedNew(harness, "C", 2);
            feedNew(harness, "D", 2);
            feedNew(harness, "A", 1); // A is recent again: B is now the least recently updated
            drain(harness).forEach(this::assertValid);
            assertThat(operator(harness).evictedClasses()).isZero();
            assertStateIsTheExpected(harness);

            feedNew(harness, "E", 2);
            assertThat(expected.evicted).containsExactly("B");
            assertStateIsTheExpected(harness); // B's buffer and stamp are gone from the keyed state
            assertThat(keyedBuffers(harness)).containsOnlyKeys("A", "C", "D", "E");
            assertThat(operator(harness).bufferedImages("B")).isZero();
            assertThat(operator(harness).evictedClasses()).isEqualTo(1);
            assertThat(operator(harness).evictedImages()).isEqualTo(3);

            // the evicted class is never drawn again, every remaining one is
            Set<String> drawn = new HashSet<>();
            for (TrainingBatch b : drain(harness)) {
                assertValid(b);
                drawn.addAll(Arrays.asList(b.labels()));
            }
            for (int t = 1; t <= 40; t++) {
                harness.setProcessingTime(t * REPLAY_MS);
                for (TrainingBatch b : drain(harness)) {
                    assertValid(b);
                    drawn.addAll(Arrays.asList(b.labels()));
                }
            }
            assertThat(drawn).containsExactlyInAnyOrder("A", "C", "D", "E");

            // B comes back with an image it had before: a new class again, and a new image, which
            // evicts C, now the least recently updated
            feed(harness, image("B", "B#3"));
            assertThat(expected.evicted).containsExactly("B", "C");
            assertStateIsTheExpected(harness);
            assertThat(keyedBuffers(harness).get("B")).containsExactly("B#3");
            assertThat(operator(harness).evictedImages())
                    .isEqualTo(expected.evictedImages)
                    .isEqualTo(5);
            feedNew(harness, "B", NEW_PER_BATCH - 1);
            List<TrainingBatch> batches = drain(harness);
            assertThat(batches).hasSize(1);
            assertThat(batches.get(0).newImages()).as("B#3 was new again").isEqualTo(NEW_PER_BATCH);
            assertValid(batches.get(0));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theBoundHoldsWhileTheClassesOfTheStreamKeepChanging(Backend backend) throws Exception {
        int bound = 5;
        expected.maxClasses = bound;
        try (var harness = opened(backend, bounded(bound))) {
            List<TrainingBatch> batches = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                // a window of 8 live classes that slides forward, so old classes fade out, with
                // now and then a late image of a long-gone class
                int c = i / 20 + random.nextInt(8);
                if (random.nextInt(25) == 0) {
                    c = random.nextInt(Math.max(1, i / 20));
                }
                String label = "class-" + c;
                feed(harness, image(label, label + "/" + random.nextInt(6)));
                if (i % 7 == 0) {
                    harness.setProcessingTime(harness.getProcessingTime() + REPLAY_MS);
                }
                assertThat(keyCount(harness)).as("classes after image %d", i).isLessThanOrEqualTo(bound);
                if (i % 50 == 0) {
                    assertStateIsTheExpected(harness);
                }
                List<TrainingBatch> emitted = drain(harness);
                emitted.forEach(this::assertValid); // only buffered images of buffered classes
                batches.addAll(emitted);
            }
            assertStateIsTheExpected(harness);
            assertThat(expected.evicted).hasSizeGreaterThan(50);
            assertThat(operator(harness).evictedClasses()).isEqualTo(expected.evicted.size());
            assertThat(operator(harness).evictedImages()).isEqualTo(expected.evictedImages);
            assertThat(batches).hasSizeGreaterThan(50);
        }
    }

    /**
     * Classes enter in the order D, B, A, C (neither label nor key order) and B is updated last,
     * so the eviction order is D, A, C, B; after the restore D is updated, which must make it the
     * most recent class (the restored stamps go on from the largest one), so the order becomes A,
     * C, B, D.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRestoreKeepsTheEvictionOrder(Backend backend) throws Exception {
        expected.maxClasses = 4;
        OperatorSubtaskState snapshot;
        try (var harness = opened(backend, bounded(4))) {
            for (String label : List.of("D", "B", "A", "C", "B")) {
                feedNew(harness, label, 2);
            }
            drain(harness);
            snapshot = harness.snapshot(1L, 1L);
        }

        ClassBalancedBatchOperator restored = new ClassBalancedBatchOperator(bounded(4), SEED);
        try (var harness = harness(backend, restored)) {
            harness.initializeState(snapshot);
            harness.open();
            assertStateIsTheExpected(harness);
            feedNew(harness, "D", 1);
            List<String> evictedAfterRestore = new ArrayList<>();
            for (String label : List.of("E", "F", "G", "H")) {
                Set<String> before = keyedBuffers(harness).keySet();
                feedNew(harness, label, 1);
                Set<String> gone = new HashSet<>(before);
                gone.removeAll(keyedBuffers(harness).keySet());
                assertThat(gone).hasSize(1);
                evictedAfterRestore.addAll(gone);
                assertStateIsTheExpected(harness);
            }
            assertThat(evictedAfterRestore).containsExactly("A", "C", "B", "D");
            assertThat(expected.evicted).as("the oracle's order").containsExactly("A", "C", "B", "D");
            assertThat(restored.evictedClasses()).isEqualTo(4);
            assertThat(keyedStamps(harness).values()).doesNotHaveDuplicates();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aLowerBoundAfterARestoreEvictsDownToItAtTheNextNewClass(Backend backend) throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = opened(backend)) {
            for (String label : List.of("F", "A", "E", "B", "D", "C")) {
                feedNew(harness, label, 2);
            }
            drain(harness);
            snapshot = harness.snapshot(1L, 1L);
        }
        expected.maxClasses = 3;
        ClassBalancedBatchOperator restored = new ClassBalancedBatchOperator(bounded(3), SEED);
        try (var harness = harness(backend, restored)) {
            harness.initializeState(snapshot);
            harness.open();
            feedNew(harness, "A", 1); // a known class: nothing is evicted
            assertThat(keyCount(harness)).isEqualTo(6);
            feedNew(harness, "G", 1);
            assertThat(expected.evicted).containsExactly("F", "E", "B", "D");
            assertStateIsTheExpected(harness);
            assertThat(keyedBuffers(harness)).containsOnlyKeys("A", "C", "G");
            assertThat(restored.evictedClasses()).isEqualTo(4);
            assertThat(restored.evictedImages()).isEqualTo(8);
        }
    }

    /** 120 images of 12 classes arriving in a shuffled order, labels not in arrival order. */
    private List<ImageSample> shuffledStream() {
        List<ImageSample> stream = new ArrayList<>();
        String[] labels = {"Z", "A", "M", "C", "Y", "B", "Q", "D", "X", "E", "P", "F"};
        for (String label : labels) {
            for (int i = 0; i < 10; i++) {
                stream.add(image(label, label + "#" + i));
            }
        }
        java.util.Collections.shuffle(stream, new Random(17));
        return stream;
    }

    /** With a bound of 5 of the 12 classes, classes are evicted all along the stream. */
    @ParameterizedTest
    @CsvSource({"HEAP, 1000", "ROCKSDB, 1000", "HEAP, 5", "ROCKSDB, 5"})
    void withTheReplayDisabledTheBatchesArePureFunctionsOfTheInputAcrossARestore(Backend backend, int maxClasses)
            throws Exception {
        JobConfig.BatchingConfig noReplay = new JobConfig.BatchingConfig(P, K, BUFFER, 3, 0, maxClasses, 0, 0);
        List<ImageSample> stream = shuffledStream();
        List<TrainingBatch> straight = new ArrayList<>();
        try (var harness = harness(backend, new ClassBalancedBatchOperator(noReplay, SEED))) {
            harness.open();
            assertThat(replayTimers(harness)).as("no replay timer").isEmpty();
            for (ImageSample sample : stream) {
                harness.processElement(sample, sample.eventTime());
            }
            harness.setProcessingTime(1_000_000); // time passing emits nothing without the replay
            straight.addAll(drain(harness));
            if (maxClasses < 12) {
                assertThat(keyCount(harness)).isEqualTo(maxClasses);
                assertThat(operator(harness).evictedClasses()).isGreaterThan(20);
            } else {
                assertThat(operator(harness).evictedClasses()).isZero();
            }
        }
        assertThat(straight).hasSizeGreaterThan(maxClasses < 12 ? 10 : 30);
        for (TrainingBatch b : straight) {
            assertThat(b.imageIds()).hasSize(P * K).doesNotHaveDuplicates();
            assertThat(b.classCount()).isEqualTo(P);
        }

        for (int cut : new int[] {20, 61, 97}) {
            List<TrainingBatch> resumed = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (var harness = harness(backend, new ClassBalancedBatchOperator(noReplay, SEED))) {
                harness.open();
                for (ImageSample sample : stream.subList(0, cut)) {
                    harness.processElement(sample, sample.eventTime());
                }
                resumed.addAll(drain(harness));
                snapshot = harness.snapshot(1L, 1L);
            }
            // the restored operator rebuilds its class index in the state backend's key order, not
            // in arrival order; the draws must not depend on that
            try (var harness = harness(backend, new ClassBalancedBatchOperator(noReplay, SEED))) {
                harness.initializeState(snapshot);
                harness.open();
                for (ImageSample sample : stream.subList(cut, stream.size())) {
                    harness.processElement(sample, sample.eventTime());
                }
                resumed.addAll(drain(harness));
            }
            assertThat(resumed).as("batches with a restore after image %d", cut).isEqualTo(straight);
        }

        // another seed draws other batches from the same input
        List<TrainingBatch> otherSeed = new ArrayList<>();
        try (var harness = harness(backend, new ClassBalancedBatchOperator(noReplay, SEED + 1))) {
            harness.open();
            for (ImageSample sample : stream) {
                harness.processElement(sample, sample.eventTime());
            }
            otherSeed.addAll(drain(harness));
        }
        assertThat(otherSeed).hasSameSizeAs(straight).isNotEqualTo(straight);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void scalingOutKeepsEveryBufferAndThePendingNewImages(Backend backend) throws Exception {
        int maxParallelism = 8;
        OperatorSubtaskState snapshot;
        Map<String, List<String>> buffersBefore;
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new ClassBalancedBatchOperator(CONFIG, SEED), ImageSample::label, Types.STRING, maxParallelism, 1, 0)) {
            harness.setStateBackend(backend.create());
            harness.open();
            for (int c = 0; c < 16; c++) {
                feedNew(harness, "class-" + c, 2);
            }
            harness.setProcessingTime(REPLAY_MS); // flush: nothing pending
            assertThat(drain(harness))
                    .last()
                    .extracting(TrainingBatch::newImages)
                    .isNotEqualTo(0);
            feedNew(harness, "class-0", 1);
            feedNew(harness, "class-1", 1); // 2 new images pending since the last batch
            assertThat(drain(harness)).isEmpty();
            buffersBefore = keyedBuffers(harness);
            snapshot = harness.snapshot(1L, 1L);
        }

        Map<String, List<String>> buffersAfter = new TreeMap<>();
        int pendingAfter = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part = KeyedOneInputStreamOperatorTestHarness.repartitionOperatorState(
                    snapshot, maxParallelism, 1, 2, subtask);
            try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                    new ClassBalancedBatchOperator(CONFIG, SEED),
                    ImageSample::label,
                    Types.STRING,
                    maxParallelism,
                    2,
                    subtask)) {
                harness.setStateBackend(backend.create());
                harness.initializeState(part);
                harness.open();
                Map<String, List<String>> buffers = keyedBuffers(harness);
                assertThat(buffers.size()).as("classes of subtask %d", subtask).isGreaterThanOrEqualTo(P);
                buffersAfter.putAll(buffers);
                harness.setProcessingTime(REPLAY_MS); // flush what is pending
                List<TrainingBatch> batches = drain(harness);
                assertThat(batches).hasSize(1);
                pendingAfter += batches.get(0).newImages();
            }
        }
        assertThat(buffersAfter).isEqualTo(buffersBefore);
        assertThat(pendingAfter).as("pending new images after scaling out").isEqualTo(2);
    }

    @Test
    void bufferedImageIdentityIsTheImageId() {
        byte[] pixels = "pixels".getBytes(StandardCharsets.UTF_8);
        assertThat(new BufferedImage("x", pixels)).isEqualTo(new BufferedImage("x", pixels.clone()));
        assertThat(new BufferedImage("x", pixels)).isNotEqualTo(new BufferedImage("y", pixels));
    }
}
