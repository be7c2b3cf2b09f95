package io.divastream.benchmarks;

import io.divastream.jobs.embed.CatalogueEmbedder;
import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.ModelUpdate;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * The job's {@link CatalogueEmbedder} (one subtask) in Flink's keyed two-input operator harness, with its
 * processing time kept at the wall clock so that its re-embedding timer paces itself as in a task: the harness's
 * clock is set to the wall clock between calls and after every record the operator emits, so the operator's
 * {@code getCurrentProcessingTime()} after a chunk includes the chunk's own duration (its rule of at most half the
 * thread for re-embedding depends on that). Every embedding is serialized with its Flink serializer and dropped
 * ({@link SerializingOutput}). Used by one thread.
 */
final class RefreshHarness implements AutoCloseable {

    /** The embedder's maximum parallelism (key groups) in the harness. */
    static final int MAX_PARALLELISM = 128;

    private final KeyedTwoInputStreamOperatorTestHarness<String, ImageSample, ModelUpdate, ImageEmbedding> harness;
    private final SerializingOutput<ImageEmbedding> output;
    private long target = Long.MAX_VALUE;
    private long targetReachedNanos;

    /**
     * Opens the operator on a state backend.
     *
     * @param operator the embedder
     * @param backend the state backend (RocksDB as in the job, or the heap)
     * @param parallelism the embedder's parallelism
     * @param subtask this subtask's index
     * @throws Exception if the harness cannot open the operator
     */
    RefreshHarness(CatalogueEmbedder operator, StateBackend backend, int parallelism, int subtask) throws Exception {
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                operator, ImageSample::imageId, null, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
        output = new SerializingOutput<>(ImageEmbedding.class, this::emitted);
        harness.setOutputCreator(serializer -> output);
        harness.setStateBackend(backend);
        harness.setProcessingTime(System.currentTimeMillis());
        harness.open();
    }

    private void emitted(long records) {
        if (records == target) {
            targetReachedNanos = System.nanoTime();
        }
        advanceClock();
    }

    /** Sets the harness's processing time to the wall clock, firing the timers due by then. */
    private void advanceClock() {
        long now = System.currentTimeMillis();
        if (now > harness.getProcessingTime()) {
            try {
                harness.setProcessingTime(now);
            } catch (Exception e) {
                throw new IllegalStateException("processing-time timer failed", e);
            }
        }
    }

    /**
     * Sends a catalogue image to the operator (before a model, it is stored only).
     *
     * @param sample the image
     * @throws Exception if the operator fails
     */
    void store(ImageSample sample) throws Exception {
        harness.processElement1(sample, sample.eventTime());
    }

    /** Lets the operator's timers catch up with the wall clock. */
    void tick() {
        advanceClock();
    }

    /**
     * Sends a new model version and waits until the operator has emitted {@code expected} more embeddings.
     *
     * @param model the version
     * @param expected the embeddings to wait for (the stored images)
     * @return {@link System#nanoTime()} when the last of the embeddings was emitted
     * @throws Exception if the operator fails
     */
    long refresh(ModelUpdate model, long expected) throws Exception {
        target = output.records() + expected;
        targetReachedNanos = expected == 0 ? System.nanoTime() : 0;
        harness.processElement2(model, System.currentTimeMillis());
        while (targetReachedNanos == 0) {
            advanceClock();
            if (targetReachedNanos == 0) {
                LockSupport.parkNanos(100_000);
            }
        }
        return targetReachedNanos;
    }

    /**
     * Returns the embeddings' serialized bytes so far.
     *
     * @return bytes
     */
    long outputBytes() {
        return output.bytes();
    }

    /**
     * Returns the embeddings emitted so far.
     *
     * @return the count
     */
    long outputRecords() {
        return output.records();
    }

    /**
     * Returns the images the operator stores.
     *
     * @return the count
     */
    int catalogueSize() {
        return ((CatalogueEmbedder) harness.getOperator()).catalogueSize();
    }

    /**
     * Returns the dead letters (a full catalogue) so far.
     *
     * @return the count
     */
    long deadLetters() {
        return output.sideRecords();
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
