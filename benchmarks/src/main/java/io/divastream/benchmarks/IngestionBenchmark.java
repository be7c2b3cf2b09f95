package io.divastream.benchmarks;

import io.divastream.datasets.CubReader;
import io.divastream.datasets.Dataset;
import io.divastream.datasets.DatasetImage;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.config.OptionSet;
import io.divastream.jobs.config.OptionType;
import io.divastream.model.logging.ConsoleLogging;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * Issue 15's "Ingestion" bar: photos per second embedded by the frozen backbone in the job's embedding reader at
 * parallelism 1 and 2, against a bare loop of the same backbone in the same run (bar: ratio at least 0.9).
 *
 * <p>The photos are real CUB JPEGs read from the shared subset's tar with {@link CubReader}, held in memory and
 * spread over the 30 classes. The decoding, precision, seed, image limits and routing are the job's with {@code
 * --model.preset photo-mobilenetv2}. Phases, each on {@code p} threads with a backbone of their own ({@link
 * IngestionPhases}, a full garbage collection before each): the bare loop ({@code
 * PhotoFeatureExtractor.evaluation}: decode, resize 256 and crop 224, MobileNetV2 forward); the forward pass alone
 * on evaluation views transformed beforehand; and the job's {@code DecodeImageFunction} (Avro event decoding,
 * limits, routing, the same extraction, half-precision encoding, the sample serialized for the network) as {@code
 * p} subtasks in Flink's operator harness. The phases alternate within each round so that a load that drifts during
 * the run weighs on all of them, the bare loop and the decoder taking turns at going first. Then the training
 * reader's extraction ({@code PhotoFeatureExtractor.training}) with each number of {@code training-views}, one
 * thread.
 * Nothing is asserted: the figures are printed.
 *
 * <p>Options ({@code --help} lists them): {@code data}, {@code backbone-file}, {@code photos} (per thread and
 * phase, 100), {@code warmup} (10), {@code rounds} (2), {@code parallelism} (1,2), {@code training-photos} (30),
 * {@code training-views} (4,8), {@code intra-op-threads} (1, the job's {@code embedding.intra-op-threads}).
 */
public final class IngestionBenchmark {

    private static final double BAR = 0.9;

    private static final DivaOption<String> DATA = DivaOption.of(
            "data",
            OptionType.nonBlank(),
            "../../shared/data/cub200-subset/CUB_200_2011_classes001-030.tar",
            "the CUB subset (tar or folder; relative to the benchmarks module)");
    private static final DivaOption<String> BACKBONE_FILE = DivaOption.of(
            "backbone-file",
            OptionType.nonBlank(),
            "../../shared/weights/mobilenet_v2_imagenet_features.torchscript.pt",
            "the photo preset's TorchScript backbone (relative to the benchmarks module)");
    private static final DivaOption<Integer> PHOTOS =
            DivaOption.of("photos", OptionType.integer(1, 100_000), "100", "timed photos per thread and phase");
    private static final DivaOption<Integer> WARMUP =
            DivaOption.of("warmup", OptionType.integer(0, 10_000), "10", "untimed photos per thread first");
    private static final DivaOption<Integer> ROUNDS =
            DivaOption.of("rounds", OptionType.integer(1, 100), "2", "rounds of the alternating phases");
    private static final DivaOption<List<Integer>> PARALLELISM =
            DivaOption.of("parallelism", OptionType.integers(), "1,2", "the parallelisms measured");
    private static final DivaOption<Integer> TRAINING_PHOTOS = DivaOption.of(
            "training-photos", OptionType.integer(0, 100_000), "30", "timed photos per training-views count");
    private static final DivaOption<List<Integer>> TRAINING_VIEWS =
            DivaOption.of("training-views", OptionType.integers(), "4,8", "training views per photo measured");
    private static final DivaOption<Integer> INTRA_OP_THREADS = DivaOption.of(
            "intra-op-threads",
            OptionType.integer(0, 4096),
            "1",
            "libtorch intra-op threads on every thread, the bare loop's as the job decoders' (their"
                    + " embedding.intra-op-threads; 0: every processor)");

    private static final OptionSet OPTIONS = OptionSet.of(List.of(
            DATA,
            BACKBONE_FILE,
            PHOTOS,
            WARMUP,
            ROUNDS,
            PARALLELISM,
            TRAINING_PHOTOS,
            TRAINING_VIEWS,
            INTRA_OP_THREADS));

    private IngestionBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code --name=value} options, see the class documentation
     * @throws Exception if a phase fails
     */
    public static void main(String[] args) throws Exception {
        if (OptionSet.helpRequested(args)) {
            System.out.println(OPTIONS.usage(IngestionBenchmark.class.getSimpleName()));
            return;
        }
        ConsoleLogging.start(IngestionBenchmark.class);
        Configuration options = OPTIONS.parse(args);
        JobConfig config = JobOptions.parse(
                "--kafka.bootstrap-servers",
                "unused:9092",
                "--model.preset",
                "photo-mobilenetv2",
                "--model.backbone-file",
                BACKBONE_FILE.get(options),
                "--embedding.intra-op-threads",
                String.valueOf(INTRA_OP_THREADS.get(options)));
        int perThread = PHOTOS.get(options);
        List<Integer> parallelisms = PARALLELISM.get(options);
        int maxParallelism =
                parallelisms.stream().mapToInt(Integer::intValue).max().orElse(1);
        List<IngestionPhases.Photo> photos = photos(Path.of(DATA.get(options)), perThread * maxParallelism);
        long bytes = photos.stream().mapToLong(p -> p.bytes().length).sum();
        System.out.printf(
                Locale.ROOT,
                "IngestionBenchmark: %d CUB photos (%.0f KB mean JPEG) from %s, %d timed per thread and phase after"
                        + " %d untimed, %d round(s), parallelism %s, %s, %d cores, max heap %d MB%n",
                photos.size(),
                bytes / 1024.0 / photos.size(),
                DATA.get(options),
                perThread,
                WARMUP.get(options),
                ROUNDS.get(options),
                parallelisms,
                config.training().decoding(),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        IngestionPhases phases =
                new IngestionPhases(config, photos, WARMUP.get(options), INTRA_OP_THREADS.get(options));

        Map<String, List<IngestionPhases.Result>> results = new LinkedHashMap<>();
        for (int round = 1; round <= ROUNDS.get(options); round++) {
            for (int p : parallelisms) {
                // the bare loop and the job's decoder take turns at going first
                if (round % 2 == 1) {
                    record(results, round, "bare loop", p, phases.bare(p, perThread));
                    record(results, round, "job decoder", p, phases.decoder(p, perThread));
                } else {
                    record(results, round, "job decoder", p, phases.decoder(p, perThread));
                    record(results, round, "bare loop", p, phases.bare(p, perThread));
                }
                record(results, round, "forward only", p, phases.forwardOnly(p, perThread));
            }
        }
        System.out.println();
        for (int p : parallelisms) {
            List<IngestionPhases.Result> bare = results.get(key("bare loop", p));
            List<IngestionPhases.Result> job = results.get(key("job decoder", p));
            List<IngestionPhases.Result> forward = results.get(key("forward only", p));
            StringBuilder perRound = new StringBuilder();
            for (int r = 0; r < bare.size(); r++) {
                perRound.append(String.format(
                        Locale.ROOT,
                        "%s%.3f",
                        r == 0 ? "" : ", ",
                        job.get(r).perSecond() / bare.get(r).perSecond()));
            }
            double ratio = overall(job) / overall(bare);
            System.out.printf(
                    Locale.ROOT,
                    "parallelism %d: job decoder %.2f photos/s, bare loop %.2f photos/s, forward only %.2f photos/s;"
                            + " ratio job/bare %.3f (rounds: %s); bar %.1f: %s%n",
                    p,
                    overall(job),
                    overall(bare),
                    overall(forward),
                    ratio,
                    perRound,
                    BAR,
                    ratio >= BAR ? "met" : "NOT met");
            System.out.printf(
                    Locale.ROOT,
                    "parallelism %d, process CPU per photo (less sensitive to a shared machine than the wall clock):"
                            + " job decoder %.1f ms, bare loop %.1f ms, forward only %.1f ms; ratio bare/job %.3f%n",
                    p,
                    cpuMsPerPhoto(job),
                    cpuMsPerPhoto(bare),
                    cpuMsPerPhoto(forward),
                    cpuMsPerPhoto(bare) / cpuMsPerPhoto(job));
        }
        training(phases, TRAINING_VIEWS.get(options), TRAINING_PHOTOS.get(options), results);
    }

    private static void training(
            IngestionPhases phases, List<Integer> views, int count, Map<String, List<IngestionPhases.Result>> results)
            throws Exception {
        if (count == 0) {
            return;
        }
        List<IngestionPhases.Result> bare = results.get(key("bare loop", 1));
        double evaluationMs = bare == null ? Double.NaN : 1000 / overall(bare);
        for (int v : views) {
            IngestionPhases.Result r = phases.training(v, count);
            double ms = 1000 * r.seconds() / r.photos();
            System.out.printf(
                    Locale.ROOT,
                    "training reader, %d views: %d photos in %.2f s = %.1f ms per training photo (%.1f ms per view),"
                            + " %.2f photos/s, %.1f x the bare loop's %.1f ms per evaluation photo; intra-op threads %d;"
                            + " process CPU %.1f s, runnable without a core %.1f s%n",
                    v,
                    r.photos(),
                    r.seconds(),
                    ms,
                    ms / v,
                    r.perSecond(),
                    ms / evaluationMs,
                    evaluationMs,
                    r.threadsInEffect(),
                    r.cpuSeconds(),
                    r.waitedSeconds());
        }
    }

    private static String key(String phase, int parallelism) {
        return phase + " p" + parallelism;
    }

    private static void record(
            Map<String, List<IngestionPhases.Result>> results,
            int round,
            String phase,
            int parallelism,
            IngestionPhases.Result r) {
        results.computeIfAbsent(key(phase, parallelism), k -> new ArrayList<>()).add(r);
        System.out.printf(
                Locale.ROOT,
                "round %d, %-12s parallelism %d: %d photos in %.2f s = %.2f photos/s (intra-op threads %d; process"
                        + " CPU %.1f s, runnable without a core %.1f s); %s%n",
                round,
                phase,
                parallelism,
                r.photos(),
                r.seconds(),
                r.perSecond(),
                r.threadsInEffect(),
                r.cpuSeconds(),
                r.waitedSeconds(),
                PeakMemory.residentSummary());
    }

    /** Process CPU milliseconds per photo over every round. */
    private static double cpuMsPerPhoto(List<IngestionPhases.Result> results) {
        return 1000
                * results.stream()
                        .mapToDouble(IngestionPhases.Result::cpuSeconds)
                        .sum()
                / results.stream().mapToInt(IngestionPhases.Result::photos).sum();
    }

    /** Photos per second over every round: all photos over all seconds. */
    private static double overall(List<IngestionPhases.Result> results) {
        return results.stream().mapToInt(IngestionPhases.Result::photos).sum()
                / results.stream().mapToDouble(IngestionPhases.Result::seconds).sum();
    }

    /** The given number of photos spread evenly over the dataset (its images are in class order). */
    private static List<IngestionPhases.Photo> photos(Path data, int count) throws Exception {
        Dataset dataset = CubReader.read(data);
        List<DatasetImage> images = dataset.images();
        int n = Math.min(count, images.size());
        List<IngestionPhases.Photo> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            DatasetImage image = images.get((int) ((long) i * images.size() / n));
            out.add(new IngestionPhases.Photo(
                    image.id(),
                    image.className(),
                    image.contentType(),
                    image.source().read()));
        }
        return out;
    }
}
