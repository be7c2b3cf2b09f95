package io.divastream.search;

import io.divastream.connectors.avro.SerdeFormat;
import io.divastream.connectors.kafka.KafkaClientArguments;
import io.divastream.connectors.kafka.KafkaPreflight;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.connectors.kafka.KafkaTopics;
import io.divastream.images.ImageLimits;
import io.divastream.model.logging.ConsoleLogging;
import io.divastream.search.http.ModelDirectory;
import io.divastream.search.http.ModelVersionsFollower;
import io.divastream.search.http.SearchServer;
import io.divastream.search.index.EmbeddingsFollower;
import io.divastream.search.index.GraphSearch;
import io.divastream.search.index.PromotionsFollower;
import io.divastream.search.index.SearchMode;
import io.divastream.search.index.VersionedIndex;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The search service's command line: {@code serve} follows the embeddings topic into a {@link
 * VersionedIndex} and answers queries over HTTP ({@link SearchServer}); {@code export} writes a model
 * artefact ({@link ExportCommand}).
 */
@Command(
        name = "diva-search",
        mixinStandardHelpOptions = true,
        subcommands = {SearchServiceMain.Serve.class, ExportCommand.class, HealthCommand.class},
        description = "Live similarity search over the DiVA Stream embeddings topic, and model export.")
public final class SearchServiceMain implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.err);
        return 2;
    }

    /**
     * Runs a subcommand.
     *
     * @param args {@code serve ...} or {@code export ...}; see {@code --help}
     */
    public static void main(String[] args) {
        ConsoleLogging.start(SearchServiceMain.class);
        System.exit(run(args));
    }

    /**
     * Runs a subcommand: takes the Kafka client properties ({@link KafkaClientArguments}) out of the command line
     * for {@code serve}, then lets picocli parse the rest.
     *
     * @param args the command line
     * @return the exit status
     */
    static int run(String... args) {
        return run(args, System.out, System.err);
    }

    /**
     * Runs a subcommand, printing to the given streams.
     *
     * @param args the command line
     * @param out where usage and results go
     * @param err where errors and the service's start-up lines go
     * @return the exit status: 0, 1 when Kafka refuses the service's settings, 2 for a bad command line
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        KafkaClientArguments.Split split;
        try {
            split = KafkaClientArguments.split(args);
        } catch (IllegalArgumentException e) {
            err.println("diva-search: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        CommandLine commandLine = new CommandLine(new SearchServiceMain());
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        CommandLine serve = commandLine.getSubcommands().get("serve");
        ((Serve) serve.getCommand()).clientProperties = split.properties();
        ((Serve) serve.getCommand()).serde = split.serde();
        serve.getCommandSpec().usageMessage().footer("", KafkaClientArguments.USAGE);
        return commandLine.execute(split.restArray());
    }

    /** {@code serve}: the index and the HTTP service, until the process is stopped. */
    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            description = "Follow the embeddings topic and answer similarity queries over HTTP.")
    static final class Serve implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--bootstrap-servers",
                defaultValue = "127.0.0.1:9092",
                description = "Kafka brokers (default: ${DEFAULT-VALUE})")
        String bootstrapServers;

        /** The Kafka client properties of the command line, set before picocli runs. */
        Map<String, String> clientProperties = Map.of();

        /** The topics' wire format ({@code --serde.format}), set before picocli runs. */
        SerdeFormat serde = SerdeFormat.SINGLE_OBJECT;

        @Option(
                names = "--embeddings-topic",
                defaultValue = KafkaTopics.EMBEDDINGS,
                description = "the compacted topic of EmbeddingRecords (default: ${DEFAULT-VALUE})")
        String topic;

        @Option(
                names = "--models",
                required = true,
                paramLabel = "DIR",
                description = "directory of exported model artefacts (one sub-directory each; the job's --export.dir);"
                        + " uploads are embedded with the one whose version is served")
        Path models;

        @Option(
                names = "--model-versions-topic",
                defaultValue = KafkaTopics.MODEL_VERSIONS,
                description = "the job's committed model versions: an artefact is used only if its version and"
                        + " parameter SHA-256 equal a record's; empty: any artefact of the served version (for"
                        + " artefacts of the export command) (default: ${DEFAULT-VALUE})")
        String modelVersionsTopic;

        @Option(
                names = "--artefact-wait",
                defaultValue = "300",
                description = "seconds the artefact of a committed version may take to appear in --models before"
                        + " an error is logged (it is still looked for) (default: ${DEFAULT-VALUE})")
        long artefactWaitSeconds;

        @Option(
                names = "--mode",
                defaultValue = "exact",
                description = "exact or approximate (JVector graph) search (default: ${DEFAULT-VALUE})")
        String mode;

        @Option(
                names = "--switch-coverage",
                defaultValue = "0.95",
                description = "share of the served images a newer version must have re-embedded before it is"
                        + " served (default: ${DEFAULT-VALUE})")
        double switchCoverage;

        @Option(
                names = "--rebuild-fraction",
                defaultValue = "0.05",
                description =
                        "approximate mode: rebuild the graph once this share of it changed (default: ${DEFAULT-VALUE})")
        double rebuildFraction;

        @Option(
                names = "--ef-search",
                defaultValue = "200",
                description = "approximate mode: candidates kept per query (default: ${DEFAULT-VALUE})")
        int efSearch;

        @Option(
                names = "--host",
                defaultValue = "127.0.0.1",
                description = "address to bind (default: ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE})")
        int port;

        @Option(
                names = "--max-upload-bytes",
                defaultValue = "5242880",
                description = "largest accepted image upload (default: ${DEFAULT-VALUE})")
        long maxUploadBytes;

        @Option(
                names = "--max-image-bytes",
                defaultValue = "" + ImageLimits.DEFAULT_ENCODED_BYTES,
                description = "largest encoded image decoded; the smaller of this and --max-upload-bytes applies"
                        + " (default: ${DEFAULT-VALUE})")
        long maxImageBytes;

        @Option(
                names = "--max-image-pixels",
                defaultValue = "" + ImageLimits.DEFAULT_PIXELS,
                description = "largest width x height an upload's header may declare; larger ones are refused"
                        + " before any pixel is allocated (default: ${DEFAULT-VALUE})")
        long maxImagePixels;

        @Option(
                names = "--max-decoded-bytes",
                defaultValue = "" + ImageLimits.DEFAULT_DECODED_BYTES,
                description = "largest width x height x channels x bytes per sample an upload's header may"
                        + " declare (default: ${DEFAULT-VALUE})")
        long maxDecodedBytes;

        @Option(
                names = "--max-concurrent-embeddings",
                description = "uploads decoded and embedded at the same time, at most (default: the number of"
                        + " processors, ${DEFAULT-VALUE})")
        int maxConcurrentEmbeddings = Runtime.getRuntime().availableProcessors();

        @Option(
                names = "--embedding-wait-ms",
                defaultValue = "1000",
                description = "how long an upload waits for one of those before it is answered 503 with"
                        + " Retry-After (default: ${DEFAULT-VALUE})")
        long embeddingWaitMs;

        @Option(
                names = "--promotions-topic",
                defaultValue = KafkaTopics.PROMOTIONS,
                description = "serve only the model versions the job's promotion gate promoted, as this topic says"
                        + " (empty: serve every version; default: ${DEFAULT-VALUE})")
        String promotionsTopic;

        @Option(
                names = "--stale-after",
                paramLabel = "DURATION",
                converter = DurationConverter.class,
                description = "report DEGRADED in /health when the newest committed model version is older than"
                        + " this (e.g. 30m, 2h, 1d, PT90M; the job may have stopped); default: off")
        Duration staleAfter;

        @Override
        public Integer call() throws Exception {
            SearchMode searchMode = switch (mode) {
                case "exact" -> SearchMode.EXACT;
                case "approximate" -> SearchMode.APPROXIMATE;
                default ->
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "--mode must be exact or approximate, got '" + mode + "'");
            };
            GraphSearch.Params d = GraphSearch.Params.DEFAULT;
            boolean gated = !promotionsTopic.isBlank();
            VersionedIndex index = new VersionedIndex(
                    searchMode,
                    switchCoverage,
                    rebuildFraction,
                    new GraphSearch.Params(d.maxDegree(), d.beamWidth(), d.neighborOverflow(), d.alpha(), efSearch),
                    gated);
            SearchServer.Limits limits;
            try {
                limits = new SearchServer.Limits(
                        maxUploadBytes,
                        10,
                        100,
                        new ImageLimits(maxImageBytes, maxImagePixels, maxDecodedBytes),
                        maxConcurrentEmbeddings,
                        Duration.ofMillis(embeddingWaitMs));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (artefactWaitSeconds < 0) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--artefact-wait must not be negative, got " + artefactWaitSeconds);
            }
            boolean committed = !modelVersionsTopic.isBlank();
            if (staleAfter != null && !committed) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--stale-after needs --model-versions-topic (the committed versions' ages)");
            }
            KafkaSettings kafka = new KafkaSettings(bootstrapServers, clientProperties);
            try {
                KafkaPreflight.check(kafka, KafkaPreflight.DEFAULT_TIMEOUT);
            } catch (KafkaPreflight.KafkaAccessException e) {
                if (!e.unanswered()) {
                    spec.commandLine().getErr().println("diva-search: " + e.getMessage());
                    return 1;
                }
                spec.commandLine().getErr().println("diva-search: " + e.getMessage() + "; following the topics anyway");
            }
            try (ModelDirectory directory = committed
                            ? ModelDirectory.committed(models, Duration.ofSeconds(artefactWaitSeconds), staleAfter)
                            : new ModelDirectory(models);
                    ModelVersionsFollower versions = committed
                            ? new ModelVersionsFollower(kafka, modelVersionsTopic.trim(), directory, serde)
                            : null;
                    PromotionsFollower promotions =
                            gated ? new PromotionsFollower(kafka, promotionsTopic.trim(), index, serde) : null;
                    EmbeddingsFollower follower = new EmbeddingsFollower(kafka, topic, index, serde);
                    SearchServer server = new SearchServer(index, directory, limits, () -> {
                                Map<String, Object> extra = new LinkedHashMap<>();
                                extra.put("records", follower.records());
                                extra.put("undecodableRecords", follower.undecodable());
                                if (versions != null) {
                                    extra.put("committedModelVersion", directory.newestCommitted());
                                    extra.put("loadedModelVersions", directory.loadedVersions());
                                    extra.put("modelVersionRecords", versions.records());
                                }
                                if (promotions != null) {
                                    extra.put(
                                            "promotedModelVersion",
                                            index.status().promotedVersion());
                                    extra.put("refusedModelVersions", promotions.refused());
                                }
                                List<String> problems = new ArrayList<>();
                                if (promotions != null && promotions.failure() != null) {
                                    problems.add("the promotions follower stopped (see the log): promoted versions are"
                                            + " not seen");
                                }
                                if (follower.failure() != null) {
                                    problems.add(
                                            "the embeddings follower stopped (see the log): the index no longer follows "
                                                    + topic);
                                }
                                if (versions != null && versions.failure() != null) {
                                    problems.add(
                                            "the model-versions follower stopped (see the log): new model versions are"
                                                    + " not seen");
                                }
                                extra.put("healthy", problems.isEmpty());
                                extra.put("problems", problems);
                                return extra;
                            })
                            .start(host, port)) {
                spec.commandLine()
                        .getErr()
                        .printf(
                                "diva-search: http://%s:%d/ (%s search over %s, models from %s)%n",
                                host, server.port(), mode, topic, directory.root());
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                stop.await();
            }
            return 0;
        }
    }
    /**
     * A duration option: a number with a unit ({@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}) or ISO-8601
     * ({@code PT90M}); positive.
     */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            Duration d;
            try {
                if (v.startsWith("p")) {
                    d = Duration.parse(v.toUpperCase(Locale.ROOT));
                } else {
                    long n = Long.parseLong(v.substring(0, v.length() - 1));
                    d = switch (v.charAt(v.length() - 1)) {
                        case 's' -> Duration.ofSeconds(n);
                        case 'm' -> Duration.ofMinutes(n);
                        case 'h' -> Duration.ofHours(n);
                        case 'd' -> Duration.ofDays(n);
                        default -> throw new IllegalArgumentException();
                    };
                }
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a duration such as 90s, 30m, 2h, 1d or PT90M");
            }
            if (d.isNegative() || d.isZero()) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be positive");
            }
            return d;
        }
    }
}
