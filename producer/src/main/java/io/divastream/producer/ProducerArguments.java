package io.divastream.producer;

import io.divastream.connectors.kafka.KafkaTopics;
import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.DatasetFormat;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command-line arguments of {@link ImageEventProducerMain}.
 *
 * @param bootstrapServers Kafka bootstrap servers (required)
 * @param topic the target topic
 * @param dataDirectory the dataset: for Omniglot a directory of zips, or empty for the embedded
 *     small set; for the other formats its folder or {@code .tar} (required)
 * @param eventsPerSecond the rate; 0 or less means unthrottled
 * @param arrival the seed, wave size and Zipf exponent of the order
 * @param limit the maximum number of events, or empty for all
 * @param format the dataset layout
 * @param selection which images to publish and how to label them
 * @param order the order of publication
 */
public record ProducerArguments(
        String bootstrapServers,
        String topic,
        Optional<Path> dataDirectory,
        double eventsPerSecond,
        OrderParameters arrival,
        OptionalLong limit,
        DatasetFormat format,
        DatasetSelection selection,
        PublicationOrder order) {

    /** Default rate in events per second. */
    public static final double DEFAULT_RATE = 100;

    /** Default seed. */
    public static final long DEFAULT_SEED = 42;

    /**
     * The usage text, as picocli renders it.
     *
     * @return the text
     */
    public static String usage() {
        return new CommandLine(new Options()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** The dataset layouts, as {@link DatasetFormat#names()} lists them (a test keeps the two equal). */
    static final String FORMATS = "cub|cars|sop|inshop|omniglot|folder";

    /** The options as picocli parses them; {@link #parse} checks them and builds the record. */
    @Command(name = "ImageEventProducerMain", description = "Publishes a dataset's images as image events.")
    private static final class Options {
        @Option(
                names = "--bootstrap-servers",
                paramLabel = "HOST:PORT[,...]",
                required = true,
                description = "Kafka brokers")
        String bootstrapServers;

        @Option(names = "--topic", paramLabel = "TOPIC", description = "target topic (default ${DEFAULT-VALUE})")
        String topic = KafkaTopics.IMAGES;

        @Option(
                names = "--format",
                paramLabel = "FORMAT",
                description = "dataset layout: " + FORMATS + " (default omniglot)")
        String format = DatasetFormat.OMNIGLOT.id();

        @Option(
                names = "--data-dir",
                paramLabel = "DIR_OR_TAR",
                description = "the dataset's folder or .tar (omniglot: default the embedded small set)")
        Path dataDirectory;

        @Option(
                names = "--split",
                paramLabel = "SPLIT",
                description = "standard|fraction:F|TRAIN_IDS:TEST_IDS (default standard)")
        String split = "standard";

        @Option(names = "--role", paramLabel = "ROLE", description = "all|train|test|query|gallery (default all)")
        String role = "all";

        @Option(
                names = "--prefix-role",
                paramLabel = "BOOLEAN",
                description = "false: labels are class names; true: train/<class>, test/<class> (default false)")
        String prefixRole = "false";

        @Option(
                names = "--rate",
                paramLabel = "EVENTS_PER_SECOND",
                description = "events per second (default 100, 0 = unthrottled)")
        String rate = String.valueOf((long) DEFAULT_RATE);

        @Option(names = "--seed", paramLabel = "N", description = "seed of the order (default 42)")
        String seed = String.valueOf(DEFAULT_SEED);

        @Option(
                names = "--wave-size",
                paramLabel = "CLASSES",
                description = "classes per wave of the class-incremental order (default "
                        + OrderParameters.DEFAULT_WAVE_SIZE + ")")
        String waveSize = String.valueOf(OrderParameters.DEFAULT_WAVE_SIZE);

        @Option(
                names = "--zipf-exponent",
                paramLabel = "S",
                description = "long-tail order: the class of rank r keeps the largest class's image count x r^-S"
                        + " (default " + OrderParameters.DEFAULT_ZIPF_EXPONENT + ")")
        String zipfExponent = String.valueOf(OrderParameters.DEFAULT_ZIPF_EXPONENT);

        @Option(names = "--limit", paramLabel = "N", description = "publish at most this many events (default all)")
        String limit;

        @Option(
                names = "--order",
                paramLabel = "ORDER",
                description = "interleaved (every class from the start, default), class-incremental (classes arrive"
                        + " in waves and then stop: a growing catalogue), long-tail (Zipf class sizes, a subset),"
                        + " class-by-class (one class after the other), shuffled or as-listed")
        String order = PublicationOrder.INTERLEAVED.id();

        @Option(
                names = {"--help", "-h"},
                usageHelp = true,
                description = "print this text")
        boolean help;
    }

    /**
     * Parses {@code --name value} (or {@code --name=value}) arguments.
     *
     * @param args the arguments
     * @return the parsed arguments
     * @throws IllegalArgumentException with a one-line message if an argument is unknown, missing a
     *     value, malformed, {@code --bootstrap-servers} is absent, or {@code --data-dir} is absent
     *     for a format other than Omniglot
     */
    public static ProducerArguments parse(String... args) {
        Options o = new Options();
        CommandLine commandLine = new CommandLine(o);
        commandLine.setOverwrittenOptionsAllowed(true);
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.MissingParameterException e) {
            CommandLine.Model.ArgSpec missing = e.getMissing().get(0);
            throw new IllegalArgumentException(
                    missing instanceof CommandLine.Model.OptionSpec option
                                    && e.getMessage().startsWith("Missing required option")
                            ? option.longestName() + " is required"
                            : "missing value for "
                                    + (missing instanceof CommandLine.Model.OptionSpec option2
                                            ? option2.longestName()
                                            : missing.paramLabel()));
        } catch (CommandLine.UnmatchedArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown argument: " + e.getUnmatched().get(0));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        DatasetFormat format = DatasetFormat.parse(o.format);
        if (format != DatasetFormat.OMNIGLOT && o.dataDirectory == null) {
            throw new IllegalArgumentException("--data-dir is required for --format " + format.id());
        }
        OptionalLong limit = OptionalLong.empty();
        if (o.limit != null) {
            long n = parseLong("--limit", o.limit);
            if (n < 0) {
                throw new IllegalArgumentException("--limit must not be negative: " + o.limit);
            }
            limit = OptionalLong.of(n);
        }
        return new ProducerArguments(
                nonBlank("--bootstrap-servers", o.bootstrapServers),
                nonBlank("--topic", o.topic),
                Optional.ofNullable(o.dataDirectory),
                parseRate(o.rate),
                new OrderParameters(
                        parseLong("--seed", o.seed),
                        (int) Math.max(0, Math.min(Integer.MAX_VALUE, parseLong("--wave-size", o.waveSize))),
                        parseDouble("--zipf-exponent", o.zipfExponent)),
                limit,
                format,
                new DatasetSelection(
                        parseSplit(o.split),
                        DatasetSelection.Role.parse(o.role),
                        parseBoolean("--prefix-role", o.prefixRole)),
                PublicationOrder.parse(o.order));
    }

    private static String nonBlank(String name, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    private static double parseRate(String value) {
        return parseDouble("--rate", value);
    }

    private static double parseDouble(String name, String value) {
        try {
            double number = Double.parseDouble(value);
            if (Double.isNaN(number) || Double.isInfinite(number)) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number: " + value);
        }
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer: " + value);
        }
    }

    private static ClassSplit parseSplit(String value) {
        try {
            return ClassSplit.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--split: " + e.getMessage());
        }
    }

    private static boolean parseBoolean(String name, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false: " + value);
        };
    }
}
