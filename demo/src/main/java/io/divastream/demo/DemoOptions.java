package io.divastream.demo;

import io.divastream.dev.LocalKafkaBroker;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.LocalJobOptions;
import io.divastream.jobs.config.ModelOptions;
import io.divastream.jobs.config.OptionType;
import io.divastream.jobs.config.TrainOptions;
import io.divastream.jobs.pipeline.DivaEnvironment;
import io.divastream.model.DivaHead;
import io.divastream.producer.OrderParameters;
import io.divastream.producer.PublicationOrder;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/** The local demo's own options; it also accepts every job option. */
public final class DemoOptions {

    public static final DivaOption<String> BIND_ADDRESS = DivaOption.of(
            "demo.bind-address",
            OptionType.nonBlank(),
            LocalKafkaBroker.DEFAULT_HOST,
            "address every listener of the demo binds: the local Kafka broker, Flink's RPC, blob, data and REST ports"
                    + " and the Prometheus endpoint");
    public static final DivaOption<Integer> KAFKA_PORT = DivaOption.of(
            "demo.kafka-port",
            OptionType.integer(0, 65535),
            "9092",
            "port of the local Kafka broker on the bind address (0: any free port)");
    public static final DivaOption<DemoDataset> DATASET = DivaOption.of(
            "demo.dataset",
            OptionType.choice(DemoDataset.class, DemoDataset::parse),
            DemoDataset.OMNIGLOT.id(),
            "what is streamed: omniglot (the glyphs shipped in the jar), or photos through the frozen ImageNet"
                    + " MobileNetV2 of ../shared/weights: cub (CUB-200-2011 classes 1-20 streamed, 21-30 held out) or"
                    + " cars (Stanford Cars classes 1-78 streamed, 79-98 held out); photo runs also score the"
                    + " backbone's pooled features (\"pooled\" in the results)");
    public static final DivaOption<String> DATA_DIR = DivaOption.of(
            "demo.data-dir",
            OptionType.text(),
            "",
            "the dataset's files (empty: omniglot the copy shipped in the jar; cub"
                    + " ../shared/data/cub200-subset/CUB_200_2011_classes001-030.tar; cars ../shared/data/cars196-subset)");
    public static final DivaOption<String> CLASSES = DivaOption.of(
            "demo.classes",
            OptionType.text(),
            "",
            "photo datasets: the classes streamed for training and those held out, TRAIN:TEST (e.g. 1-15:16-20 to"
                    + " choose a recipe on training classes; empty: cub 1-20:21-30, cars 1-78:79-98)");
    public static final DivaOption<Boolean> DISCRIMINATIVE_ONLY = DivaOption.of(
            "demo.discriminative-only",
            OptionType.bool(),
            "false",
            "train the class-discriminative head alone, as wide as the four heads together (the baseline DiVA must"
                    + " beat); its figures are \"discriminative-only\" in the results");
    public static final DivaOption<Double> RATE = DivaOption.of(
            "demo.rate",
            OptionType.number(0, 1e6),
            "100",
            "image events published per second (0: as fast as possible)");
    public static final DivaOption<Long> SEED = DivaOption.of(
            "demo.seed", OptionType.longInteger(Long.MIN_VALUE, Long.MAX_VALUE), "42", "seed of the publication order");
    public static final DivaOption<PublicationOrder> ORDER = DivaOption.of(
            "demo.order",
            OptionType.choice(PublicationOrder.class, PublicationOrder::parse),
            "interleaved",
            "publication order: interleaved (every class from the start), or any other order of the producer's"
                    + " --order (class-incremental: a growing catalogue in waves of demo.wave-size classes), the"
                    + " held-out images then published first at full speed and the training images after them at"
                    + " demo.rate");
    public static final DivaOption<Integer> WAVE_SIZE = DivaOption.of(
            "demo.wave-size",
            OptionType.integer(1, 1_000_000),
            String.valueOf(OrderParameters.DEFAULT_WAVE_SIZE),
            "classes per wave of the class-incremental order");
    public static final DivaOption<Integer> BAD_EVENTS = DivaOption.of(
            "demo.bad-events",
            OptionType.integer(0, 1000),
            "3",
            "corrupt events published to show the dead-letter topic");
    public static final DivaOption<Long> MAX_STEPS = DivaOption.of(
            "demo.max-steps",
            OptionType.longInteger(0, Long.MAX_VALUE),
            "4000",
            "stop after the metrics of the first version at this step or later whose trainer has seen every training"
                    + " image");
    public static final DivaOption<Double> MAX_MINUTES = DivaOption.of(
            "demo.max-minutes",
            OptionType.number(0.1, 1e6),
            "11",
            "stop after this many minutes of streaming, whatever the step");
    public static final DivaOption<String> RESULTS = DivaOption.of(
            "demo.results", OptionType.nonBlank(), "demo-results.json", "file for the last metrics record");
    public static final DivaOption<String> CHART = DivaOption.of(
            "demo.chart",
            OptionType.text(),
            "",
            "also write the run's metrics chart as watch --png draws it (recall@1 and NMI, seen classes, class groups"
                    + " and cross-version) to this PNG file (empty: none)");
    public static final DivaOption<String> WORK_DIR = DivaOption.of(
            "demo.work-dir",
            OptionType.nonBlank(),
            ".demo",
            "directory for the broker's log and the checkpoints (wiped at start)");
    public static final DivaOption<Integer> PROMETHEUS_PORT = DivaOption.of(
            "metrics.prometheus-port",
            OptionType.integer(0, 65535),
            Integer.toString(DivaEnvironment.DEFAULT_PROMETHEUS_PORT),
            "port of the Prometheus metrics endpoint of the local Flink cluster, on the bind address (0: none)");

    /** The demo's own options, in the order of {@code --help}. */
    public static final List<DivaOption<?>> DEMO = List.of(
            BIND_ADDRESS,
            KAFKA_PORT,
            DATASET,
            DATA_DIR,
            CLASSES,
            DISCRIMINATIVE_ONLY,
            RATE,
            SEED,
            ORDER,
            WAVE_SIZE,
            BAD_EVENTS,
            MAX_STEPS,
            MAX_MINUTES,
            RESULTS,
            CHART,
            WORK_DIR,
            PROMETHEUS_PORT);

    /**
     * Job options whose default differs in the demo: a bounded run of about 4,000 steps gets a learning-rate decay
     * for its last quarter (an unbounded job has no such end).
     */
    public static final List<DivaOption<?>> JOB_DEFAULTS = List.of(TrainOptions.LR_DECAY_STEPS.withDefault("3000"));

    /** Every option the demo accepts: its own and the job's, the brokers optional (default: the local broker). */
    public static final LocalJobOptions ALL =
            LocalJobOptions.of(DEMO, JOB_DEFAULTS, "Kafka brokers (empty: start the local broker)");

    /**
     * The options a run uses: those given, plus the defaults of the dataset ({@link DemoDataset#defaults()}) and,
     * with {@link #DISCRIMINATIVE_ONLY}, the discriminative head alone as wide as the four heads, where not given.
     *
     * @param given the options given
     * @return a new configuration
     */
    public static Configuration withDatasetDefaults(Configuration given) {
        Configuration conf = new Configuration(given);
        DATASET.get(conf).defaults().forEach((option, value) -> option.setUnlessGiven(conf, value));
        if (DISCRIMINATIVE_ONLY.get(conf)) {
            if (!ModelOptions.EMBEDDING_DIM.isSet(conf)) {
                int headDim = Integer.parseInt(ModelOptions.PRESET
                        .get(conf)
                        .settings()
                        .getOrDefault(ModelOptions.EMBEDDING_DIM.key(), ModelOptions.EMBEDDING_DIM.defaultText()));
                ModelOptions.EMBEDDING_DIM.set(conf, Integer.toString(headDim * DivaHead.values().length));
            }
            ModelOptions.HEADS.set(conf, DivaHead.DISCRIMINATIVE.id());
        }
        return conf;
    }

    private DemoOptions() {}
}
