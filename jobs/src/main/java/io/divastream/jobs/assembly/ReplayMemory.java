package io.divastream.jobs.assembly;

import io.divastream.model.train.RandomStreams;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;

/**
 * The class-balanced replay memory of a batch-assembly subtask: at most {@code capacity} images of every class it
 * has ever seen, kept in keyed state beside (and independent of) the class buffers, so a class evicted from the
 * buffers is still replayed. Each class keeps a uniform sample of its distinct images (reservoir sampling within
 * the class, at most capacity / classes images each); when the memory is over its capacity, a random image of the
 * class holding most images (ties: the smallest label) is dropped, so the classes stay balanced as new ones arrive.
 * Every draw comes from {@link RandomStreams.Purpose#REPLAY_MEMORY} seeded by the arrival's stamp, so a restored
 * memory evolves as an uninterrupted one. Design notes: docs/continual.md.
 */
final class ReplayMemory {

    /** A class and the number of images it holds, ordered most first, then by label. */
    private record Held(int count, String label) {}

    private static final Comparator<Held> MOST_FIRST =
            Comparator.comparingInt(Held::count).reversed().thenComparing(Held::label);

    private final int capacity;
    private final int imagesPerClass;
    private final ListState<BufferedImage> images;
    private final ValueState<Long> seen;
    private final Consumer<String> selectKey;
    private final Map<String, Integer> counts = new HashMap<>();
    private final TreeSet<Held> byCount = new TreeSet<>(MOST_FIRST);
    /** Labels holding at least K images, sorted. */
    private final List<String> replayable = new ArrayList<>();

    private long total;

    /**
     * Creates an empty memory over its keyed state.
     *
     * @param capacity the most images kept (positive)
     * @param imagesPerClass K: a class is replayable once it holds this many
     * @param images the keyed state of a class's kept images
     * @param seen the keyed state of the number of images of a class offered (a redelivery of a held image is
     *     not counted; one of an image the reservoir passed over is, as the reservoir cannot tell)
     * @param selectKey makes a label the current key of both states
     */
    ReplayMemory(
            int capacity,
            int imagesPerClass,
            ListState<BufferedImage> images,
            ValueState<Long> seen,
            Consumer<String> selectKey) {
        if (capacity < 1) {
            throw new IllegalArgumentException("replay memory capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.imagesPerClass = imagesPerClass;
        this.images = images;
        this.seen = seen;
        this.selectKey = selectKey;
    }

    /**
     * Indexes a class found in restored state.
     *
     * @param label the class, the current key
     * @throws Exception if the state cannot be read
     */
    void restore(String label) throws Exception {
        int count = 0;
        for (BufferedImage ignored : images.get()) {
            count++;
        }
        setCount(label, count);
    }

    /**
     * Offers a new image of the current key's class; the current key is the same afterwards.
     *
     * @param label the class, the current key
     * @param image the image; one already held (a redelivery) replaces it in place
     * @param seed the model's seed
     * @param stamp the arrival's stamp
     * @param subtask the subtask's index
     * @throws Exception if the state cannot be read or written
     */
    void offer(String label, BufferedImage image, long seed, long stamp, int subtask) throws Exception {
        SplittableRandom random = RandomStreams.of(seed, RandomStreams.Purpose.REPLAY_MEMORY, stamp, subtask);
        List<BufferedImage> kept = list();
        for (int i = 0; i < kept.size(); i++) {
            if (kept.get(i).imageId().equals(image.imageId())) {
                kept.set(i, image); // a redelivery is not a new image of the reservoir's stream
                images.update(kept);
                return;
            }
        }
        Long before = seen.value();
        long offered = (before == null ? 0 : before) + 1;
        seen.update(offered);
        int classes = counts.size() + (counts.containsKey(label) ? 0 : 1);
        int quota = Math.max(1, capacity / classes);
        if (kept.size() < quota) {
            kept.add(image);
        } else {
            long slot = random.nextLong(offered);
            if (slot >= kept.size()) {
                return;
            }
            kept.set((int) slot, image);
        }
        images.update(kept);
        setCount(label, kept.size());
        while (total > capacity) {
            dropFromTheLargest(random);
        }
        selectKey.accept(label);
    }

    private void dropFromTheLargest(SplittableRandom random) throws Exception {
        String largest = byCount.first().label();
        selectKey.accept(largest);
        List<BufferedImage> kept = list();
        kept.remove(random.nextInt(kept.size()));
        if (kept.isEmpty()) {
            images.clear();
            seen.clear();
        } else {
            images.update(kept);
        }
        setCount(largest, kept.size());
    }

    private List<BufferedImage> list() throws Exception {
        List<BufferedImage> kept = new ArrayList<>();
        images.get().forEach(kept::add);
        return kept;
    }

    private void setCount(String label, int count) {
        Integer previous = count == 0 ? counts.remove(label) : counts.put(label, count);
        if (previous != null) {
            byCount.remove(new Held(previous, label));
            total -= previous;
        }
        if (count > 0) {
            byCount.add(new Held(count, label));
            total += count;
        }
        int index = Collections.binarySearch(replayable, label);
        if (count >= imagesPerClass && index < 0) {
            replayable.add(-index - 1, label);
        } else if (count < imagesPerClass && index >= 0) {
            replayable.remove(index);
        }
    }

    /**
     * The classes holding at least K images, sorted by label.
     *
     * @return a read-only view
     */
    List<String> replayable() {
        return Collections.unmodifiableList(replayable);
    }

    /**
     * The images a class holds; makes it the current key.
     *
     * @param label the class
     * @return its kept images
     * @throws Exception if the state cannot be read
     */
    List<BufferedImage> imagesOf(String label) throws Exception {
        selectKey.accept(label);
        return list();
    }

    /**
     * The number of images held.
     *
     * @return the total over all classes
     */
    long size() {
        return total;
    }

    /**
     * The number of classes holding at least one image.
     *
     * @return the count
     */
    int classes() {
        return counts.size();
    }

    /**
     * The number of images a class holds (for tests and metrics).
     *
     * @param label the class
     * @return its count, 0 if none
     */
    int count(String label) {
        return counts.getOrDefault(label, 0);
    }
}
