package io.divastream.jobs.config;

import io.divastream.jobs.metrics.EvaluationMode;
import io.divastream.jobs.metrics.MetricsProtocol;
import java.util.List;

/** The held-out scoring of every model version: {@code metrics.*}. */
public final class MetricsOptions {

    public static final DivaOption<Integer> EVERY_VERSIONS = DivaOption.of(
            "metrics.every-versions", OptionType.integer(1, 1_000_000), "1", "score every n-th model version");
    public static final DivaOption<Integer> MIN_EVAL_IMAGES = DivaOption.of(
            "metrics.min-eval-images",
            OptionType.integer(2, 100_000_000),
            "100",
            "score a version only once this many evaluation images arrived");
    public static final DivaOption<EvaluationMode> MODE = DivaOption.of(
            "metrics.mode",
            OptionType.choice(EvaluationMode.class, EvaluationMode::parse),
            "leave-one-out",
            "held-out scoring: leave-one-out (every image against all others) or query-gallery (a hashed share of"
                    + " the images are queries against the rest)");
    public static final DivaOption<Double> QUERY_FRACTION = DivaOption.of(
            "metrics.query-fraction",
            OptionType.number(0, 1).checked(Validation::strictlyBetweenZeroAndOne),
            "0.5",
            "query-gallery mode: share of held-out images that are queries (by a hash of the image id)");
    public static final DivaOption<List<Integer>> RECALL_KS = DivaOption.of(
            "metrics.recall-ks",
            OptionType.integers().checked(Validation::ascendingKs),
            "1,2,4,8",
            "k of the reported Recall@k list (ascending)");
    public static final DivaOption<Integer> SEEN_SAMPLE_PER_CLASS = DivaOption.of(
            "metrics.seen-sample-per-class",
            OptionType.integer(0, 1_000_000).checked(Validation::notOne),
            "4",
            "training images per seen class scored each version (seen-class recall; 0: off; off by default with a"
                    + " catalogue TTL)");
    public static final DivaOption<Integer> SEEN_MAX_IMAGES = DivaOption.of(
            "metrics.seen-max-images",
            OptionType.integer(2, 100_000_000),
            "400",
            "at most this many sampled training images (classes with the smallest label hash first)");
    public static final DivaOption<Integer> CLASS_GROUP_SIZE = DivaOption.of(
            "metrics.class-group-size",
            OptionType.integer(0, 1_000_000),
            "20",
            "training classes per group of the continual scores, grouped by first arrival (the waves of a"
                    + " class-incremental stream); each version scores every group's sampled images (0: no group"
                    + " scores; needs the seen-class sample)");
    public static final DivaOption<Integer> TRACKED_CLASSES = DivaOption.of(
            "metrics.tracked-classes",
            OptionType.integer(1, 100_000_000),
            String.valueOf(MetricsProtocol.DEFAULT_TRACKED_CLASSES),
            "training classes whose order of first arrival the scorer keeps (about 90 bytes each); later ones are"
                    + " in no group");
    public static final DivaOption<Double> PROMOTION_TOLERANCE = DivaOption.of(
            "promotion.tolerance",
            OptionType.number(0, 1),
            "0.01",
            "a scored version is promoted to serve search and export unless its held-out recall@1 is below the"
                    + " promoted version's, on the same images, by more than this");
    public static final DivaOption<Integer> PROMOTION_MIN_EVAL_IMAGES = DivaOption.of(
            "promotion.min-eval-images",
            OptionType.integer(2, 100_000_000),
            "100",
            "no version is promoted on fewer held-out images compared");
    public static final DivaOption<Integer> INTRA_OP_THREADS = DivaOption.of(
            "metrics.intra-op-threads",
            OptionType.integer(0, 4096),
            "1",
            "libtorch intra-op threads of the metrics scorer (0: every processor)");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL = List.of(
            EVERY_VERSIONS,
            MIN_EVAL_IMAGES,
            MODE,
            QUERY_FRACTION,
            RECALL_KS,
            SEEN_SAMPLE_PER_CLASS,
            SEEN_MAX_IMAGES,
            CLASS_GROUP_SIZE,
            TRACKED_CLASSES,
            PROMOTION_TOLERANCE,
            PROMOTION_MIN_EVAL_IMAGES,
            INTRA_OP_THREADS);

    private MetricsOptions() {}
}
