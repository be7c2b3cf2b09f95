package io.divastream.benchmarks;

import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.config.OptionSet;
import io.divastream.jobs.config.OptionType;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.jobs.embed.CatalogueEmbedder;
import io.divastream.jobs.events.ImageSample;
import io.divastream.jobs.events.ModelUpdate;
import io.divastream.jobs.events.Role;
import io.divastream.jobs.events.SamplePayload;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.embed.Embedder;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.logging.ConsoleLogging;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.ViewAugmenter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/**
 * Issue 15's "Refresh" bar in the frozen mode: how long the job's embedder takes to re-embed a catalogue of stored
 * images with a new model version, against a bare loop of the same heads over the same features.
 *
 * <p>The network, head weights, feature precision and catalogue settings come from the job's own options with
 * {@code --model.preset photo-mobilenetv2} (4 heads x 320-d on MobileNetV2's 1280-d features, half precision:
 * 8 + 2,560 bytes per image). Each image's payload is random 1280-d features encoded exactly as the embedding
 * reader's decoder stores them ({@link StoredFeatures#toBytes}). The {@link CatalogueEmbedder} runs in Flink's
 * keyed operator harness on the RocksDB state backend ({@link RefreshHarness}); the catalogue is stored before
 * any model, then each of {@code versions} model versions is sent and timed from its arrival to the last of the
 * catalogue's embeddings. The bare baseline applies an {@link Embedder} of the same network to the same stored
 * features (decoded from the same bytes, combined with the same weights) in chunks of {@code
 * embedding.reembed-chunk}, on the same thread with the same libtorch intra-op threads, before and after the
 * operator. Nothing is asserted: the figures are printed.
 *
 * <p>Options ({@code --help} lists them): {@code images} (100000), {@code versions} (2), {@code baseline-passes}
 * (2), {@code seed} (42), {@code backbone-file}, {@code state-backend} (rocksdb or heap), {@code reembed-rate} and
 * {@code reembed-chunk} (the job's {@code embedding.reembed-rate} and {@code embedding.reembed-chunk} for the run),
 * {@code intra-op-threads} (the job's {@code embedding.intra-op-threads}).
 */
public final class RefreshBenchmark {

    private static final double BAR_SECONDS = 30;
    private static final int CLASSES = 200;
    private static final String TOPIC = "diva.images";

    private static final DivaOption<Integer> IMAGES =
            DivaOption.of("images", OptionType.integer(1, 100_000_000), "100000", "stored catalogue images");
    private static final DivaOption<Integer> VERSIONS = DivaOption.of(
            "versions", OptionType.integer(1, 100), "2", "new model versions sent one after another, each timed");
    private static final DivaOption<Integer> BASELINE_PASSES = DivaOption.of(
            "baseline-passes",
            OptionType.integer(1, 100),
            "2",
            "bare passes over the catalogue; half before the operator, half after");
    private static final DivaOption<Integer> SEED =
            DivaOption.of("seed", OptionType.integer(0, Integer.MAX_VALUE), "42", "seed of the features and model");
    private static final DivaOption<String> BACKBONE_FILE = DivaOption.of(
            "backbone-file",
            OptionType.nonBlank(),
            "../../shared/weights/mobilenet_v2_imagenet_features.torchscript.pt",
            "the photo preset's TorchScript file (only checked to exist; relative to the benchmarks module)");
    private static final DivaOption<Integer> PARALLELISM = DivaOption.of(
            "parallelism",
            OptionType.integer(1, 64),
            "1",
            "embedder subtasks, each on a thread of its own with its share of the key groups (the job's"
                    + " embedding.parallelism)");
    private static final DivaOption<String> STATE_BACKEND = DivaOption.of(
            "state-backend", OptionType.oneOf("rocksdb", "heap"), "rocksdb", "the embedder's keyed state");
    private static final DivaOption<String> ROCKSDB_MEMORY = DivaOption.of(
            "rocksdb-memory",
            OptionType.nonBlank(),
            "managed",
            "RocksDB's memory: 'managed' (the harness's 32 MB of managed memory) or a fixed size per slot, e.g. 512mb");
    private static final DivaOption<Double> REEMBED_RATE = DivaOption.of(
            "reembed-rate",
            OptionType.number(0.001, 1e9),
            "1000000",
            "the job's embedding.reembed-rate for the run (its default, 1000, alone needs images/1000 s)");
    private static final DivaOption<Integer> REEMBED_CHUNK = DivaOption.of(
            "reembed-chunk",
            OptionType.integer(1, 100_000),
            "512",
            "the job's embedding.reembed-chunk for the run (its default is 64)");
    private static final DivaOption<Integer> INTRA_OP_THREADS = DivaOption.of(
            "intra-op-threads",
            OptionType.integer(0, 4096),
            "1",
            "the job's embedding.intra-op-threads (its default, 1); also the bare loop's");

    private static final OptionSet OPTIONS = OptionSet.of(List.of(
            IMAGES,
            VERSIONS,
            BASELINE_PASSES,
            SEED,
            BACKBONE_FILE,
            PARALLELISM,
            STATE_BACKEND,
            ROCKSDB_MEMORY,
            REEMBED_RATE,
            REEMBED_CHUNK,
            INTRA_OP_THREADS));

    private RefreshBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code --name=value} options, see the class documentation
     * @throws Exception if the operator fails
     */
    public static void main(String[] args) throws Exception {
        if (OptionSet.helpRequested(args)) {
            System.out.println(OPTIONS.usage(RefreshBenchmark.class.getSimpleName()));
            return;
        }
        ConsoleLogging.start(RefreshBenchmark.class);
        Configuration options = OPTIONS.parse(args);
        int n = IMAGES.get(options);
        int versions = VERSIONS.get(options);
        int passes = BASELINE_PASSES.get(options);
        int threads = INTRA_OP_THREADS.get(options);
        JobConfig config = JobOptions.parse(
                "--kafka.bootstrap-servers", "unused:9092",
                "--model.preset", "photo-mobilenetv2",
                "--model.backbone-file", BACKBONE_FILE.get(options),
                "--embedding.reembed-rate", Double.toString(REEMBED_RATE.get(options)),
                "--embedding.reembed-chunk", Integer.toString(REEMBED_CHUNK.get(options)),
                "--embedding.intra-op-threads", Integer.toString(threads),
                "--embedding.max-images-per-subtask", Integer.toString(Math.max(n, 1)));
        NetworkSpec network = config.training().model().network();
        JobConfig.CatalogueConfig catalogue = config.embedding().catalogue();
        StoredFeatures.Precision precision =
                ((SampleDecoding.Features) config.training().decoding()).precision();
        System.out.printf(
                Locale.ROOT,
                "RefreshBenchmark: %,d stored images, %s, %d heads x %d-d on %d-d features (%s, %d bytes each),"
                        + " RocksDB memory %s, reembed-rate %.0f/s, reembed-chunk %d (tick %d ms), %d subtask(s) with %d intra-op"
                        + " thread(s) each, %s state, %d cores, max heap %d MB%n",
                n,
                config.training().model().network().backbone().id(),
                network.heads().size(),
                network.embeddingDim(),
                network.backbone().featureDim(),
                precision,
                StoredFeatures.encodedBytes(network.backbone().featureDim(), 0, precision),
                ROCKSDB_MEMORY.get(options),
                catalogue.reembedRate(),
                catalogue.reembedChunk(),
                catalogue.tickMs(),
                PARALLELISM.get(options),
                threads,
                STATE_BACKEND.get(options),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);

        long seed = SEED.get(options);
        byte[][] payloads = payloads(n, network.backbone().featureDim(), precision, seed);
        List<ModelUpdate> models = models(config, versions);

        int parallelism = PARALLELISM.get(options);
        int chunk = catalogue.reembedChunk();
        ModelUpdate first = models.get(0);
        bare(network, config, payloads, Math.min(n, 20_000), first, chunk, threads, parallelism, "warm-up");
        List<Double> bare = new ArrayList<>();
        for (int p = 0; p < (passes + 1) / 2; p++) {
            bare.add(bare(network, config, payloads, n, first, chunk, threads, parallelism, "pass " + (p + 1)));
        }
        String backend = STATE_BACKEND.get(options) + ":" + ROCKSDB_MEMORY.get(options);
        Supplier<CatalogueEmbedder> operator = () -> new CatalogueEmbedder(
                network,
                config.embedding().headWeights(),
                catalogue,
                TOPIC,
                threads,
                config.input().labelTtlMs(),
                config.training().payload());
        // every subtask waits for the others before a version is sent (then the CPU times are taken) and after
        // its re-embedding (then where the CPU time went is printed)
        ThreadCpu[] before = new ThreadCpu[1];
        CyclicBarrier ready = new CyclicBarrier(parallelism, () -> before[0] = ThreadCpu.now());
        CyclicBarrier done =
                new CyclicBarrier(parallelism, () -> ThreadCpu.now().print(before[0], System.out));
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        List<Future<List<long[]>>> subtasks = new ArrayList<>();
        for (int s = 0; s < parallelism; s++) {
            int subtask = s;
            subtasks.add(pool.submit(() -> subtask(
                    operator.get(), backend, parallelism, subtask, payloads, models, new CyclicBarrier[] {ready, done
                    })));
        }
        List<Double> refreshSeconds = new ArrayList<>();
        try {
            List<List<long[]>> times = new ArrayList<>();
            for (Future<List<long[]>> f : subtasks) {
                times.add(f.get());
            }
            for (int v = 0; v < models.size(); v++) {
                long arrived = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (List<long[]> t : times) {
                    arrived = Math.min(arrived, t.get(v)[0]);
                    last = Math.max(last, t.get(v)[1]);
                }
                double seconds = (last - arrived) / 1e9;
                refreshSeconds.add(seconds);
                System.out.printf(
                        Locale.ROOT,
                        "operator, model version %d: %,d images re-embedded by %d subtask(s) in %.2f s = %,.0f"
                                + " images/s%n",
                        models.get(v).version(),
                        n,
                        parallelism,
                        seconds,
                        n / seconds);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int p = (passes + 1) / 2; p < passes; p++) {
            bare.add(bare(network, config, payloads, n, first, chunk, threads, parallelism, "pass " + (p + 1)));
        }
        summary(n, bare, refreshSeconds, catalogue, parallelism);
    }

    private static void summary(
            int n, List<Double> bare, List<Double> refreshSeconds, JobConfig.CatalogueConfig c, int parallelism) {
        double bareRate =
                bare.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        System.out.println();
        System.out.printf(Locale.ROOT, "bare heads loop: %s images/s, mean %,.0f%n", rates(bare), bareRate);
        for (int v = 0; v < refreshSeconds.size(); v++) {
            double seconds = refreshSeconds.get(v);
            double rate = n / seconds;
            System.out.printf(
                    Locale.ROOT,
                    "refresh %d: %.2f s for %,d images = %,.0f images/s; ratio to the bare loop %.3f;"
                            + " bar %.0f s: %s%n",
                    v + 1,
                    seconds,
                    n,
                    rate,
                    rate / bareRate,
                    BAR_SECONDS,
                    seconds <= BAR_SECONDS ? "met" : "NOT met");
        }
        System.out.printf(
                Locale.ROOT,
                "bounds: the rate alone allows %.1f s (images / reembed-rate / subtasks); an embedder subtask"
                        + " re-embeds on at most half of its thread, so no less than about %.1f s at the bare loop's"
                        + " speed%n",
                n / c.reembedRate() / parallelism,
                2 * n / bareRate);
    }

    private static String rates(List<Double> rates) {
        return String.join(
                ", ",
                rates.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r)).toList());
    }

    /**
     * One embedder subtask on its own thread (libtorch's intra-op threads are set per thread when it opens): stores
     * the images whose key group it owns, then for each model version, once every subtask is ready ({@code
     * barriers[0]}), sends it and waits for the re-embedding, and for the others to finish ({@code barriers[1]}).
     *
     * @return per version, the nanoTime of its arrival and of the subtask's last embedding
     */
    private static List<long[]> subtask(
            CatalogueEmbedder operator,
            String backend,
            int parallelism,
            int subtask,
            byte[][] payloads,
            List<ModelUpdate> models,
            CyclicBarrier[] barriers)
            throws Exception {
        List<long[]> times = new ArrayList<>();
        try (RefreshHarness harness = new RefreshHarness(operator, backend(backend), parallelism, subtask)) {
            long f0 = System.nanoTime();
            for (int i = 0; i < payloads.length; i++) {
                String id = id(i);
                if (KeyGroupRangeAssignment.assignKeyToParallelOperator(id, RefreshHarness.MAX_PARALLELISM, parallelism)
                        == subtask) {
                    harness.store(sample(i, id, payloads[i]));
                }
                if (i % 1000 == 999) {
                    harness.tick();
                }
            }
            double fill = (System.nanoTime() - f0) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "subtask %d: stored %,d images in %.1f s (%,.0f/s; no model yet, so none embedded),"
                            + " dead letters %d; %s%n",
                    subtask,
                    harness.catalogueSize(),
                    fill,
                    harness.catalogueSize() / fill,
                    harness.deadLetters(),
                    PeakMemory.residentSummary());
            for (ModelUpdate model : models) {
                barriers[0].await();
                long arrived = System.nanoTime();
                long last = harness.refresh(model, harness.catalogueSize());
                times.add(new long[] {arrived, last});
                barriers[1].await();
                System.out.printf(
                        Locale.ROOT,
                        "subtask %d, model version %d: %,d images in %.2f s (%.0f MB of embeddings serialized so"
                                + " far); %s%n",
                        subtask,
                        model.version(),
                        harness.catalogueSize(),
                        (last - arrived) / 1e9,
                        harness.outputBytes() / 1e6,
                        PeakMemory.residentSummary());
            }
        }
        return times;
    }

    /** The state backend: {@code heap:...}, {@code rocksdb:managed} or {@code rocksdb:<fixed memory per slot>}. */
    private static StateBackend backend(String spec) {
        String[] parts = spec.split(":", 2);
        if (parts[0].equals("heap")) {
            return new HashMapStateBackend();
        }
        EmbeddedRocksDBStateBackend rocksdb = new EmbeddedRocksDBStateBackend();
        if (!parts[1].equals("managed")) {
            rocksdb.getMemoryConfiguration().setFixedMemoryPerSlot(parts[1]);
        }
        return rocksdb;
    }

    /** Random 1280-d features (MobileNetV2's pooled features are non-negative) stored as the decoder stores them. */
    static byte[][] payloads(int n, int dim, StoredFeatures.Precision precision, long seed) {
        byte[][] out = new byte[n][];
        int expected = StoredFeatures.encodedBytes(dim, 0, precision);
        for (int i = 0; i < n; i++) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
            float[] features = new float[dim];
            for (int d = 0; d < dim; d++) {
                features[d] = (float) (random.nextDouble() * 4);
            }
            out[i] = new StoredFeatures(features, new float[0][]).toBytes(precision);
            if (out[i].length != expected) {
                throw new IllegalStateException("stored features of " + out[i].length + " bytes, not " + expected);
            }
        }
        return out;
    }

    private static String id(int i) {
        return "photo-" + (10_000_000 + i);
    }

    private static ImageSample sample(int i, String id, byte[] payload) {
        int label = i % CLASSES;
        Role role = label >= CLASSES * 3 / 4 ? Role.EVAL : Role.TRAIN;
        return new ImageSample(id, "bird/" + (1000 + label), role, payload, 1_000L + i);
    }

    /** Versions 1, 2, ... of the photo preset's network: its initial parameters, a new version each time. */
    private static List<ModelUpdate> models(JobConfig config, int versions) {
        List<ModelUpdate> out = new ArrayList<>();
        try (DivaTrainer trainer = new DivaTrainer(config.training().model(), ViewAugmenter.IDENTITY)) {
            for (int v = 1; v <= versions; v++) {
                ModelSnapshot s = trainer.snapshot(v);
                out.add(new ModelUpdate(
                        s.version(),
                        s.step(),
                        0,
                        CLASSES,
                        s.parameters(),
                        s.parameterCount(),
                        s.sha256(),
                        new String[0],
                        new double[0],
                        System.currentTimeMillis()));
            }
        }
        return out;
    }

    /**
     * The bare loop: on each of {@code parallelism} threads, an embedder of the network applied to its share of the
     * stored images' features in chunks, each chunk's heads combined as the job combines them.
     *
     * @return images per second over all threads
     */
    private static double bare(
            NetworkSpec network,
            JobConfig config,
            byte[][] payloads,
            int count,
            ModelUpdate model,
            int chunk,
            int threads,
            int parallelism,
            String what)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            CyclicBarrier barrier = new CyclicBarrier(parallelism);
            List<Future<long[]>> parts = new ArrayList<>();
            for (int t = 0; t < parallelism; t++) {
                int from = (int) ((long) count * t / parallelism);
                int to = (int) ((long) count * (t + 1) / parallelism);
                parts.add(pool.submit(
                        () -> barePart(network, config, payloads, from, to, model, chunk, threads, barrier)));
            }
            long started = Long.MAX_VALUE;
            long ended = Long.MIN_VALUE;
            long checksum = 0;
            for (Future<long[]> part : parts) {
                started = Math.min(started, part.get()[0]);
                ended = Math.max(ended, part.get()[1]);
                checksum += part.get()[2];
            }
            double seconds = (ended - started) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "bare heads loop (%s): %,d images in %.2f s = %,.0f images/s (%d thread(s), chunks of %d, %d"
                            + " intra-op threads each, checksum %d)%n",
                    what,
                    count,
                    seconds,
                    count / seconds,
                    parallelism,
                    chunk,
                    threads,
                    checksum);
            return count / seconds;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One thread of the bare loop: images {@code from} to {@code to}; returns start, end and a checksum. */
    private static long[] barePart(
            NetworkSpec network,
            JobConfig config,
            byte[][] payloads,
            int from,
            int to,
            ModelUpdate model,
            int chunk,
            int threads,
            CyclicBarrier barrier)
            throws Exception {
        DjlRuntime.useIntraOpThreads(threads);
        double[] weights = config.embedding().headWeights();
        SamplePayload payload = config.training().payload();
        long checksum = 0;
        try (Embedder embedder = new Embedder(network)) {
            embedder.load(new ModelSnapshot(model.version(), model.step(), model.parameters(), model.parameterCount()));
            barrier.await();
            long t0 = System.nanoTime();
            for (int start = from; start < to; start += chunk) {
                int size = Math.min(chunk, to - start);
                float[][] inputs = new float[size][];
                for (int i = 0; i < size; i++) {
                    inputs[i] = payload.evaluationInput(payloads[start + i], null);
                }
                float[][] combined = EmbeddingCombiner.combine(embedder.embed(inputs), weights);
                checksum += Float.floatToIntBits(combined[size - 1][0]);
            }
            return new long[] {t0, System.nanoTime(), checksum};
        }
    }
}
