package io.divastream.jobs.config;

import java.util.List;

/** How the job assembles P x K batches: {@code batch.*}. */
public final class BatchOptions {

    public static final DivaOption<Integer> CLASSES =
            DivaOption.of("batch.classes", OptionType.integer(2, 4096), "28", "P: classes per batch");
    public static final DivaOption<Integer> IMAGES_PER_CLASS =
            DivaOption.of("batch.images-per-class", OptionType.integer(2, 1024), "4", "K: images per class in a batch");
    public static final DivaOption<Integer> BUFFER_PER_CLASS = DivaOption.of(
            "batch.buffer-per-class",
            OptionType.integer(2, 100_000),
            "32",
            "bounded per-class buffer of recent images");
    public static final DivaOption<Integer> NEW_IMAGES = DivaOption.of(
            "batch.new-images",
            OptionType.integer(1, 1_000_000),
            "16",
            "emit a batch once this many new images arrived");
    public static final DivaOption<Long> REPLAY_INTERVAL_MS = DivaOption.of(
            "batch.replay-interval-ms",
            OptionType.longInteger(0, 3_600_000),
            "20",
            "otherwise emit a batch from the buffers this often (0: never; batches then depend on the input only)");
    public static final DivaOption<Integer> MAX_CLASSES = DivaOption.of(
            "batch.max-classes",
            OptionType.integer(1, 100_000_000),
            "100000",
            "classes a batch-assembly subtask buffers; a new class beyond evicts the least recently updated one");

    public static final DivaOption<Integer> REPLAY_MEMORY = DivaOption.of(
            "batch.replay-memory",
            OptionType.integer(0, 100_000_000),
            "0",
            "images a batch-assembly subtask remembers of every class it has seen, class-balanced, for replay once a"
                    + " class has left the buffers (0: no replay memory)");
    public static final DivaOption<Double> REPLAY_SHARE = DivaOption.of(
            "batch.replay-share",
            OptionType.number(0, 1),
            "0.5",
            "share of a batch's classes drawn from the replay memory (classes no longer buffered)");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL = List.of(
            CLASSES,
            IMAGES_PER_CLASS,
            BUFFER_PER_CLASS,
            NEW_IMAGES,
            REPLAY_INTERVAL_MS,
            MAX_CLASSES,
            REPLAY_MEMORY,
            REPLAY_SHARE);

    private BatchOptions() {}
}
