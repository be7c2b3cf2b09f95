package io.divastream.benchmarks;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.images.ImageLimits;
import io.divastream.images.PhotoDecoder;
import io.divastream.images.PhotoFeatureExtractor;
import io.divastream.images.PhotoTransforms;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.decode.DecodeImageFunction;
import io.divastream.jobs.decode.LabelRouter;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.jobs.events.ImageSample;
import io.divastream.model.DjlRuntime;
import io.divastream.model.embed.FeatureExtractor;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.schemas.ImageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/**
 * The timed phases of {@link IngestionBenchmark}, each run on {@code parallelism} threads that first warm up
 * (loading the backbone, a few photos untimed), then wait for each other and process their own share of photos;
 * a phase's time runs from the first thread's start to the last thread's end. Each thread has its own backbone,
 * as each decoder subtask of the job has.
 *
 * @param config the job's configuration (photo preset): the decoding, the image limits and the routing
 * @param photos the photos, as read from the dataset, with ids and labels
 * @param warmup photos each thread processes untimed first
 * @param intraOpThreads libtorch intra-op threads set on each thread (the job's decoders set theirs from the
 *     configuration's {@code embedding.intra-op-threads}), or -1 to leave libtorch's default
 */
record IngestionPhases(JobConfig config, List<Photo> photos, int warmup, int intraOpThreads) {

    private static final String TOPIC = "diva.images";
    private static final AvroCodec<ImageEvent> CODEC = AvroCodec.of(ImageEvent.class);

    /**
     * A photo of the dataset.
     *
     * @param id its image id
     * @param label its class label
     * @param contentType its MIME type
     * @param bytes the encoded file
     */
    record Photo(String id, String label, String contentType, byte[] bytes) {}

    /**
     * A phase's result.
     *
     * @param photos photos processed, over all threads
     * @param seconds from the first start to the last end
     * @param threadsInEffect libtorch's intra-op threads on the phase's threads
     * @param cpuSeconds CPU time of every thread of the process during the timed part
     * @param waitedSeconds time the process's threads were runnable but without a core (the machine is shared)
     */
    record Result(int photos, double seconds, int threadsInEffect, double cpuSeconds, double waitedSeconds) {
        double perSecond() {
            return photos / seconds;
        }
    }

    /** The work of one thread: set up, process photos by index, tear down. */
    private interface Worker extends AutoCloseable {
        void process(int index) throws Exception;
    }

    /** Opens a thread's worker, which will process the photos of the given indexes (warm-up ones first). */
    @FunctionalInterface
    private interface WorkerFactory {
        Worker open(int thread, int parallelism, List<Integer> indexes) throws Exception;
    }

    private SampleDecoding.Features decoding() {
        return (SampleDecoding.Features) config.training().decoding();
    }

    private ImageLimits limits() {
        return config.input().limits().image();
    }

    /**
     * The bare loop: {@link PhotoFeatureExtractor#evaluation} (decode, evaluation transform, backbone forward).
     *
     * @param parallelism threads
     * @param perThread photos per thread
     * @return the result
     * @throws Exception if a thread fails
     */
    Result bare(int parallelism, int perThread) throws Exception {
        SampleDecoding.Features d = decoding();
        return run(parallelism, perThread, (thread, p, indexes) -> {
            PhotoFeatureExtractor extractor = new PhotoFeatureExtractor(d.backbone(), limits(), 0, d.seed());
            return new Worker() {
                @Override
                public void process(int index) {
                    extractor.evaluation(photos.get(index).bytes()).toBytes(d.precision());
                }

                @Override
                public void close() {
                    extractor.close();
                }
            };
        });
    }

    /**
     * The backbone's forward pass alone, on the photos' evaluation views transformed beforehand.
     *
     * @param parallelism threads
     * @param perThread photos per thread
     * @return the result
     * @throws Exception if a thread fails
     */
    Result forwardOnly(int parallelism, int perThread) throws Exception {
        SampleDecoding.Features d = decoding();
        PhotoTransforms transforms = new PhotoTransforms(d.backbone().input());
        return run(parallelism, perThread, (thread, p, indexes) -> {
            Map<Integer, float[]> inputs = new HashMap<>();
            for (int index : indexes) {
                inputs.computeIfAbsent(
                        index,
                        i -> transforms.evalView(
                                PhotoDecoder.decode(photos.get(i).bytes(), limits())));
            }
            FeatureExtractor extractor = new FeatureExtractor(d.backbone());
            return new Worker() {
                @Override
                public void process(int index) {
                    extractor.features(new float[][] {inputs.get(index)});
                }

                @Override
                public void close() {
                    extractor.close();
                }
            };
        });
    }

    /**
     * The job's embedding reader: its {@link DecodeImageFunction} with the preset's feature decoding, one subtask
     * of {@code parallelism} per thread in Flink's operator harness, fed the photos as the Kafka records of Avro
     * image events; each sample it emits is serialized with its Flink serializer (as for the network edge to the
     * embedders) and dropped.
     *
     * @param parallelism threads (subtasks)
     * @param perThread photos per thread
     * @return the result
     * @throws Exception if a thread fails
     */
    Result decoder(int parallelism, int perThread) throws Exception {
        return run(parallelism, perThread, (thread, p, indexes) -> {
            DecodeImageFunction function = new DecodeImageFunction(
                    decoding(),
                    new LabelRouter(config.routing().evalLabelRegex()),
                    config.input().limits(),
                    new RecordSizeLimit(RecordSizeLimit.KAFKA_DEFAULT));
            var harness = new OneInputStreamOperatorTestHarness<RawRecord, ImageSample>(
                    new ProcessOperator<>(function), RefreshHarness.MAX_PARALLELISM, p, thread);
            SerializingOutput<ImageSample> output = new SerializingOutput<>(ImageSample.class, count -> {});
            harness.setOutputCreator(serializer -> output);
            harness.open();
            Map<Integer, RawRecord> records = new HashMap<>();
            for (int index : indexes) {
                records.computeIfAbsent(index, i -> record(i, photos.get(i)));
            }
            return new Worker() {
                private int next;

                @Override
                public void process(int index) throws Exception {
                    RawRecord record = records.get(index);
                    harness.processElement(record, record.timestamp());
                    next++;
                    if (output.records() != next) {
                        throw new IllegalStateException("the decoder emitted " + output.records() + " samples for "
                                + next + " photos (" + output.sideRecords() + " dead letters)");
                    }
                }

                @Override
                public void close() throws Exception {
                    harness.close();
                }
            };
        });
    }

    /**
     * The training reader's feature extraction: {@link PhotoFeatureExtractor#training} with a number of views.
     *
     * @param views training views per photo
     * @param count photos
     * @return the result (one thread)
     * @throws Exception if the thread fails
     */
    Result training(int views, int count) throws Exception {
        SampleDecoding.Features d = decoding();
        return run(1, count, (thread, p, indexes) -> {
            PhotoFeatureExtractor extractor = new PhotoFeatureExtractor(d.backbone(), limits(), views, d.seed());
            return new Worker() {
                @Override
                public void process(int index) {
                    Photo photo = photos.get(index);
                    StoredFeatures f = extractor.training(photo.id(), photo.bytes());
                    if (f.training().length != views) {
                        throw new IllegalStateException(f.training().length + " training views, not " + views);
                    }
                    f.toBytes(d.precision());
                }

                @Override
                public void close() {
                    extractor.close();
                }
            };
        });
    }

    private static RawRecord record(long offset, Photo photo) {
        byte[] value = CODEC.encode(ImageEvent.newBuilder()
                .setImageId(photo.id())
                .setLabel(photo.label())
                .setContentType(photo.contentType())
                .setImage(ByteBuffer.wrap(photo.bytes()))
                .setEventTime(Instant.ofEpochMilli(1_000 + offset))
                .setSource("cub-subset")
                .build());
        return new RawRecord(TOPIC, 0, offset, photo.id().getBytes(StandardCharsets.UTF_8), value, 1_000 + offset);
    }

    /**
     * Runs a phase: thread t processes {@code perThread} photos from photo {@code t * perThread} on (wrapping),
     * after {@code warmup} untimed ones.
     */
    private Result run(int parallelism, int perThread, WorkerFactory factory) throws Exception {
        System.gc(); // the previous phase's garbage (transformed views, harness buffers) is not this phase's cost
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            ThreadCpu[] cpu = new ThreadCpu[2];
            CyclicBarrier start = new CyclicBarrier(parallelism, () -> cpu[0] = ThreadCpu.now());
            CyclicBarrier end = new CyclicBarrier(parallelism, () -> cpu[1] = ThreadCpu.now());
            List<Future<long[]>> parts = new ArrayList<>();
            for (int t = 0; t < parallelism; t++) {
                int thread = t;
                parts.add(pool.submit(() -> runThread(factory, thread, parallelism, perThread, start, end)));
            }
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            int threads = 0;
            for (Future<long[]> part : parts) {
                long[] r = part.get();
                first = Math.min(first, r[0]);
                last = Math.max(last, r[1]);
                threads = Math.max(threads, (int) r[2]);
            }
            double cpuSeconds = 0;
            double waitedSeconds = 0;
            for (double[] group : cpu[1].since(cpu[0]).values()) {
                cpuSeconds += group[0];
                waitedSeconds += group[1];
            }
            return new Result(parallelism * perThread, (last - first) / 1e9, threads, cpuSeconds, waitedSeconds);
        } finally {
            pool.shutdownNow();
        }
    }

    private long[] runThread(
            WorkerFactory factory, int thread, int parallelism, int perThread, CyclicBarrier start, CyclicBarrier end)
            throws Exception {
        if (intraOpThreads >= 0) {
            DjlRuntime.useIntraOpThreads(intraOpThreads);
        }
        int first = thread * perThread;
        List<Integer> warm = new ArrayList<>();
        for (int i = 0; i < warmup; i++) {
            warm.add((first + perThread + i) % photos.size());
        }
        List<Integer> timed = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
            timed.add((first + i) % photos.size());
        }
        List<Integer> indexes = new ArrayList<>(warm);
        indexes.addAll(timed);
        try (Worker worker = factory.open(thread, parallelism, indexes)) {
            for (int index : warm) {
                worker.process(index);
            }
            start.await();
            long t0 = System.nanoTime();
            for (int index : timed) {
                worker.process(index);
            }
            long t1 = System.nanoTime();
            end.await();
            return new long[] {t0, t1, DjlRuntime.intraOpThreads()};
        }
    }
}
