package io.divastream.jobs.config;

import java.time.Duration;
import java.util.List;

/** The embedders and their catalogue: {@code embed.head-weights} and {@code embedding.*}. */
public final class EmbeddingOptions {

    public static final DivaOption<List<Double>> HEAD_WEIGHTS = DivaOption.of(
            "embed.head-weights",
            OptionType.numbers().checked(Validation::headWeights),
            "1,1,1,1",
            "weights of the heads in the combined embedding");
    public static final DivaOption<Double> REEMBED_RATE = DivaOption.of(
            "embedding.reembed-rate",
            OptionType.number(0.001, 1e9),
            "1000",
            "stored images re-embedded per second and subtask after a model update");
    public static final DivaOption<Integer> REEMBED_CHUNK = DivaOption.of(
            "embedding.reembed-chunk",
            OptionType.integer(1, 100_000),
            "64",
            "images re-embedded together in one step of the rate");
    public static final DivaOption<Duration> CATALOGUE_TTL = DivaOption.of(
            "embedding.catalogue-ttl",
            OptionType.duration(),
            "0",
            "drop a training image not received again for this long (e.g. 90s, 30m, 24h; 0: never)");
    public static final DivaOption<Integer> MAX_IMAGES_PER_SUBTASK = DivaOption.of(
            "embedding.max-images-per-subtask",
            OptionType.integer(1, 100_000_000),
            "100000",
            "images an embedder subtask stores; new ones beyond go to the dead-letter topic");
    public static final DivaOption<Integer> INTRA_OP_THREADS = DivaOption.of(
            "embedding.intra-op-threads",
            OptionType.integer(0, 4096),
            "1",
            "libtorch intra-op threads of each embedder subtask and, with a photo preset, of each subtask of the"
                    + " decoders running the frozen backbone (0: every processor; one keeps their forward passes from"
                    + " competing with the trainer's threads)");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL =
            List.of(HEAD_WEIGHTS, REEMBED_RATE, REEMBED_CHUNK, CATALOGUE_TTL, MAX_IMAGES_PER_SUBTASK, INTRA_OP_THREADS);

    private EmbeddingOptions() {}
}
