package io.divastream.offline;

import io.divastream.model.train.Draws;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Draws class-balanced batches of {@code classesPerBatch} x {@code samplesPerClass} images from a
 * training set (DIVA_SPEC section 4.1).
 */
public final class ClassBalancedSampler {

    private final List<String> classes;
    private final List<List<Integer>> members;
    private final int classesPerBatch;
    private final int samplesPerClass;
    private final SamplingMode mode;

    /**
     * Creates a sampler.
     *
     * @param images the training images (only their labels are used)
     * @param classesPerBatch classes drawn per batch (B / spc)
     * @param samplesPerClass images drawn per class (spc)
     * @param mode with or without replacement
     */
    public ClassBalancedSampler(LabeledImages<?> images, int classesPerBatch, int samplesPerClass, SamplingMode mode) {
        if (classesPerBatch < 1 || samplesPerClass < 1) {
            throw new IllegalArgumentException("classes per batch and samples per class must be positive");
        }
        Map<String, List<Integer>> byClass = images.byClass();
        if (byClass.size() < 2) {
            throw new IllegalArgumentException("need at least two training classes, got " + byClass.size());
        }
        if (mode == SamplingMode.DISTINCT && byClass.size() < classesPerBatch) {
            throw new IllegalArgumentException(
                    classesPerBatch + " distinct classes per batch but only " + byClass.size() + " classes");
        }
        this.classes = List.copyOf(byClass.keySet());
        this.members = byClass.values().stream().map(List::copyOf).toList();
        this.classesPerBatch = classesPerBatch;
        this.samplesPerClass = samplesPerClass;
        this.mode = mode;
    }

    /**
     * Returns the batch size.
     *
     * @return classes per batch times samples per class
     */
    public int batchSize() {
        return classesPerBatch * samplesPerClass;
    }

    /**
     * Draws the next batch.
     *
     * @param random the source of randomness
     * @return the indices of the batch's images, class by class
     */
    public int[] next(RandomGenerator random) {
        int[] batch = new int[batchSize()];
        int[] chosen = mode == SamplingMode.DISTINCT
                ? Draws.distinct(classes.size(), classesPerBatch, random)
                : random.ints(classesPerBatch, 0, classes.size()).toArray();
        int slot = 0;
        for (int c : chosen) {
            List<Integer> pool = members.get(c);
            int[] picks = mode == SamplingMode.DISTINCT && pool.size() >= samplesPerClass
                    ? Draws.distinct(pool.size(), samplesPerClass, random)
                    : random.ints(samplesPerClass, 0, pool.size()).toArray();
            for (int p : picks) {
                batch[slot++] = pool.get(p);
            }
        }
        return batch;
    }
}
