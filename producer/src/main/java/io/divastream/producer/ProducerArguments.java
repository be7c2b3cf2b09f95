package io.divastream.producer;

import io.divastream.connectors.kafka.KafkaTopics;
import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.DatasetFormat;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Command-line arguments of {@link ImageEventProducerMain}.
 *
 * @param bootstrapServers Kafka bootstrap servers (required)
 * @param topic the target topic
 * @param dataDirectory the dataset: for Omniglot a directory of zips, or empty for the embedded
 *     small set; for the other formats its folder or {@code .tar} (required)
 * @param eventsPerSecond the rate; 0 or less means unthrottled
 * @param seed the seed of the interleaved order
 * @param limit the maximum number of events, or empty for all
 * @param format the dataset layout
 * @param selection which images to publish and how to label them
 */
public record ProducerArguments(
        String bootstrapServers,
        String topic,
        Optional<Path> dataDirectory,
        double eventsPerSecond,
        long seed,
        OptionalLong limit,
        DatasetFormat format,
        DatasetSelection selection) {

    /** Default rate in events per second. */
    public static final double DEFAULT_RATE = 100;

    /** Default seed. */
    public static final long DEFAULT_SEED = 42;

    /** The usage text. */
    public static final String USAGE =
            "usage: ImageEventProducerMain --bootstrap-servers HOST:PORT[,...] [--topic "
                    + KafkaTopics.IMAGES
                    + "] [--format "
                    + DatasetFormat.names()
                    + " (default omniglot)] [--data-dir DIR_OR_TAR (omniglot: default the embedded"
                    + " small set)] [--split standard|fraction:F|TRAIN_IDS:TEST_IDS (default standard)]"
                    + " [--role all|train|test|query|gallery (default all)] [--prefix-role true|false"
                    + " (default false: labels are class names; true: train/<class>, test/<class>)]"
                    + " [--rate EVENTS_PER_SECOND (default "
                    + (long) DEFAULT_RATE
                    + ", 0 = unthrottled)] [--seed N (default "
                    + DEFAULT_SEED
                    + ")] [--limit N]";

    /**
     * Parses {@code --name value} pairs.
     *
     * @param args the arguments
     * @return the parsed arguments
     * @throws IllegalArgumentException with a one-line message if an argument is unknown, missing a
     *     value, malformed, {@code --bootstrap-servers} is absent, or {@code --data-dir} is absent
     *     for a format other than Omniglot
     */
    public static ProducerArguments parse(String... args) {
        String bootstrapServers = null;
        String topic = KafkaTopics.IMAGES;
        Optional<Path> dataDirectory = Optional.empty();
        double rate = DEFAULT_RATE;
        long seed = DEFAULT_SEED;
        OptionalLong limit = OptionalLong.empty();
        DatasetFormat format = DatasetFormat.OMNIGLOT;
        ClassSplit split = ClassSplit.standard();
        DatasetSelection.Role role = DatasetSelection.Role.ALL;
        boolean prefixRole = false;
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + name);
            }
            String value = args[i + 1];
            switch (name) {
                case "--bootstrap-servers" -> bootstrapServers = nonBlank(name, value);
                case "--topic" -> topic = nonBlank(name, value);
                case "--data-dir" -> dataDirectory = Optional.of(Path.of(nonBlank(name, value)));
                case "--rate" -> rate = parseRate(value);
                case "--seed" -> seed = parseLong(name, value);
                case "--limit" -> {
                    long n = parseLong(name, value);
                    if (n < 0) {
                        throw new IllegalArgumentException(
                                "--limit must not be negative: " + value);
                    }
                    limit = OptionalLong.of(n);
                }
                case "--format" -> format = DatasetFormat.parse(value);
                case "--split" -> split = parseSplit(value);
                case "--role" -> role = DatasetSelection.Role.parse(value);
                case "--prefix-role" -> prefixRole = parseBoolean(name, value);
                default -> throw new IllegalArgumentException("unknown argument: " + name);
            }
        }
        if (bootstrapServers == null) {
            throw new IllegalArgumentException("--bootstrap-servers is required");
        }
        if (format != DatasetFormat.OMNIGLOT && dataDirectory.isEmpty()) {
            throw new IllegalArgumentException("--data-dir is required for --format " + format.id());
        }
        return new ProducerArguments(
                bootstrapServers,
                topic,
                dataDirectory,
                rate,
                seed,
                limit,
                format,
                new DatasetSelection(split, role, prefixRole));
    }

    private static String nonBlank(String name, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    private static double parseRate(String value) {
        try {
            double rate = Double.parseDouble(value);
            if (Double.isNaN(rate) || Double.isInfinite(rate)) {
                throw new NumberFormatException();
            }
            return rate;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rate must be a number: " + value);
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
