package io.divastream.jobs.config;

import io.divastream.jobs.metrics.RetrievalMetricsFunction;
import java.io.Serializable;
import java.util.Objects;

/**
 * The job's runtime settings: parallelism, checkpoints, the state backend and libtorch's threads.
 *
 * @param parallelism default operator parallelism (the trainer always runs with 1)
 * @param checkpointIntervalMs checkpoint interval in milliseconds
 * @param checkpointDirectory checkpoint storage URI, or empty for Flink's default
 * @param rocksDb whether keyed state lives in RocksDB (otherwise on the heap)
 * @param checkpointing how checkpoints are taken
 * @param sourceParallelism Kafka source and decoder subtasks, or 0 for {@code parallelism}
 * @param embeddingParallelism embedder subtasks, or 0 for {@code parallelism}
 * @param intraOpThreads libtorch's intra-op threads of each operator that runs PyTorch
 * @param trainingReaderNiceness the Linux niceness the training reader's task threads take (0: unchanged)
 */
public record RuntimeConfig(
        int parallelism,
        long checkpointIntervalMs,
        String checkpointDirectory,
        boolean rocksDb,
        CheckpointPolicy checkpointing,
        int sourceParallelism,
        int embeddingParallelism,
        IntraOpThreads intraOpThreads,
        int trainingReaderNiceness)
        implements Serializable {
    private static final long serialVersionUID = 5L;

    /**
     * The default niceness of the training reader's threads: with a photo preset they run the backbone on several
     * training views of each photo, and when the cores are short the embedding path goes first.
     */
    public static final int DEFAULT_TRAINING_READER_NICENESS = 5;

    /** Checks that the checkpoint policy and the thread counts are there. */
    public RuntimeConfig {
        Objects.requireNonNull(checkpointing, "checkpointing");
        Objects.requireNonNull(intraOpThreads, "intraOpThreads");
        if (trainingReaderNiceness < 0 || trainingReaderNiceness > 19) {
            throw new IllegalArgumentException("niceness must be 0 to 19, got " + trainingReaderNiceness);
        }
    }

    /**
     * Runtime settings with the default intra-op thread counts.
     *
     * @param parallelism default operator parallelism
     * @param checkpointIntervalMs checkpoint interval in milliseconds
     * @param checkpointDirectory checkpoint storage URI, or empty for Flink's default
     * @param rocksDb whether keyed state lives in RocksDB
     * @param checkpointing how checkpoints are taken
     * @param sourceParallelism Kafka source and decoder subtasks, or 0 for {@code parallelism}
     * @param embeddingParallelism embedder subtasks, or 0 for {@code parallelism}
     */
    public RuntimeConfig(
            int parallelism,
            long checkpointIntervalMs,
            String checkpointDirectory,
            boolean rocksDb,
            CheckpointPolicy checkpointing,
            int sourceParallelism,
            int embeddingParallelism) {
        this(
                parallelism,
                checkpointIntervalMs,
                checkpointDirectory,
                rocksDb,
                checkpointing,
                sourceParallelism,
                embeddingParallelism,
                IntraOpThreads.DEFAULT,
                DEFAULT_TRAINING_READER_NICENESS);
    }

    /**
     * Runtime settings with the default checkpoint policy for the interval.
     *
     * @param parallelism default operator parallelism
     * @param checkpointIntervalMs checkpoint interval in milliseconds
     * @param checkpointDirectory checkpoint storage URI, or empty for Flink's default
     * @param rocksDb whether keyed state lives in RocksDB
     */
    public RuntimeConfig(int parallelism, long checkpointIntervalMs, String checkpointDirectory, boolean rocksDb) {
        this(
                parallelism,
                checkpointIntervalMs,
                checkpointDirectory,
                rocksDb,
                CheckpointPolicy.defaults(checkpointIntervalMs),
                0,
                0);
    }

    /**
     * Runtime settings whose source and embedder follow the default parallelism.
     *
     * @param parallelism default operator parallelism
     * @param checkpointIntervalMs checkpoint interval in milliseconds
     * @param checkpointDirectory checkpoint storage URI, or empty for Flink's default
     * @param rocksDb whether keyed state lives in RocksDB
     * @param checkpointing how checkpoints are taken
     */
    public RuntimeConfig(
            int parallelism,
            long checkpointIntervalMs,
            String checkpointDirectory,
            boolean rocksDb,
            CheckpointPolicy checkpointing) {
        this(parallelism, checkpointIntervalMs, checkpointDirectory, rocksDb, checkpointing, 0, 0);
    }

    /**
     * The Kafka source's and the decoder's parallelism.
     *
     * @return {@code sourceParallelism}, or the default parallelism if it is 0
     */
    public int effectiveSourceParallelism() {
        return sourceParallelism > 0 ? sourceParallelism : parallelism;
    }

    /**
     * The embedder's parallelism (also of the evaluation filter and the embeddings sink).
     *
     * @return {@code embeddingParallelism}, or the default parallelism if it is 0
     */
    public int effectiveEmbeddingParallelism() {
        return embeddingParallelism > 0 ? embeddingParallelism : parallelism;
    }

    /**
     * How many threads libtorch's intra-op parallelism (OpenMP, oneDNN, MKL) uses for the operations
     * of each operator that runs PyTorch. libtorch keeps the count per calling thread, so each
     * operator sets its own when it opens ({@code DjlRuntime.useIntraOpThreads}).
     *
     * <p>By default the trainer uses every processor of its task manager and the embedders and the
     * metrics scorer one thread each: they run many short operations (one new image, one chunk, one
     * block of similarities), and on a machine whose cores they share with the trainer, a team of
     * OpenMP threads for each of them competes with the trainer's team for the same cores
     * (docs/benchmarks.md, "Training: orchestration overhead"). On a cluster, an embedder subtask
     * normally has one task slot, that is one core, to itself.
     *
     * @param trainer the trainer's threads, or 0 for every processor the task manager's JVM sees
     * @param embedder each embedder subtask's threads, or 0 for every processor
     * @param metrics the metrics scorer's threads, or 0 for every processor
     */
    public record IntraOpThreads(int trainer, int embedder, int metrics) implements Serializable {
        private static final long serialVersionUID = 1L;

        /** The trainer on every processor, embedders and metrics on one thread each. */
        public static final IntraOpThreads DEFAULT =
                new IntraOpThreads(0, 1, RetrievalMetricsFunction.DEFAULT_INTRA_OP_THREADS);

        /** Checks that no count is negative. */
        public IntraOpThreads {
            if (trainer < 0 || embedder < 0 || metrics < 0) {
                throw new IllegalArgumentException(
                        "intra-op thread counts must be 0 (every processor) or positive, got trainer " + trainer
                                + ", embedder " + embedder + ", metrics " + metrics);
            }
        }
    }

    /**
     * How checkpoints are taken.
     *
     * @param exactlyOnce exactly-once (aligned barriers) rather than at-least-once
     * @param unaligned whether a checkpoint whose barriers do not align within {@code
     *     alignedTimeoutMs} continues unaligned (exactly-once only)
     * @param alignedTimeoutMs how long barriers may align before the checkpoint goes unaligned
     * @param timeoutMs a checkpoint not complete after this long is aborted
     * @param minPauseMs least time between the end of one checkpoint and the start of the next
     */
    public record CheckpointPolicy(
            boolean exactlyOnce, boolean unaligned, long alignedTimeoutMs, long timeoutMs, long minPauseMs)
            implements Serializable {
        private static final long serialVersionUID = 1L;

        /**
         * Default alignment time before a checkpoint goes unaligned: none. The trainer's input is
         * back-pressured all the time (the batch replay), so an aligned barrier waits there behind
         * queued batches, and the embedder, which also receives the trainer's model versions, blocks
         * its new images while it waits for that barrier (1 s per checkpoint with a 1 s timeout in
         * the freshness benchmark, docs/benchmarks.md).
         */
        public static final long DEFAULT_ALIGNED_TIMEOUT_MS = 0;

        /** Default checkpoint timeout (Flink's). */
        public static final long DEFAULT_TIMEOUT_MS = 600_000;

        /** Default least pause between checkpoints, if at most half the interval. */
        public static final long DEFAULT_MIN_PAUSE_MS = 1_000;

        /** Checks the combination and the bounds. */
        public CheckpointPolicy {
            if (unaligned && !exactlyOnce) {
                throw new IllegalArgumentException("unaligned checkpoints need exactly-once mode");
            }
            if (alignedTimeoutMs < 0 || timeoutMs < 1 || minPauseMs < 0) {
                throw new IllegalArgumentException("checkpoint times must not be negative");
            }
        }

        /**
         * The default policy: exactly-once, unaligned from the start (the batch replay keeps the
         * trainer's input back-pressured), Flink's 10-minute timeout, and a pause of 1 s or half the
         * interval, whichever is shorter.
         *
         * @param intervalMs the checkpoint interval
         * @return the policy
         */
        public static CheckpointPolicy defaults(long intervalMs) {
            return new CheckpointPolicy(
                    true,
                    true,
                    DEFAULT_ALIGNED_TIMEOUT_MS,
                    DEFAULT_TIMEOUT_MS,
                    Math.min(DEFAULT_MIN_PAUSE_MS, intervalMs / 2));
        }
    }
}
