package io.divastream.offline;

/**
 * How long and on what batches a batch run trains, and how often it evaluates.
 *
 * @param steps optimizer steps to take
 * @param evalEvery evaluate the test set every this many steps (and after the last step)
 * @param queueInitBatches batches the key encoder embeds to fill the DaNCE queue before training
 *     ({@code n_key_batches}; the queue holds at most its configured size)
 * @param classesPerBatch classes per batch (B / spc)
 * @param samplesPerClass images per class in a batch (spc)
 * @param sampling how classes and images are drawn
 * @param warmupSteps first steps that train everything but the backbone (0: none); needs a head
 *     learning-rate factor other than 1
 */
public record RunSpec(
        long steps,
        int evalEvery,
        int queueInitBatches,
        int classesPerBatch,
        int samplesPerClass,
        SamplingMode sampling,
        long warmupSteps) {

    /** Validates the values. */
    public RunSpec {
        if (warmupSteps < 0 || warmupSteps > steps) {
            throw new IllegalArgumentException("warm-up steps " + warmupSteps + " must lie in 0.." + steps);
        }
        if (steps < 1 || evalEvery < 1 || queueInitBatches < 0 || classesPerBatch < 1 || samplesPerClass < 1) {
            throw new IllegalArgumentException("invalid run: steps " + steps + ", evalEvery " + evalEvery
                    + ", queueInitBatches " + queueInitBatches + ", batch " + classesPerBatch + "x" + samplesPerClass);
        }
        java.util.Objects.requireNonNull(sampling, "sampling");
    }

    /**
     * A run without warm-up.
     *
     * @param steps optimizer steps to take
     * @param evalEvery evaluation cadence
     * @param queueInitBatches batches filling the DaNCE queue
     * @param classesPerBatch classes per batch
     * @param samplesPerClass images per class
     * @param sampling how classes and images are drawn
     */
    public RunSpec(
            long steps,
            int evalEvery,
            int queueInitBatches,
            int classesPerBatch,
            int samplesPerClass,
            SamplingMode sampling) {
        this(steps, evalEvery, queueInitBatches, classesPerBatch, samplesPerClass, sampling, 0);
    }

    /**
     * Returns the batch size.
     *
     * @return classes per batch times samples per class
     */
    public int batchSize() {
        return classesPerBatch * samplesPerClass;
    }
}
