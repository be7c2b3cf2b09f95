package io.divastream.jobs.config;

import io.divastream.model.embed.StoredFeatures;
import java.util.List;

/** Parallelism, checkpoints and the state backend. */
public final class RuntimeOptions {

    public static final DivaOption<Integer> PARALLELISM = DivaOption.of(
            "parallelism",
            OptionType.integer(1, 1024),
            "1",
            "default operator parallelism (the trainer and the metrics scorer always have 1)");
    public static final DivaOption<Integer> SOURCE_PARALLELISM = DivaOption.of(
            "source.parallelism",
            OptionType.integer(0, 1024),
            "0",
            "Kafka source and decoder subtasks, at most the images topic's partitions (0: --parallelism)");
    public static final DivaOption<Integer> TRAINING_READER_NICENESS = DivaOption.of(
            "source.training-reader-niceness",
            OptionType.integer(0, 19),
            String.valueOf(RuntimeConfig.DEFAULT_TRAINING_READER_NICENESS),
            "Linux niceness of the training reader's task threads (Kafka source and decoder): with a photo preset"
                    + " they run the backbone on several views of each training photo; when the cores are short the"
                    + " embedding path then goes first and training lags (0: as the other threads)");
    public static final DivaOption<Integer> EMBEDDING_PARALLELISM = DivaOption.of(
            "embedding.parallelism",
            OptionType.integer(0, 1024),
            "0",
            "embedder subtasks, each with its own model copy (0: --parallelism)");
    public static final DivaOption<Long> CHECKPOINT_INTERVAL_MS = DivaOption.of(
            "checkpoint.interval-ms", OptionType.longInteger(100, 86_400_000), "10000", "checkpoint interval");
    public static final DivaOption<String> CHECKPOINT_DIR = DivaOption.of(
            "checkpoint.dir",
            OptionType.text().checked(Validation::checkpointDirectory),
            "",
            "checkpoint storage URI (empty: Flink's default)");
    public static final DivaOption<String> CHECKPOINT_MODE = DivaOption.of(
            "checkpoint.mode",
            OptionType.oneOf("exactly-once", "at-least-once"),
            "exactly-once",
            "checkpointing mode: exactly-once or at-least-once");
    public static final DivaOption<Boolean> CHECKPOINT_UNALIGNED = DivaOption.of(
            "checkpoint.unaligned",
            OptionType.bool(),
            "true",
            "let a checkpoint whose barriers do not align in time continue unaligned (exactly-once only)");
    public static final DivaOption<Long> CHECKPOINT_ALIGNED_TIMEOUT_MS = DivaOption.of(
            "checkpoint.aligned-timeout-ms",
            OptionType.longInteger(0, 3_600_000),
            "0",
            "alignment time before a checkpoint goes unaligned (0: unaligned from the start)");
    public static final DivaOption<Long> CHECKPOINT_TIMEOUT_MS = DivaOption.of(
            "checkpoint.timeout-ms",
            OptionType.longInteger(1_000, 86_400_000),
            "600000",
            "abort a checkpoint not complete after this long");
    public static final DivaOption<Long> CHECKPOINT_MIN_PAUSE_MS = DivaOption.of(
            "checkpoint.min-pause-ms",
            OptionType.longInteger(0, 86_400_000),
            "1000",
            "least pause between checkpoints (by default at most half the interval)");
    public static final DivaOption<StoredFeatures.Precision> FEATURE_PRECISION = DivaOption.of(
            "state.feature-precision",
            OptionType.choice(StoredFeatures.Precision.class, RuntimeOptions::precision),
            "half",
            "photo presets: precision of the stored features, half (2 bytes a value) or single (4)");
    public static final DivaOption<Boolean> STATE_ROCKSDB =
            DivaOption.of("state.rocksdb", OptionType.bool(), "true", "keep keyed state in RocksDB");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL = List.of(
            PARALLELISM,
            SOURCE_PARALLELISM,
            TRAINING_READER_NICENESS,
            EMBEDDING_PARALLELISM,
            CHECKPOINT_INTERVAL_MS,
            CHECKPOINT_DIR,
            CHECKPOINT_MODE,
            CHECKPOINT_UNALIGNED,
            CHECKPOINT_ALIGNED_TIMEOUT_MS,
            CHECKPOINT_TIMEOUT_MS,
            CHECKPOINT_MIN_PAUSE_MS,
            STATE_ROCKSDB,
            FEATURE_PRECISION);

    private RuntimeOptions() {}

    private static StoredFeatures.Precision precision(String text) {
        return switch (text) {
            case "half" -> StoredFeatures.Precision.HALF;
            case "single" -> StoredFeatures.Precision.SINGLE;
            default -> throw new IllegalArgumentException("must be half or single, got '" + text + "'");
        };
    }
}
