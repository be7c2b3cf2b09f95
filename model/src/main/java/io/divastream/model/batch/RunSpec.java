package io.divastream.model.batch;

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
 */
public record RunSpec(
        long steps,
        int evalEvery,
        int queueInitBatches,
        int classesPerBatch,
        int samplesPerClass,
        SamplingMode sampling) {

    /** Validates the values. */
    public RunSpec {
        if (steps < 1 || evalEvery < 1 || queueInitBatches < 0 || classesPerBatch < 1 || samplesPerClass < 1) {
            throw new IllegalArgumentException("invalid run: steps " + steps + ", evalEvery " + evalEvery
                    + ", queueInitBatches " + queueInitBatches + ", batch " + classesPerBatch + "x" + samplesPerClass);
        }
        java.util.Objects.requireNonNull(sampling, "sampling");
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
