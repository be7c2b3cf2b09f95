package io.divastream.watch;

import io.divastream.connectors.kafka.KafkaPreflight;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.connectors.kafka.KafkaTopics;
import io.divastream.model.logging.ConsoleLogging;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Command line {@code watch}: consumes the metrics topic and shows the retrieval metrics of every
 * model version in the terminal (a table and an ASCII plot of Recall@1), and writes a PNG and/or a
 * self-contained HTML chart of Recall@1 and NMI against images seen, on the held-out classes and,
 * where the records carry them, on the seen (training) classes. Without {@code --follow} it
 * reads to the end offsets it finds at start and exits; with it, it keeps consuming, redraws the
 * table and rewrites the files on every new version until {@code --timeout} or Ctrl-C.
 *
 * <p>Exit status: 0 done, 1 failure (topic not found, end not reached in time, file not
 * writable), 2 bad arguments.
 */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description =
                "Shows recall over time from the DiVA Stream metrics topic, in the terminal and as PNG/HTML charts.")
public final class WatchCommand implements Callable<Integer> {

    /** Exit code for a failure at run time. */
    public static final int EXIT_FAILURE = 1;

    /** Default time to reach the end of the topic without {@code --follow}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Mixin
    BrokerOption broker = new BrokerOption();

    @Option(
            names = "--metrics-topic",
            defaultValue = KafkaTopics.METRICS,
            description = "topic of the MetricsRecords (default: ${DEFAULT-VALUE})")
    String metricsTopic;

    @Option(
            names = "--model-versions-topic",
            description = "topic of the ModelVersionRecords, to show each version's mean losses (e.g. "
                    + KafkaTopics.MODEL_VERSIONS + "); default: none")
    String modelVersionsTopic;

    @Option(
            names = "--from-beginning",
            arity = "0..1",
            defaultValue = "true",
            fallbackValue = "true",
            description = "read from the earliest offsets (true) or only records published from now on (false);"
                    + " default: ${DEFAULT-VALUE}")
    boolean fromBeginning;

    @Option(
            names = "--follow",
            description = "keep consuming and redrawing (and rewriting the files) as versions arrive;"
                    + " otherwise read to the end and exit")
    boolean follow;

    @Option(
            names = "--embedding",
            defaultValue = "combined",
            description = "combined, discriminative, selfsim, shared or intra (default: ${DEFAULT-VALUE})")
    String embedding;

    @Option(names = "--per-head", description = "add every other embedding's held-out recall@1 to the charts")
    boolean perHead;

    @Option(
            names = "--x-axis",
            defaultValue = "images",
            description = "images (training images seen) or steps (default: ${DEFAULT-VALUE})")
    String xAxis;

    @Option(names = "--png", paramLabel = "FILE", description = "write the chart as a PNG")
    Path png;

    @Option(
            names = "--html",
            paramLabel = "FILE",
            description = "write the chart (inline SVG) and the table as one self-contained HTML file")
    Path html;

    @Option(names = "--width", defaultValue = "1000", description = "PNG width in pixels (default: ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--height", defaultValue = "600", description = "PNG height in pixels (default: ${DEFAULT-VALUE})")
    int height;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description = "without --follow: how long to wait for the topic and its end (default 60);"
                    + " with --follow: how long to follow (default: until Ctrl-C)")
    Double timeoutSeconds;

    @Option(
            names = "--no-clear",
            description = "with --follow, print each refresh below the last instead of clearing the terminal")
    boolean noClear;

    private PrintStream out = System.out;
    private PrintStream err = System.err;

    /**
     * Runs the command and exits with its status.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        ConsoleLogging.start(WatchCommand.class); // on standard error: the table goes to standard output
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command.
     *
     * @param args see {@code --help}
     * @param out where the table goes
     * @param err where errors and skipped records go
     * @return the exit status: 0 done, 1 failure, 2 bad arguments
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        System.setProperty("java.awt.headless", "true");
        WatchCommand command = new WatchCommand();
        command.out = out;
        command.err = err;
        return BrokerOption.execute(command, command.broker, args, out, err);
    }

    @Override
    public Integer call() {
        XAxis axis;
        KafkaSettings settings;
        try {
            axis = XAxis.parse(xAxis);
            settings = broker.settings();
            if (width <= 0 || height <= 0) {
                throw new IllegalArgumentException("--width and --height must be positive: " + width + " x " + height);
            }
            if (timeoutSeconds != null && !(timeoutSeconds >= 0)) {
                throw new IllegalArgumentException("--timeout must be a number of seconds >= 0: " + timeoutSeconds);
            }
            if (embedding.isBlank()) {
                throw new IllegalArgumentException("--embedding must not be blank");
            }
        } catch (IllegalArgumentException e) {
            err.println("watch: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        Optional<String> refused = broker.refusal();
        if (refused.isPresent()) {
            err.println("watch: " + refused.get());
            return EXIT_FAILURE;
        }
        Duration timeout = timeout();
        try (MetricsWatcher watcher = new MetricsWatcher(
                settings, metricsTopic, Optional.ofNullable(modelVersionsTopic), fromBeginning, err, broker.serde)) {
            return follow ? follow(watcher, axis, timeout) : once(watcher, axis, timeout);
        } catch (UncheckedIOException e) {
            err.println("watch: " + e.getMessage());
            return EXIT_FAILURE;
        } catch (RuntimeException e) {
            err.println("watch: "
                    + KafkaPreflight.refusal(settings, e)
                            .map(Throwable::getMessage)
                            .orElse("failed: " + e));
            return EXIT_FAILURE;
        }
    }

    private Duration timeout() {
        if (timeoutSeconds == null) {
            return follow ? null : DEFAULT_TIMEOUT;
        }
        if (follow && timeoutSeconds == 0) {
            return null;
        }
        return Duration.ofMillis(Math.round(timeoutSeconds * 1000));
    }

    private int once(MetricsWatcher watcher, XAxis axis, Duration timeout) {
        long started = System.nanoTime();
        if (!watcher.assign(timeout)) {
            err.println("watch: topic " + metricsTopic + " not found at " + broker.bootstrapServers + " within "
                    + seconds(timeout) + " s");
            return EXIT_FAILURE;
        }
        Duration left = timeout.minusNanos(System.nanoTime() - started);
        boolean complete = watcher.readToEnd(left.isNegative() ? Duration.ZERO : left);
        show(watcher, axis, false);
        if (!complete) {
            err.println("watch: did not reach the end of " + metricsTopic + " within " + seconds(timeout)
                    + " s; showing what was read");
            return EXIT_FAILURE;
        }
        return 0;
    }

    private int follow(MetricsWatcher watcher, XAxis axis, Duration timeout) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        CountDownLatch finished = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Thread hook = new Thread(
                () -> {
                    watcher.wakeup();
                    main.interrupt();
                    try {
                        finished.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "watch-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            out.println("watch: waiting for " + metricsTopic + " at " + broker.bootstrapServers + " (Ctrl-C to stop)");
            if (!watcher.assign(timeout)) {
                err.println("watch: topic " + metricsTopic + " not found at " + broker.bootstrapServers);
                return EXIT_FAILURE;
            }
            boolean any = false;
            while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                if (watcher.poll(Duration.ofMillis(500)) || !any) {
                    any = true;
                    show(watcher, axis, !noClear);
                }
            }
            return 0;
        } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
            return 0;
        } finally {
            Thread.interrupted();
            writeFiles(watcher.history(), axis);
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for the latch counted down above
            }
        }
    }

    private void show(MetricsWatcher watcher, XAxis axis, boolean clear) {
        RecallHistory history = watcher.history();
        if (clear && System.console() != null) {
            out.print(CLEAR_SCREEN);
        } else if (follow) {
            out.println();
        }
        if (!history.isEmpty() && !history.embeddings().contains(embedding)) {
            err.println("watch: no version has scores for the embedding '" + embedding + "' (found "
                    + String.join(", ", history.embeddings()) + ")");
        }
        out.println(WatchTable.render(history, embedding, axis, modelVersionsTopic != null));
        if (watcher.skipped() > 0) {
            out.println("(" + watcher.skipped() + " undecodable record(s) skipped)");
        }
        out.flush();
        writeFiles(history, axis);
    }

    private void writeFiles(RecallHistory history, XAxis axis) {
        if (png != null) {
            PngChart.write(history, embedding, axis, perHead, width, height, png);
        }
        if (html != null) {
            HtmlReport.write(history, embedding, axis, perHead, html);
        }
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }
}
