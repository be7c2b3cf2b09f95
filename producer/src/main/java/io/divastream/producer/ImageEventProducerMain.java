package io.divastream.producer;

import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.kafka.KafkaClientArguments;
import io.divastream.connectors.kafka.KafkaPreflight;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.datasets.Dataset;
import io.divastream.datasets.DatasetException;
import io.divastream.datasets.DatasetFormat;
import io.divastream.datasets.Datasets;
import io.divastream.model.logging.ConsoleLogging;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * Command line: publishes a dataset to Kafka as image events, in the seeded class-interleaved order,
 * at {@code --rate} events per second. By default the Omniglot images (embedded small set, or the
 * zips of {@code --data-dir}); with {@code --format} any layout of {@link DatasetFormat} read from
 * {@code --data-dir}, optionally one part of a class split ({@code --split}, {@code --role}) and
 * with role-prefixed labels ({@code --prefix-role}). Each event carries the encoded image bytes as
 * they are. User errors (bad arguments, missing or malformed data) print one line and exit
 * non-zero. An image that cannot be sent (unreadable, beyond the job's limits, over {@code
 * max.request.size}) is skipped; the run goes on, reports the skipped images at the end on stderr
 * and exits with {@link #EXIT_SKIPPED}.
 */
public final class ImageEventProducerMain {

    /** Exit code for bad arguments. */
    public static final int EXIT_USAGE = 2;

    /** Exit code for a failure to read the data or to publish. */
    public static final int EXIT_FAILURE = 1;

    /** Exit status of a run that published what it could and skipped images it could not send. */
    public static final int EXIT_SKIPPED = 3;

    private static final long PROGRESS_EVERY = 500;

    private ImageEventProducerMain() {}

    /**
     * Runs the producer and exits with its status.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        ConsoleLogging.start(ImageEventProducerMain.class);
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the producer.
     *
     * @param args see {@code --help}
     * @param out where progress goes
     * @param err where errors go
     * @return the exit status: 0 on success
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && Set.of("--help", "-h").contains(args[0])) {
            out.print(ProducerArguments.usage());
            out.print(KafkaClientArguments.USAGE);
            return 0;
        }
        ProducerArguments arguments;
        KafkaSettings settings;
        SerdeFormat serde;
        try {
            KafkaClientArguments.Split split = KafkaClientArguments.split(args);
            arguments = ProducerArguments.parse(split.restArray());
            settings = split.settings(arguments.bootstrapServers());
            serde = split.serde();
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(ProducerArguments.usage());
            return EXIT_USAGE;
        }
        List<LabeledSource> images;
        try {
            Dataset dataset = arguments.format() == DatasetFormat.OMNIGLOT
                    ? OmniglotDataset.dataset(arguments.dataDirectory())
                    : Datasets.open(
                            arguments.format(), arguments.dataDirectory().orElseThrow());
            images = arguments.selection().select(dataset);
        } catch (DatasetException | IllegalArgumentException e) {
            err.println("error: " + oneLine(e));
            return EXIT_FAILURE;
        }
        List<LabeledSource> ordered = arguments.order().order(images, LabeledSource::label, arguments.arrival());
        long limit = arguments.limit().orElse(Long.MAX_VALUE);
        try {
            KafkaPreflight.check(settings, KafkaPreflight.DEFAULT_TIMEOUT);
        } catch (KafkaPreflight.KafkaAccessException e) {
            err.println("error: " + e.getMessage());
            return EXIT_FAILURE;
        }
        try (ImageEventProducer producer =
                new ImageEventProducer(settings, arguments.topic(), arguments.eventsPerSecond()).inFormat(serde)) {
            long sent = producer.publishSources(ordered, limit, (n, total) -> {
                if (n % PROGRESS_EVERY == 0 && n < total) {
                    out.println("sent " + n + " of " + total);
                }
            });
            out.println("published "
                    + sent
                    + " image events to "
                    + arguments.topic()
                    + " at "
                    + settings.bootstrapServers());
            producer.skipped().report().forEach(err::println);
            return producer.skipped().total() == 0 ? 0 : EXIT_SKIPPED;
        } catch (RuntimeException e) {
            err.println("error: " + oneLine(e));
            return EXIT_FAILURE;
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        return message.replace('\n', ' ');
    }
}
