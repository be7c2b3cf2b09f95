package io.divastream.benchmarks;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.images.HostileImages;
import io.divastream.jobs.config.ConfigException;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.LocalJobOptions;
import io.divastream.jobs.config.OptionType;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.producer.OmniglotDataset;
import io.divastream.schemas.DeadLetter;
import io.divastream.schemas.DeadLetterReason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Issue 13's bar for decompression bombs: the demo's job (local broker and MiniCluster in one JVM, the
 * demo's defaults) streams the 4,840 Omniglot images at the demo's 100 events/s and goes on training, once
 * clean and once with 1,000 bomb events published beside the images from the end of a warm-up on, at 10 per
 * second (the 522 KB PNG of 8192 x 8192 16-bit RGBA zeros, its first 1,096 bytes, a PNG declaring 60,000 x
 * 60,000 and a JPEG declaring 65,000 x 65,000, in turn, under a training label). Each run is its own JVM
 * (forked by this program with the same class path and heap), so the peak RSS ({@code VmHWM}) of one cannot
 * carry over to the other. It prints per run the peak RSS, the durations of the checkpoints triggered after
 * the warm-up (the first ones of both runs are slow with the job's start: the first model versions, the first
 * scoring, the JIT), the three slowest of them task by task, and the dead letters; then the ratios the bar
 * names: flood peak RSS / clean peak RSS (bar: at most 1.5) and the flood's slowest checkpoint / the clean
 * median (bar: at most 3), with the clean run's own slowest / median beside them for the noise.
 */
public final class BombFloodBenchmark {

    private static final DivaOption<Integer> BOMBS =
            DivaOption.of("bombs", OptionType.integer(0, 1_000_000), "1000", "bomb events published in the flood run");
    private static final DivaOption<Double> BOMB_RATE =
            DivaOption.of("bomb-rate", OptionType.number(0.1, 1e6), "10", "bomb events per second");
    private static final DivaOption<Double> SECONDS = DivaOption.of(
            "seconds", OptionType.number(10, 86_400), "240", "how long each run lasts after the job starts");
    private static final DivaOption<Double> WARMUP_SECONDS = DivaOption.of(
            "warmup-seconds",
            OptionType.number(0, 86_400),
            "40",
            "the bombs start, and checkpoints count, after this long");
    private static final DivaOption<Double> RATE =
            DivaOption.of("rate", OptionType.number(0, 1e6), "100", "image events per second (the demo's rate)");
    private static final DivaOption<Long> SEED =
            DivaOption.of("seed", OptionType.longInteger(0, Long.MAX_VALUE), "42", "seed of the publication order");
    private static final DivaOption<String> XMX =
            DivaOption.of("xmx", OptionType.nonBlank(), "3g", "heap of each run's JVM");
    private static final DivaOption<String> RUN =
            DivaOption.of("run", OptionType.text(), "", "internal: run one scenario (clean or flood) in this JVM");
    private static final DivaOption<String> WORK_DIR = DivaOption.of(
            "work-dir", OptionType.nonBlank(), "target/bomb-flood", "broker log, checkpoints, log files (wiped)");

    private static final LocalJobOptions OPTIONS = LocalJobRun.options(
            List.of(BOMBS, BOMB_RATE, SECONDS, WARMUP_SECONDS, RATE, SEED, XMX, RUN, WORK_DIR), List.of());

    private BombFloodBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code --name=value} options, see {@code OWN}, and job options
     * @throws Exception if a run fails
     */
    public static void main(String[] args) throws Exception {
        Configuration a = OPTIONS.parse(args);
        if (!RUN.get(a).isEmpty()) {
            runOne(a, RUN.get(a).equals("flood"));
            return;
        }
        Map<String, String> clean = fork(args, a, "clean");
        Map<String, String> flood = fork(args, a, "flood");
        System.out.printf(
                Locale.ROOT,
                "%n| run | peak RSS (MiB) | checkpoints | median (ms) | p90 (ms) | max (ms) |"
                        + " dead letters | INVALID_IMAGE |%n|---|---|---|---|---|---|---|---|%n");
        for (Map<String, String> r : List.of(clean, flood)) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    r.get("run"),
                    r.get("peakRssMiB"),
                    r.get("checkpoints"),
                    r.get("medianCheckpointMs"),
                    r.get("p90CheckpointMs"),
                    r.get("maxCheckpointMs"),
                    r.get("deadLetters"),
                    r.get("invalidImages"));
        }
        double cleanMedian = number(clean, "medianCheckpointMs");
        System.out.printf(
                Locale.ROOT,
                "%npeak RSS flood / clean: %.3f (bar: at most 1.5)%n"
                        + "slowest flood checkpoint / clean median: %.3f (bar: at most 3)%n"
                        + "slowest clean checkpoint / clean median: %.3f (the noise)%n",
                number(flood, "peakRssMiB") / number(clean, "peakRssMiB"),
                number(flood, "maxCheckpointMs") / cleanMedian,
                number(clean, "maxCheckpointMs") / cleanMedian);
    }

    private static double number(Map<String, String> result, String key) {
        return Double.parseDouble(result.get(key));
    }

    /** Runs one scenario in a JVM of its own and returns its RESULT line's fields. */
    private static Map<String, String> fork(String[] args, Configuration a, String run) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + XMX.get(a),
                "-Dai.djl.offline=true"));
        // the module opens Flink needs, as this JVM got them
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> arg.startsWith("--add-opens"))
                .toList());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BombFloodBenchmark.class.getName()));
        command.addAll(Arrays.asList(args));
        command.add("--run=" + run);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment()
                .putAll(Map.of("DJL_OFFLINE", "true", "OPT_OUT_TRACKING", "true", "OMP_WAIT_POLICY", "PASSIVE"));
        Process process = builder.start();
        Map<String, String> result = null;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.contains("Could not initialize NNPACK")) {
                    continue; // libtorch's warning on CPUs without NNPACK support, once per thread
                }
                System.out.println("[" + run + "] " + line);
                if (line.startsWith("RESULT ")) {
                    result = new LinkedHashMap<>();
                    for (String field : line.substring(7).split(" ")) {
                        String[] kv = field.split("=", 2);
                        result.put(kv[0], kv[1]);
                    }
                }
            }
        }
        if (process.waitFor() != 0 || result == null) {
            throw new IllegalStateException("the " + run + " run failed (exit " + process.exitValue() + ")");
        }
        return result;
    }

    private static void runOne(Configuration a, boolean flood) throws Exception {
        Path work = Path.of(WORK_DIR.get(a)).toAbsolutePath().resolve(flood ? "flood" : "clean");
        System.setProperty(
                "diva.log.file",
                work.resolveSibling(work.getFileName() + ".log").toString());
        int bombs = flood ? BOMBS.get(a) : 0;
        double seconds = SECONDS.get(a);
        double warmup = WARMUP_SECONDS.get(a);
        if (warmup > seconds) {
            throw new ConfigException(
                    "option --warmup-seconds (" + warmup + ") must be at most --seconds (" + seconds + ")");
        }
        try (LocalJobRun run = LocalJobRun.start(OPTIONS, a, work)) {
            JobConfig config = run.config();
            System.out.println("job options: " + run.jobArguments());
            run.submit();
            long started = System.nanoTime();
            long warmupEnd = System.currentTimeMillis() + (long) (warmup * 1000);
            daemon("images", () -> publishImages(config, a)).start();
            daemon("bombs", () -> publishBombs(config, bombs, BOMB_RATE.get(a), warmup))
                    .start();
            while (System.nanoTime() - started < seconds * 1e9) {
                run.sleep(Duration.ofSeconds(5));
                System.out.printf(
                        Locale.ROOT,
                        "t=%.0f s: RSS %d MiB, peak %d MiB, %d checkpoints%n",
                        (System.nanoTime() - started) / 1e9,
                        status("VmRSS"),
                        status("VmHWM"),
                        completed(run, 0).size());
            }
            List<AbstractCheckpointStats> measured = completed(run, warmupEnd);
            List<Long> sorted = measured.stream()
                    .map(AbstractCheckpointStats::getEndToEndDuration)
                    .sorted()
                    .toList();
            System.out.println("checkpoint durations after the warm-up (ms, in order): "
                    + measured.stream()
                            .map(AbstractCheckpointStats::getEndToEndDuration)
                            .toList());
            printSlowest(run, measured, 3);
            long[] dead = deadLetters(run, config);
            System.out.printf(
                    Locale.ROOT,
                    "RESULT run=%s peakRssMiB=%d checkpoints=%d medianCheckpointMs=%d"
                            + " p90CheckpointMs=%d maxCheckpointMs=%d deadLetters=%d invalidImages=%d bombs=%d%n",
                    flood ? "flood" : "clean",
                    status("VmHWM"),
                    sorted.size(),
                    quantile(sorted, 0.5),
                    quantile(sorted, 0.9),
                    sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1),
                    dead[0],
                    dead[1],
                    bombs);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /** The demo's stream: the Omniglot images in the seeded interleaved order, at the rate. */
    private static void publishImages(JobConfig config, Configuration a) {
        List<LabeledImage> images = InterleavedOrder.of(OmniglotDataset.loadEmbedded(), SEED.get(a));
        try (ImageEventProducer producer =
                new ImageEventProducer(config.kafka().settings(), config.kafka().imagesTopic(), RATE.get(a))) {
            System.out.printf("published %d images%n", producer.publish(images));
        }
    }

    /** The bombs at their rate from the end of the warm-up on, under a training label. */
    private static void publishBombs(JobConfig config, int bombs, double rate, double warmup) {
        if (bombs == 0) {
            return;
        }
        byte[] full = HostileImages.zeroPng(8192, 8192, 16, HostileImages.RGBA);
        byte[][] kinds = {
            full,
            HostileImages.cut(full, 1096),
            HostileImages.declaringPng(60_000, 60_000),
            HostileImages.declaringJpeg(65_000, 65_000)
        };
        List<LabeledImage> stream = new ArrayList<>();
        for (int i = 0; i < bombs; i++) {
            stream.add(
                    new LabeledImage("bomb-" + i, "Korean/character01", "image/png", kinds[i % kinds.length], "bombs"));
        }
        try {
            Thread.sleep((long) (warmup * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (ImageEventProducer producer =
                new ImageEventProducer(config.kafka().settings(), config.kafka().imagesTopic(), rate)) {
            System.out.printf("published %d bombs%n", producer.publish(stream));
        }
    }

    /** The completed checkpoints triggered at or after a time, in id order. */
    private static List<AbstractCheckpointStats> completed(LocalJobRun run, long triggeredFrom) throws Exception {
        List<AbstractCheckpointStats> out = new ArrayList<>();
        var stats = run.checkpointStats();
        if (stats == null) {
            return out;
        }
        for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
            if (c.getStatus() == CheckpointStatsStatus.COMPLETED && c.getTriggerTimestamp() >= triggeredFrom) {
                out.add(c);
            }
        }
        out.sort(Comparator.comparingLong(AbstractCheckpointStats::getCheckpointId));
        return out;
    }

    /** Where the time of the slowest checkpoints went, per task: start delay, sync and async parts, data. */
    private static void printSlowest(LocalJobRun run, List<AbstractCheckpointStats> checkpoints, int count)
            throws Exception {
        Map<JobVertexID, String> names = new HashMap<>();
        run.executionGraph().getAllVertices().forEach((id, vertex) -> names.put(id, vertex.getName()));
        List<AbstractCheckpointStats> slowest = new ArrayList<>(checkpoints);
        slowest.sort(Comparator.comparingLong(AbstractCheckpointStats::getEndToEndDuration)
                .reversed());
        for (AbstractCheckpointStats c : slowest.subList(0, Math.min(count, slowest.size()))) {
            System.out.printf(
                    Locale.ROOT,
                    "checkpoint %d: %d ms, %d KiB checkpointed, %d KiB in-flight data persisted%n",
                    c.getCheckpointId(),
                    c.getEndToEndDuration(),
                    c.getCheckpointedSize() >> 10,
                    c.getPersistedData() >> 10);
            for (var task : c.getAllTaskStateStats()) {
                var summary = task.getSummaryStats();
                System.out.printf(
                        Locale.ROOT,
                        "  %-60.60s ack %6d ms, start delay %5d, sync %5d, async %5d, alignment %5d,"
                                + " persisted %6d KiB%n",
                        names.get(task.getJobVertexId()),
                        task.getEndToEndDuration(c.getTriggerTimestamp()),
                        summary.getCheckpointStartDelayStats().getMaximum(),
                        summary.getSyncCheckpointDurationStats().getMaximum(),
                        summary.getAsyncCheckpointDurationStats().getMaximum(),
                        summary.getAlignmentDurationStats().getMaximum(),
                        task.getPersistedDataStats() >> 10);
            }
        }
    }

    /** Dead letters on the topic: all, and INVALID_IMAGE ones. */
    private static long[] deadLetters(LocalJobRun run, JobConfig config) {
        AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
        long all = 0;
        long invalid = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                run.consumer(config.kafka().deadLettersTopic(), "read_committed")) {
            long idle = System.nanoTime();
            while (System.nanoTime() - idle < 5e9) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    idle = System.nanoTime();
                    all++;
                    if (codec.decode(r.value()).getReason() == DeadLetterReason.INVALID_IMAGE) {
                        invalid++;
                    }
                }
            }
        }
        return new long[] {all, invalid};
    }

    private static long quantile(List<Long> sorted, double q) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
    }

    /** A field of /proc/self/status in MiB. */
    private static long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) >> 10;
            }
        }
        return -1;
    }
}
