package io.divastream.benchmarks;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.images.ImageDecoder;
import io.divastream.images.ImageSpec;
import io.divastream.jobs.config.BatchOptions;
import io.divastream.jobs.config.ConfigException;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.LocalJobOptions;
import io.divastream.jobs.config.OptionType;
import io.divastream.jobs.decode.LabelRouter;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.pipeline.Uids;
import io.divastream.model.DeviceSelection;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.augment.GlyphAugmenter;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.Draws;
import io.divastream.model.train.LabeledBatch;
import io.divastream.model.train.RandomStreams;
import io.divastream.model.train.TrainingDivergedException;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.producer.OmniglotDataset;
import io.divastream.schemas.ModelVersionRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The orchestration-overhead benchmark of issue 5: DiVA training steps per second inside the Flink job against the
 * same steps in a bare Java loop on the same batches, in one run. Design notes:
 * docs/design-notes.md#trainingoverheadbenchmark.
 */
public final class TrainingOverheadBenchmark {

    private static final DivaOption<Integer> STEPS = DivaOption.of(
            "steps",
            OptionType.integer(1, 1_000_000),
            "1500",
            "training steps to time up to (a multiple of train.steps-per-version)");
    private static final DivaOption<Integer> WARMUP_STEPS = DivaOption.of(
            "warmup-steps",
            OptionType.integer(0, 1_000_000),
            "750",
            "steps excluded at the start (a multiple of train.steps-per-version)");
    private static final DivaOption<Long> SEED =
            DivaOption.of("seed", OptionType.longInteger(0, Long.MAX_VALUE), "42", "seed of the publication order");
    private static final DivaOption<Integer> EXTRA_BATCHES = DivaOption.of(
            "extra-batches",
            OptionType.integer(0, 100_000),
            "50",
            "batches published beyond the timed steps, so the trainer never waits");
    private static final DivaOption<String> WORK_DIR = DivaOption.of(
            "work-dir", OptionType.nonBlank(), "target/training-overhead", "broker log, checkpoints, log file (wiped)");

    /** Tasks whose busy, idle and back-pressured times are sampled: the source chain, the trainer's, the embedder's. */
    private static final List<String> TASKS = List.of(Uids.DECODE, Uids.TRAINER, Uids.EMBEDDER);

    private static final LocalJobOptions OPTIONS = LocalJobRun.options(
            List.of(STEPS, WARMUP_STEPS, SEED, EXTRA_BATCHES, WORK_DIR),
            List.of(BatchOptions.REPLAY_INTERVAL_MS.withDefault("0")));

    private TrainingOverheadBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args options {@code --name=value}, see the class documentation
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        Configuration a = OPTIONS.parse(args);
        Path work = Path.of(WORK_DIR.get(a)).toAbsolutePath();
        System.setProperty(
                "diva.log.file",
                work.resolveSibling(work.getFileName() + ".log").toString());
        int steps = STEPS.get(a);
        int warmup = WARMUP_STEPS.get(a);
        if (warmup >= steps) {
            throw new ConfigException("option --warmup-steps (" + warmup + ") must be below --steps (" + steps + ")");
        }
        long seed = SEED.get(a);
        int extra = EXTRA_BATCHES.get(a);

        try (LocalJobRun run = LocalJobRun.start(OPTIONS, a, work)) {
            JobConfig config = run.config();
            int perVersion = config.training().stepsPerVersion();
            if (steps % perVersion != 0 || warmup % perVersion != 0) {
                throw new IllegalArgumentException("steps (" + steps + ") and warmup-steps (" + warmup
                        + ") must be multiples of train.steps-per-version (" + perVersion + ")");
            }
            if (config.batching().replayIntervalMs() != 0) {
                throw new IllegalArgumentException(
                        "batch.replay-interval-ms must be 0: replayed batches are not reproducible");
            }
            System.out.println("job options: " + run.jobArguments());

            long t0 = System.nanoTime();
            BatchRule rule = new BatchRule(config);
            int initBatches = config.training().queueInitBatches();
            List<LabeledImage> events = events(config, rule, seed, initBatches + steps + extra);
            System.out.printf(
                    Locale.ROOT,
                    "%d image events (%d training images) make %d batches; computed in %.1f s%n",
                    events.size(),
                    rule.trainImages,
                    rule.batches.size(),
                    (System.nanoTime() - t0) / 1e9);
            try (ImageEventProducer producer = new ImageEventProducer(
                    config.kafka().settings(), config.kafka().imagesTopic(), 0)) {
                producer.publish(events);
            }
            System.out.println("published; starting the job");

            Map<Long, ModelVersionRecord> jobVersions = runJob(run, steps, warmup, perVersion);
            run.close();

            Map<Long, Long> bareMillis = new TreeMap<>();
            Map<Long, String> bareSha = new TreeMap<>();
            ThreadCpu[] window =
                    bareLoop(config, rule.batches.subList(0, initBatches + steps), warmup, bareMillis, bareSha);

            System.out.println();
            System.out.println("version | step | job sha256 (first 16) | bare sha256 (first 16) | same");
            boolean allSame = true;
            for (Map.Entry<Long, String> e : bareSha.entrySet()) {
                ModelVersionRecord v = jobVersions.get(e.getKey());
                String jobSha = v == null ? "-" : v.getParameterSha256();
                boolean same = jobSha.equals(e.getValue());
                allSame &= same;
                System.out.printf(
                        Locale.ROOT,
                        "%7d | %4d | %s | %s | %s%n",
                        e.getKey(),
                        e.getKey() * perVersion,
                        jobSha.substring(0, Math.min(16, jobSha.length())),
                        e.getValue().substring(0, 16),
                        same ? "yes" : "NO");
            }
            long from = warmup / perVersion;
            long to = steps / perVersion;
            double jobSeconds = (jobVersions.get(to).getCreatedAt().toEpochMilli()
                            - jobVersions.get(from).getCreatedAt().toEpochMilli())
                    / 1e3;
            double bareSeconds = (bareMillis.get(to) - bareMillis.get(from)) / 1e3;
            double jobRate = (steps - warmup) / jobSeconds;
            double bareRate = (steps - warmup) / bareSeconds;
            System.out.println();
            System.out.printf(
                    Locale.ROOT,
                    "steps %d..%d (%d steps, batch %d x %d):%n",
                    warmup + 1,
                    steps,
                    steps - warmup,
                    config.batching().classesPerBatch(),
                    config.batching().imagesPerClass());
            System.out.printf(Locale.ROOT, "  Flink job:  %.1f s, %.2f steps/s%n", jobSeconds, jobRate);
            System.out.printf(Locale.ROOT, "  bare loop:  %.1f s, %.2f steps/s%n", bareSeconds, bareRate);
            System.out.printf(
                    Locale.ROOT,
                    "  ratio job/bare: %.3f (bar: at least 0.9); same batches (every version's SHA-256 equal): %s%n",
                    jobRate / bareRate,
                    allSame ? "yes" : "NO");
            System.out.println("\nbare loop window:");
            window[1].print(window[0], System.out);
        }
    }

    /**
     * The events in publication order: the Omniglot images in the demo's interleaved order, then
     * copies of the training images under new ids, until the batch rule has made enough batches.
     */
    private static List<LabeledImage> events(JobConfig config, BatchRule rule, long seed, int batches) {
        List<LabeledImage> all = OmniglotDataset.loadEmbedded();
        LabelRouter router = new LabelRouter(config.routing().evalLabelRegex());
        List<LabeledImage> train =
                all.stream().filter(i -> router.route(i.label()) == Role.TRAIN).toList();
        List<LabeledImage> events = new ArrayList<>();
        List<LabeledImage> round = InterleavedOrder.of(all, seed);
        for (int copy = 1; ; copy++) {
            for (LabeledImage image : round) {
                events.add(image);
                if (router.route(image.label()) == Role.TRAIN) {
                    rule.add(image);
                    if (rule.batches.size() >= batches) {
                        return events;
                    }
                }
            }
            int c = copy;
            round = InterleavedOrder.of(train, seed + c).stream()
                    .map(i ->
                            new LabeledImage(i.imageId() + "~" + c, i.label(), i.contentType(), i.bytes(), i.source()))
                    .toList();
        }
    }

    /** Follows the job's model versions until the one at {@code steps}; prints them as they come. */
    private static Map<Long, ModelVersionRecord> runJob(LocalJobRun run, int steps, int warmup, int perVersion)
            throws Exception {
        AvroCodec<ModelVersionRecord> codec = AvroCodec.of(ModelVersionRecord.class);
        Map<Long, ModelVersionRecord> versions = new TreeMap<>();
        ThreadCpu start = null;
        ThreadCpu end = null;
        long lastSample = 0;
        int samples = 0;
        Map<String, Double> taskTimes = new TreeMap<>();
        Map<String, Double> stepTimes;
        long started = System.nanoTime();
        run.submit();
        System.out.println("\nversion | step | seconds since submit | createdAt delta s | steps/s since previous");
        try (KafkaConsumer<byte[], byte[]> consumer =
                run.consumer(run.config().kafka().modelVersionsTopic(), "read_uncommitted")) {
            ModelVersionRecord previous = null;
            while (end == null) {
                run.checkRunning();
                if (System.nanoTime() - started > Duration.ofMinutes(30).toNanos()) {
                    throw new IllegalStateException("the job did not reach step " + steps + " in 30 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    ModelVersionRecord v = codec.decode(r.value());
                    versions.put(v.getModelVersion(), v);
                    double delta = previous == null
                            ? 0
                            : (v.getCreatedAt().toEpochMilli()
                                            - previous.getCreatedAt().toEpochMilli())
                                    / 1e3;
                    System.out.printf(
                            Locale.ROOT,
                            "%7d | %4d | %20.1f | %17.1f | %s%n",
                            v.getModelVersion(),
                            v.getTrainingStep(),
                            (System.nanoTime() - started) / 1e9,
                            delta,
                            previous == null
                                    ? "-"
                                    : String.format(
                                            Locale.ROOT,
                                            "%.2f",
                                            (v.getTrainingStep() - previous.getTrainingStep()) / delta));
                    previous = v;
                    if (v.getTrainingStep() == warmup) {
                        start = ThreadCpu.now();
                    }
                    if (v.getTrainingStep() >= steps) {
                        end = ThreadCpu.now();
                    }
                }
                if (start != null && end == null && System.nanoTime() - lastSample > 2_000_000_000L) {
                    lastSample = System.nanoTime();
                    samples++;
                    for (String task : TASKS) {
                        run.metrics(task, id -> id.matches("[0-9]+\\.[A-Za-z]*TimeMsPerSecond"))
                                .forEach((id, value) -> taskTimes.merge(
                                        task + " " + id.substring(id.indexOf('.') + 1), value, Double::sum));
                    }
                }
            }
            stepTimes = run.metrics(Uids.TRAINER, id -> id.contains(Uids.TRAINER + ".stepTimeMs"));
        }
        CheckpointStatsSnapshot stats = run.checkpointStats();
        System.out.println("\nFlink job window (from the version at step " + warmup + " to the one at " + steps + "):");
        if (start != null) {
            end.print(start, System.out);
        }
        System.out.printf(Locale.ROOT, "  Flink task time (ms per second, mean of %d samples 2 s apart):%n", samples);
        for (Map.Entry<String, Double> e : taskTimes.entrySet()) {
            if (e.getValue() / samples >= 1) {
                System.out.printf(Locale.ROOT, "    %-55s %6.0f%n", e.getKey(), e.getValue() / samples);
            }
        }
        System.out.println("  trainer step time (ms, the last steps of the window): " + stepTimes);
        if (stats != null) {
            CompletedCheckpointStats last = stats.getHistory().getLatestCompletedCheckpoint();
            var summary = stats.getSummaryStats();
            System.out.printf(
                    Locale.ROOT,
                    "  checkpoints completed: %d (interval %d ms), end-to-end duration mean %d ms max %d ms, last state %.1f MiB%n",
                    stats.getCounts().getNumberOfCompletedCheckpoints(),
                    run.config().runtime().checkpointIntervalMs(),
                    (long) summary.getEndToEndDurationStats().getAverage(),
                    summary.getEndToEndDurationStats().getMaximum(),
                    last == null ? 0.0 : last.getStateSize() / 1048576.0);
        }
        for (long v = warmup / perVersion; v <= steps / perVersion; v++) {
            if (!versions.containsKey(v)) {
                throw new IllegalStateException("model version " + v + " was not read from Kafka");
            }
        }
        return versions;
    }

    /**
     * Trains a fresh trainer on the batches as the job's trainer function does, recording the wall
     * clock and the parameters' SHA-256 at each version.
     *
     * @return the CPU snapshots at the start and the end of the timed window
     */
    private static ThreadCpu[] bareLoop(
            JobConfig config, List<Batch> batches, int warmup, Map<Long, Long> millis, Map<Long, String> sha) {
        JobConfig.TrainingConfig training = config.training();
        GlyphAugmenter augmenter = new GlyphAugmenter(training.augmentation());
        DeviceSelection device = DeviceSelection.select(training.device(), training.engineFlavour());
        ThreadCpu[] window = new ThreadCpu[2];
        int initBatches = training.queueInitBatches();
        // the job's trainer count on this thread too: libtorch's default for a thread is whatever an
        // operator of the job set last (an embedder's or the metrics scorer's 1)
        int threads =
                DjlRuntime.useIntraOpThreads(config.runtime().intraOpThreads().trainer());
        System.out.println("\nbare loop: " + initBatches + " batches filling the DaNCE queue, then "
                + (batches.size() - initBatches) + " steps on the same batches, " + threads
                + " libtorch intra-op threads as the job's trainer");
        try (DivaTrainer trainer = new DivaTrainer(
                training.model(), augmenter::augment, DivaTrainer.DEFAULT_CLASS_CAPACITY, device.device())) {
            long version = 0;
            record(trainer.snapshot(version), millis, sha);
            int diverged = 0;
            for (Batch batch : batches) {
                float[][] images = new float[batch.pixels.length][];
                for (int i = 0; i < images.length; i++) {
                    images[i] = ImageDecoder.fromBytes(batch.pixels[i]);
                }
                // as DivaTrainFunction: the first batches only fill the queue
                if (trainer.steps() == 0 && trainer.queueInitBatches() < initBatches) {
                    trainer.initializeQueue(new LabeledBatch(Arrays.asList(batch.labels), images));
                    continue;
                }
                try {
                    trainer.step(new LabeledBatch(Arrays.asList(batch.labels), images));
                } catch (TrainingDivergedException e) {
                    diverged++;
                    continue;
                }
                if (trainer.steps() % training.stepsPerVersion() == 0) {
                    version++;
                    record(trainer.snapshot(version), millis, sha);
                    System.out.printf(Locale.ROOT, "  version %d at step %d%n", version, trainer.steps());
                    if (trainer.steps() == warmup) {
                        window[0] = ThreadCpu.now();
                    }
                }
            }
            window[1] = ThreadCpu.now();
            if (window[0] == null) {
                window[0] = window[1];
            }
            // the trainer's part of a checkpoint (DivaTrainFunction.snapshotState calls saveState)
            int size = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                size = trainer.saveState().length;
            }
            System.out.printf(
                    Locale.ROOT,
                    "  trainer state for a checkpoint: %.1f MiB, saveState %.0f ms (mean of 5)%n",
                    size / 1048576.0,
                    (System.nanoTime() - t0) / 5e6);
            if (diverged > 0) {
                System.out.println("  diverged (skipped) steps: " + diverged);
            }
        }
        return window;
    }

    private static void record(ModelSnapshot snapshot, Map<Long, Long> millis, Map<Long, String> sha) {
        millis.put(snapshot.version(), System.currentTimeMillis());
        sha.put(snapshot.version(), snapshot.sha256());
    }

    /** A training batch: labels and stored pixels (as the job's decode operator stores them). */
    record Batch(String[] labels, byte[][] pixels) {}

    /**
     * The rule of {@code ClassBalancedBatchOperator} with the replay off, for one subtask: each
     * class keeps its {@code bufferPerClass} most recent images; once {@code newImagesPerBatch} new
     * images arrived and at least P classes hold K images, batch n takes P classes uniformly from
     * the eligible labels in sorted order and K distinct images of each from its buffer, with the
     * generator {@link RandomStreams#of}(seed, BATCHES, n, 0). The job's decode operator's pixels are
     * reproduced with the same {@link ImageDecoder}. (No class eviction: the bound on classes is far
     * above Omniglot's.)
     */
    static final class BatchRule {
        private final JobConfig.BatchingConfig batching;
        private final long seed;
        private final ImageDecoder decoder;
        private final Map<String, List<String>> ids = new HashMap<>();
        private final Map<String, List<byte[]>> pixels = new HashMap<>();
        private final List<String> eligible = new ArrayList<>();
        private final List<Batch> batches = new ArrayList<>();
        private int pending;
        private int trainImages;

        BatchRule(JobConfig config) {
            this.batching = config.batching();
            this.seed = config.training().model().seed();
            this.decoder = new ImageDecoder(
                    new ImageSpec(config.training().model().network().inputSize(), true));
            if (config.runtime().parallelism() != 1) {
                throw new IllegalArgumentException("the batch rule is that of one subtask: parallelism must be 1");
            }
        }

        void add(LabeledImage image) {
            trainImages++;
            String label = image.label();
            List<String> classIds = ids.computeIfAbsent(label, l -> new ArrayList<>());
            List<byte[]> classPixels = pixels.computeIfAbsent(label, l -> new ArrayList<>());
            byte[] stored = ImageDecoder.toBytes(decoder.decode(image.bytes()));
            int existing = classIds.indexOf(image.imageId());
            if (existing >= 0) {
                classPixels.set(existing, stored);
            } else {
                classIds.add(image.imageId());
                classPixels.add(stored);
                pending++;
                while (classIds.size() > batching.bufferPerClass()) {
                    classIds.remove(0);
                    classPixels.remove(0);
                }
            }
            int index = Collections.binarySearch(eligible, label);
            if (index < 0 && classIds.size() >= batching.imagesPerClass()) {
                eligible.add(-index - 1, label);
            }
            if (pending >= batching.newImagesPerBatch() && eligible.size() >= batching.classesPerBatch()) {
                emit();
                pending = 0;
            }
        }

        private void emit() {
            int p = batching.classesPerBatch();
            int k = batching.imagesPerClass();
            String[] labels = new String[p * k];
            byte[][] out = new byte[p * k][];
            SplittableRandom random = RandomStreams.of(seed, RandomStreams.Purpose.BATCHES, batches.size(), 0);
            int slot = 0;
            for (int c : Draws.distinct(eligible.size(), p, random)) {
                String label = eligible.get(c);
                List<byte[]> images = pixels.get(label);
                for (int i : Draws.distinct(images.size(), k, random)) {
                    labels[slot] = label;
                    out[slot] = images.get(i);
                    slot++;
                }
            }
            batches.add(new Batch(labels, out));
        }
    }
}
