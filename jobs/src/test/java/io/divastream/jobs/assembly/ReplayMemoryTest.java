package io.divastream.jobs.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.events.TrainingBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batch assembler's replay memory in a keyed harness: bounded and class-balanced, a uniform sample of each
 * class, drawn from for classes that left the buffers, and restored so that it evolves as an uninterrupted one.
 */
@SuppressWarnings("try") // the harnesses are closed by try-with-resources
class ReplayMemoryTest {

    private static final int P = 3;
    private static final int K = 2;
    private static final long SEED = 5;

    private static JobConfig.BatchingConfig config(int maxClasses, int memory, double share) {
        // no timer batches: the batches are a pure function of the input
        return new JobConfig.BatchingConfig(P, K, 4, 3, 0, maxClasses, memory, share);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness(
            boolean rocksDb, JobConfig.BatchingConfig config) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new ClassBalancedBatchOperator(config, SEED), ImageSample::label, Types.STRING);
        StateBackend backend = rocksDb ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
        harness.setStateBackend(backend);
        return harness;
    }

    private static ImageSample image(String label, int n) {
        String id = label + "#" + n;
        return new ImageSample(id, label, Role.TRAIN, id.getBytes(StandardCharsets.UTF_8), 1_000L);
    }

    /** Classes c000, c001, ... one after the other, {@code perClass} images each (a class-incremental stream). */
    private static List<ImageSample> stream(int classes, int perClass) {
        List<ImageSample> samples = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                samples.add(image(String.format("c%03d", c), i));
            }
        }
        return samples;
    }

    private static ClassBalancedBatchOperator operator(
            KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness) {
        return (ClassBalancedBatchOperator) harness.getOperator();
    }

    /** Every class's remembered image ids, read from the keyed state. */
    private static Map<String, List<String>> remembered(
            KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness) throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        harness.getOperator()
                .getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new ListStateDescriptor<>(
                                ClassBalancedBatchOperator.MEMORY_STATE, TypeInformation.of(BufferedImage.class)),
                        (Object key, ListState<BufferedImage> state) -> {
                            List<String> ids = new ArrayList<>();
                            for (BufferedImage b : state.get()) {
                                ids.add(b.imageId());
                            }
                            if (!ids.isEmpty()) {
                                out.put(key.toString(), ids);
                            }
                        });
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theMemoryIsBoundedAndClassBalancedOverEveryClassEverSeen(boolean rocksDb) throws Exception {
        try (var harness = harness(rocksDb, config(4, 60, 0.34))) {
            harness.open();
            for (ImageSample s : stream(30, 12)) {
                harness.processElement(s, 0);
                assertThat(remembered(harness).values().stream()
                                .mapToInt(List::size)
                                .sum())
                        .isLessThanOrEqualTo(60);
            }
            Map<String, List<String>> memory = remembered(harness);
            // all 30 classes, 26 of them evicted from the buffers, hold 60 / 30 = 2 images each
            assertThat(memory).hasSize(30);
            for (Map.Entry<String, List<String>> e : memory.entrySet()) {
                assertThat(e.getValue()).as(e.getKey()).hasSize(2).doesNotHaveDuplicates();
                assertThat(e.getValue()).allMatch(id -> id.startsWith(e.getKey() + "#"));
                assertThat(operator(harness).rememberedImages(e.getKey())).isEqualTo(2);
            }
        }
    }

    @Test
    void aRedeliveredHeldImageIsNotCountedAsANewOne() throws Exception {
        try (var harness = harness(false, config(4, 60, 0.34))) {
            harness.open();
            for (ImageSample s : stream(1, 3)) {
                harness.processElement(s, 0);
            }
            assertThat(offered(harness)).isEqualTo(3);
            harness.processElement(image("c000", 1), 0); // held: replaced in place, not a fourth image
            assertThat(offered(harness)).isEqualTo(3);
            assertThat(remembered(harness).get("c000")).containsExactlyInAnyOrder("c000#0", "c000#1", "c000#2");
            harness.processElement(image("c000", 3), 0);
            assertThat(offered(harness)).isEqualTo(4);
        }
    }

    private static long offered(KeyedOneInputStreamOperatorTestHarness<String, ImageSample, TrainingBatch> harness)
            throws Exception {
        long[] count = {0};
        harness.getOperator()
                .getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new ValueStateDescriptor<>(ClassBalancedBatchOperator.MEMORY_SEEN_STATE, Types.LONG),
                        (Object key, ValueState<Long> state) -> count[0] += state.value() == null ? 0 : state.value());
        return count[0];
    }

    @Test
    void eachClassKeepsAUniformSampleOfItsImages() throws Exception {
        // 400 classes of 20 images, 4 kept per class in the end: image j of a class is kept with probability 1/5,
        // about 80 times in 400 classes (standard deviation 8), whatever its position in the class
        int classes = 400;
        int[] kept = new int[20];
        try (var harness = harness(false, config(1_000, 4 * classes, 0.5))) {
            harness.open();
            for (ImageSample s : stream(classes, 20)) {
                harness.processElement(s, 0);
            }
            Map<String, List<String>> memory = remembered(harness);
            assertThat(memory).hasSize(classes);
            for (List<String> ids : memory.values()) {
                assertThat(ids).hasSize(4);
                for (String id : ids) {
                    kept[Integer.parseInt(id.substring(id.indexOf('#') + 1))]++;
                }
            }
        }
        for (int j = 0; j < kept.length; j++) {
            assertThat(kept[j]).as("classes keeping image %d", j).isBetween(48, 112);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void batchesReplayTheirShareOfFormerClassesFromTheMemory(boolean rocksDb) throws Exception {
        Set<String> replayedClasses = new HashSet<>();
        try (var harness = harness(rocksDb, config(3, 200, 0.34))) {
            harness.open();
            Set<String> buffered = new HashSet<>();
            List<String> recent = new ArrayList<>();
            for (ImageSample s : stream(20, 8)) {
                harness.processElement(s, 0);
                if (!recent.contains(s.label())) {
                    recent.add(s.label());
                    if (recent.size() > 3) {
                        recent.remove(0);
                    }
                }
                buffered.clear();
                buffered.addAll(recent);
                Map<String, List<String>> memory = remembered(harness);
                for (TrainingBatch b : harness.extractOutputValues()) {
                    assertThat(b.size()).isEqualTo(P * K);
                    Set<String> former = new HashSet<>();
                    for (int i = 0; i < b.size(); i++) {
                        if (!buffered.contains(b.labels()[i])) {
                            former.add(b.labels()[i]);
                            assertThat(memory.get(b.labels()[i])).contains(b.imageIds()[i]);
                        }
                    }
                    // round(0.34 x 3) = 1 class from the memory once there are former classes
                    assertThat(former).hasSizeLessThanOrEqualTo(1);
                    replayedClasses.addAll(former);
                }
                harness.getOutput().clear();
            }
        }
        assertThat(replayedClasses).hasSizeGreaterThan(10);

        // without the memory, the classes evicted from the buffers are never trained on again
        try (var harness = harness(rocksDb, config(3, 0, 0.34))) {
            harness.open();
            List<ImageSample> samples = stream(20, 8);
            for (int n = 0; n < samples.size(); n++) {
                harness.processElement(samples.get(n), 0);
                int current = n / 8;
                for (TrainingBatch b : harness.extractOutputValues()) {
                    for (String label : b.labels()) {
                        assertThat(Integer.parseInt(label.substring(1))).isBetween(current - 2, current);
                    }
                }
                harness.getOutput().clear();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRestoredMemoryEvolvesAsAnUninterruptedOne(boolean rocksDb) throws Exception {
        JobConfig.BatchingConfig config = config(3, 24, 0.5);
        List<ImageSample> samples = stream(16, 6);
        List<TrainingBatch> uninterrupted;
        Map<String, List<String>> finalMemory;
        try (var harness = harness(rocksDb, config)) {
            harness.open();
            for (ImageSample s : samples) {
                harness.processElement(s, 0);
            }
            uninterrupted = harness.extractOutputValues();
            finalMemory = remembered(harness);
        }
        int cut = 50;
        OperatorSubtaskState snapshot;
        List<TrainingBatch> resumed;
        try (var harness = harness(rocksDb, config)) {
            harness.open();
            for (ImageSample s : samples.subList(0, cut)) {
                harness.processElement(s, 0);
            }
            resumed = new ArrayList<>(harness.extractOutputValues());
            snapshot = harness.snapshot(1L, 1L);
        }
        try (var harness = harness(rocksDb, config)) {
            harness.initializeState(snapshot);
            harness.open();
            for (ImageSample s : samples.subList(cut, samples.size())) {
                harness.processElement(s, 0);
            }
            resumed.addAll(harness.extractOutputValues());
            assertThat(remembered(harness)).isEqualTo(finalMemory);
        }
        assertThat(uninterrupted).hasSizeGreaterThan(20);
        assertThat(resumed).isEqualTo(uninterrupted);
        // the memory did replay: some batch holds a class that had left the buffers
        assertThat(uninterrupted.stream().anyMatch(b -> {
                    int newest = 0;
                    for (String label : b.labels()) {
                        newest = Math.max(newest, Integer.parseInt(label.substring(1)));
                    }
                    for (String label : b.labels()) {
                        if (Integer.parseInt(label.substring(1)) < newest - 2) {
                            return true;
                        }
                    }
                    return false;
                }))
                .isTrue();
    }
}
