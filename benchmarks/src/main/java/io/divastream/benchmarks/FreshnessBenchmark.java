package io.divastream.benchmarks;

import io.divastream.connectors.avro.RecordCodec;
import io.divastream.demo.DemoDataset;
import io.divastream.dev.LocalSchemaRegistry;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.LocalJobOptions;
import io.divastream.jobs.config.OptionType;
import io.divastream.jobs.config.RuntimeOptions;
import io.divastream.jobs.config.SerdeOptions;
import io.divastream.jobs.decode.LabelRouter;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.jobs.pipeline.Uids;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.producer.OmniglotDataset;
import io.divastream.schemas.EmbeddingRecord;
import io.divastream.schemas.ModelVersionRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The freshness benchmark of issue 5: the end-to-end latency from an image event entering Kafka to its embedding
 * being readable on the embeddings topic, at a stated event rate while the trainer trains, and the highest rate the
 * job sustains. Design notes: docs/design-notes.md#freshnessbenchmark.
 */
public final class FreshnessBenchmark {

    private static final DivaOption<List<Double>> RATES = DivaOption.of(
            "rates", OptionType.numbers(), "50,100,200,400,800", "event rates to try, in events per second, in order");
    private static final DivaOption<Double> WINDOW_SECONDS =
            DivaOption.of("window-seconds", OptionType.number(1, 3600), "40", "how long each rate is published");
    private static final DivaOption<Double> WARMUP_SECONDS = DivaOption.of(
            "warmup-seconds",
            OptionType.number(0, 3600),
            "30",
            "wait after the initial images are embedded, before the first rate");
    private static final DivaOption<Double> DRAIN_SECONDS = DivaOption.of(
            "drain-seconds", OptionType.number(1, 3600), "15", "how long to wait for a window's last embeddings");
    private static final DivaOption<Long> SEED =
            DivaOption.of("seed", OptionType.longInteger(0, Long.MAX_VALUE), "42", "seed of the publication order");
    private static final DivaOption<String> WORK_DIR = DivaOption.of(
            "work-dir", OptionType.nonBlank(), "target/freshness", "broker log, checkpoints, log file (wiped)");

    private static final DivaOption<String> DATASET = DivaOption.of(
            "dataset",
            OptionType.oneOf("omniglot", "cub", "cars"),
            "omniglot",
            "the images published: the embedded Omniglot glyphs, or the demo's photo subsets (which need the job"
                    + " options of a photo preset, e.g. those of docs/benchmarks.md)");
    private static final DivaOption<String> DATA_DIR = DivaOption.of(
            "data-dir", OptionType.text(), "", "the photo dataset's archive or folder (empty: the demo's default)");
    private static final DivaOption<Integer> INITIAL_IMAGES = DivaOption.of(
            "initial-images",
            OptionType.integer(0, Integer.MAX_VALUE),
            "0",
            "how many images are published before the warm-up (0: the whole dataset), in publication order");

    private static final LocalJobOptions OPTIONS = LocalJobRun.options(
            List.of(
                    RATES,
                    WINDOW_SECONDS,
                    WARMUP_SECONDS,
                    DRAIN_SECONDS,
                    SEED,
                    WORK_DIR,
                    DATASET,
                    DATA_DIR,
                    INITIAL_IMAGES),
            List.of(RuntimeOptions.CHECKPOINT_INTERVAL_MS.withDefault("500")));

    private FreshnessBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args options {@code --name=value}, see the class documentation
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        run(args);
    }

    /**
     * Runs the benchmark: with {@code --serde.format registry} and no {@code --serde.registry-url}, against a local
     * schema registry it starts.
     *
     * @param args options {@code --name=value}, see the class documentation
     * @return per rate tried, the read_committed p99 latency in ms
     * @throws Exception on any failure
     */
    static Map<Double, Long> run(String[] args) throws Exception {
        Configuration a = OPTIONS.parse(args);
        boolean registry = SerdeOptions.FORMAT.get(a).equals("registry")
                && SerdeOptions.REGISTRY_URL.get(a).isBlank();
        try (LocalSchemaRegistry schemas = registry ? LocalSchemaRegistry.start() : null) {
            if (schemas != null) {
                SerdeOptions.REGISTRY_URL.set(a, schemas.apiUrl());
            }
            return measure(a);
        }
    }

    private static Map<Double, Long> measure(Configuration a) throws Exception {
        Map<Double, Long> p99s = new java.util.LinkedHashMap<>();
        Path work = Path.of(WORK_DIR.get(a)).toAbsolutePath();
        System.setProperty(
                "diva.log.file",
                work.resolveSibling(work.getFileName() + ".log").toString());
        List<Double> rates = RATES.get(a);
        double window = WINDOW_SECONDS.get(a);
        double warmup = WARMUP_SECONDS.get(a);
        double drain = DRAIN_SECONDS.get(a);
        long seed = SEED.get(a);

        try (LocalJobRun run = LocalJobRun.start(OPTIONS, a, work)) {
            JobConfig config = run.config();
            System.out.println("job options: " + run.jobArguments());
            List<LabeledImage> all = images(a, config);
            LabelRouter router = new LabelRouter(config.routing().evalLabelRegex());
            List<LabeledImage> train = all.stream()
                    .filter(i -> router.route(i.label()) == Role.TRAIN)
                    .toList();

            List<LabeledImage> initial = InterleavedOrder.of(all, seed);
            int initialCount = INITIAL_IMAGES.get(a);
            if (initialCount > 0 && initialCount < initial.size()) {
                initial = initial.subList(0, initialCount);
            }
            Reader committed = new Reader(run, "read_committed");
            Reader uncommitted = new Reader(run, "read_uncommitted");
            run.submit();
            committed.start();
            uncommitted.start();
            long started = System.nanoTime();
            try (ImageEventProducer producer = new ImageEventProducer(
                            config.kafka().settings(), config.kafka().imagesTopic(), 0)
                    .inFormat(config.kafka().serde())) {
                producer.publish(initial);
            }
            while (committed.seen.size() < initial.size()) {
                run.sleep(Duration.ofSeconds(1));
                if (System.nanoTime() - started > Duration.ofMinutes(5).toNanos()) {
                    throw new IllegalStateException("the initial " + initial.size()
                            + " images were not embedded in 5 minutes (" + committed.seen.size() + " were)");
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "%d initial images embedded and committed after %.1f s; trainer at step %d; warming up %.0f s%n",
                    initial.size(),
                    (System.nanoTime() - started) / 1e9,
                    uncommitted.step.get(),
                    warmup);
            run.sleep(Duration.ofMillis((long) (warmup * 1000)));

            List<String> rows = new ArrayList<>();
            double highestKeptUp = -1;
            for (double rate : rates) {
                String prefix = "@" + (long) rate + "#";
                int count = (int) Math.round(rate * window);
                List<LabeledImage> events = new ArrayList<>(count);
                List<LabeledImage> order = InterleavedOrder.of(train, seed + (long) rate);
                for (int i = 0; i < count; i++) {
                    LabeledImage image = order.get(i % order.size());
                    events.add(new LabeledImage(
                            image.imageId() + prefix + i,
                            image.label(),
                            image.contentType(),
                            image.bytes(),
                            image.source()));
                }
                CheckpointStatsSnapshot before = run.checkpointStats();
                ThreadCpu cpuBefore = ThreadCpu.now();
                double loadBefore = loadAverage();
                long windowStartMs = System.currentTimeMillis();
                long t0 = System.nanoTime();
                try (ImageEventProducer producer = new ImageEventProducer(
                                config.kafka().settings(), config.kafka().imagesTopic(), rate)
                        .inFormat(config.kafka().serde())) {
                    producer.publish(events);
                }
                double sendSeconds = (System.nanoTime() - t0) / 1e9;
                double trainerCpu = ThreadCpu.now().since(cpuBefore).entrySet().stream()
                        .filter(e -> e.getKey().startsWith(Uids.BATCHER.substring(0, 10))
                                || e.getKey().startsWith(Uids.TRAINER))
                        .mapToDouble(e -> e.getValue()[0])
                        .sum();
                CheckpointStatsSnapshot after = run.checkpointStats();
                ThreadCpu cpuAfter = ThreadCpu.now();
                double loadAfter = loadAverage();
                long windowEndMs = System.currentTimeMillis();
                long deadline = System.nanoTime() + (long) (drain * 1e9);
                while (System.nanoTime() < deadline && !committed.hasAll(events)) {
                    run.sleep(Duration.ofMillis(200));
                }
                Phase c = committed.phase(events);
                p99s.put(rate, c.p99());
                Phase u = uncommitted.phase(events);
                long checkpoints = after.getCounts().getNumberOfCompletedCheckpoints()
                        - before.getCounts().getNumberOfCompletedCheckpoints();
                CheckpointBreakdown windowCheckpoints =
                        CheckpointBreakdown.of(run.executionGraph(), run.checkpointStats(), windowStartMs, windowEndMs);
                String row = String.format(
                        Locale.ROOT,
                        "%5.0f | %6.1f | %6d | %s | %s | %s | %10.0f%% | %4d | %5d %5d %5d | %4.1f %4.1f",
                        rate,
                        count / sendSeconds,
                        count,
                        c.format(),
                        u.format(),
                        c.keptUp() ? "yes" : "NO ",
                        100 * trainerCpu / sendSeconds,
                        checkpoints,
                        CheckpointBreakdown.percentile(windowCheckpoints.endToEnd(), 0.5),
                        CheckpointBreakdown.percentile(windowCheckpoints.endToEnd(), 0.99),
                        CheckpointBreakdown.percentile(windowCheckpoints.endToEnd(), 1.0),
                        loadBefore,
                        loadAfter);
                rows.add(row);
                System.out.println(header());
                System.out.println(row);
                System.out.printf(
                        Locale.ROOT,
                        "window at %.0f/s: load average (1 min) %.2f at the start, %.2f at the end%n",
                        rate,
                        loadBefore,
                        loadAfter);
                windowCheckpoints.print(System.out);
                cpuAfter.print(cpuBefore, System.out);
                double reembedSeconds =
                        committed.seen.size() / config.embedding().catalogue().reembedRate();
                uncommitted.printVersionSplit(events, reembedSeconds, System.out);
                Map<String, Double> stage = run.metrics(Uids.EMBEDDER, id -> id.contains("eventToEmbeddingLatencyMs"));
                System.out.println("  embedder's own event-to-embedding latency (its histogram of the last "
                        + "first embeddings, before the sink), ms: " + stage);
                if (!c.keptUp()) {
                    break;
                }
                highestKeptUp = rate;
            }
            CheckpointStatsSnapshot stats = run.checkpointStats();
            var duration = stats.getSummaryStats().getEndToEndDurationStats();
            System.out.println();
            System.out.println("all checkpoints of the run (from the job's start):");
            CheckpointBreakdown.of(run.executionGraph(), stats, 0, Long.MAX_VALUE)
                    .print(System.out);
            System.out.println();
            System.out.printf(
                    Locale.ROOT,
                    "checkpoints: interval %d ms, min pause %d ms, %d completed, %d failed; "
                            + "end-to-end duration mean %d ms, max %d ms%n",
                    config.runtime().checkpointIntervalMs(),
                    config.runtime().checkpointing().minPauseMs(),
                    stats.getCounts().getNumberOfCompletedCheckpoints(),
                    stats.getCounts().getNumberOfFailedCheckpoints(),
                    (long) duration.getAverage(),
                    duration.getMaximum());
            System.out.println();
            System.out.println(
                    "latency in ms from the event's send time to its first embedding read; "
                            + "c = read_committed, u = read_uncommitted; trainer cpu: CPU time of the batcher-and-trainer thread over the window, in % of one core;"
                            + " ckpt: end-to-end duration in ms of the checkpoints triggered in the window; load: 1-minute load average");
            System.out.println(header());
            rows.forEach(System.out::println);
            System.out.println(
                    highestKeptUp < 0
                            ? "highest rate kept up: none of those tried"
                            : String.format(
                                    Locale.ROOT,
                                    "highest rate kept up: %.0f events/s%s",
                                    highestKeptUp,
                                    highestKeptUp == rates.get(rates.size() - 1) ? " (the last rate tried)" : ""));
            committed.stop();
            uncommitted.stop();
        }
        return p99s;
    }

    /** The dataset's images; a photo dataset only with a photo preset. */
    private static List<LabeledImage> images(Configuration a, JobConfig config) {
        DemoDataset dataset = DemoDataset.parse(DATASET.get(a));
        boolean photoJob = config.training().payload() != SamplePayload.GLYPH_PIXELS;
        if (dataset.photos() != photoJob) {
            throw new IllegalArgumentException("--dataset " + dataset.id() + " needs "
                    + (dataset.photos() ? "a photo preset (--model.preset photo-mobilenetv2 ...)" : "a glyph preset"));
        }
        return dataset.photos() ? dataset.load(DATA_DIR.get(a), "") : OmniglotDataset.loadEmbedded();
    }

    /** The system's 1-minute load average, -1 where the platform has none. */
    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String header() {
        return " rate | sent/s | events |   c p50 |   c p90 |   c p99 |   c max | c miss |   u p50 |   u p90 |   u p99 |   u max | u miss | kept up | trainer cpu | ckpts | ckpt p50 p99 max | load start end";
    }

    /** Latencies of one window's events as one consumer saw them, in send order. */
    record Phase(long[] latencies, int missing) {

        long percentile(long[] sorted, double q) {
            if (sorted.length == 0) {
                return -1;
            }
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
        }

        /** The 99th percentile, -1 without latencies. */
        long p99() {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return percentile(sorted, 0.99);
        }

        String format() {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return String.format(
                    Locale.ROOT,
                    "%7d | %7d | %7d | %7d | %6d",
                    percentile(sorted, 0.5),
                    percentile(sorted, 0.9),
                    percentile(sorted, 0.99),
                    sorted.length == 0 ? -1 : sorted[sorted.length - 1],
                    missing);
        }

        /** All read, and the last quarter's median at most 1 s above the first quarter's. */
        boolean keptUp() {
            if (missing > 0 || latencies.length < 8) {
                return missing == 0;
            }
            int q = latencies.length / 4;
            long[] first = Arrays.copyOfRange(latencies, 0, q);
            long[] last = Arrays.copyOfRange(latencies, latencies.length - q, latencies.length);
            Arrays.sort(first);
            Arrays.sort(last);
            return percentile(last, 0.5) <= percentile(first, 0.5) + 1000;
        }
    }

    /**
     * A consumer thread reading the embeddings topic (and the model versions, for the trainer's
     * step) from the start, keeping each image id's first latency.
     */
    static final class Reader {
        /** Per image id: {event time, latency} of its first embedding read. */
        private final Map<String, long[]> seen = new ConcurrentHashMap<>();
        /** Wall-clock time at which each model version was first read. */
        private final Map<Long, Long> versions = new ConcurrentHashMap<>();

        private final AtomicLong step = new AtomicLong(-1);
        private final Thread thread;
        private final String isolation;
        private volatile boolean running = true;

        Reader(LocalJobRun run, String isolation) {
            this.isolation = isolation;
            JobConfig.KafkaConfig kafka = run.config().kafka();
            KafkaConsumer<byte[], byte[]> consumer = run.consumer(kafka.embeddingsTopic(), isolation);
            List<TopicPartition> partitions = List.of(
                    new TopicPartition(kafka.embeddingsTopic(), 0), new TopicPartition(kafka.modelVersionsTopic(), 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            RecordCodec<EmbeddingRecord> embeddings =
                    kafka.serde().codec(EmbeddingRecord.class, kafka.embeddingsTopic());
            RecordCodec<ModelVersionRecord> versionCodec =
                    kafka.serde().codec(ModelVersionRecord.class, kafka.modelVersionsTopic());
            thread = new Thread(
                    () -> {
                        try (consumer) {
                            while (running) {
                                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                                    long now = System.currentTimeMillis();
                                    if (r.topic().equals(kafka.modelVersionsTopic())) {
                                        ModelVersionRecord version = versionCodec.decode(r.value());
                                        step.accumulateAndGet(version.getTrainingStep(), Math::max);
                                        versions.putIfAbsent(version.getModelVersion(), now);
                                        continue;
                                    }
                                    String id = new String(r.key(), StandardCharsets.UTF_8);
                                    if (!seen.containsKey(id)) {
                                        long eventTime = embeddings
                                                .decode(r.value())
                                                .getEventTime()
                                                .toEpochMilli();
                                        seen.put(id, new long[] {eventTime, now - eventTime});
                                    }
                                }
                            }
                        }
                    },
                    "freshness-" + isolation);
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5000);
        }

        boolean hasAll(List<LabeledImage> events) {
            return events.stream().allMatch(e -> seen.containsKey(e.imageId()));
        }

        /**
         * Prints the latencies of the events sent while the catalogue was being re-embedded for a
         * new model version (from the version's first read to the given span after it) apart from
         * the others: re-embedding and new images share the embedder's thread.
         */
        void printVersionSplit(List<LabeledImage> events, double reembedSeconds, java.io.PrintStream out) {
            List<Long> during = new ArrayList<>();
            List<Long> outside = new ArrayList<>();
            long span = (long) (reembedSeconds * 1000);
            for (LabeledImage e : events) {
                long[] first = seen.get(e.imageId());
                if (first == null) {
                    continue;
                }
                boolean reembedding = versions.values().stream().anyMatch(v -> first[0] >= v && first[0] <= v + span);
                (reembedding ? during : outside).add(first[1]);
            }
            out.printf(
                    Locale.ROOT,
                    "  %s, events sent within %.1f s after a model version was read (catalogue re-embedding): %s;"
                            + " other events: %s%n",
                    isolation,
                    reembedSeconds,
                    summary(during),
                    summary(outside));
        }

        private static String summary(List<Long> values) {
            long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
            return String.format(
                    Locale.ROOT,
                    "%d events, p50 %d, p99 %d, max %d ms",
                    sorted.length,
                    CheckpointBreakdown.percentile(sorted, 0.5),
                    CheckpointBreakdown.percentile(sorted, 0.99),
                    CheckpointBreakdown.percentile(sorted, 1.0));
        }

        Phase phase(List<LabeledImage> events) {
            long[] latencies = new long[events.size()];
            int n = 0;
            int missing = 0;
            for (LabeledImage e : events) {
                long[] first = seen.get(e.imageId());
                if (first == null) {
                    missing++;
                } else {
                    latencies[n++] = first[1];
                }
            }
            return new Phase(Arrays.copyOf(latencies, n), missing);
        }
    }
}
