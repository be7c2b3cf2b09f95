package io.divastream.jobs.bench;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.KafkaSettings;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.connectors.kafka.TopicSpec;
import io.divastream.dev.FlinkSessionCluster;
import io.divastream.dev.LocalKafkaBroker;
import io.divastream.jobs.DivaStreamJob;
import io.divastream.jobs.config.RouteOptions;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.producer.OmniglotDataset;
import io.divastream.schemas.EmbeddingRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Load test of the shaded job jar on a standalone Flink session cluster ({@link FlinkSessionCluster}:
 * a job manager and two task managers of one slot each, separate JVMs on 127.0.0.1) with parallelism
 * 2, so the source, decoder, batch assembly and embedder run two subtasks (one per task manager, each
 * with its own model copy updated by broadcast) and the trainer and the metrics scorer one. The
 * in-process Kafka broker gets an images topic of two partitions. Once every task runs, a priming
 * burst of Omniglot image events is published at once (the trainer's first model needs P classes of K
 * images, and nothing is embedded before it) and the bench waits until they are all embedded; then
 * further events (under new ids once the 4,840 images are used up) are published at a fixed rate for
 * a bounded time, the bench waits a bounded drain period, reads every embedding back (read_committed)
 * and reports, for the paced events, over the window from {@code --warmup} s after the first paced
 * event to the end of publication:
 *
 * <ul>
 *   <li>sustained throughput: images embedded for the first time per second, over the publication
 *       window after a warm-up;
 *   <li>event-to-embedding latency p50/p90/p99/max: the first embedding's {@code embeddedAt} minus the
 *       event's {@code eventTime} (processing latency; the exactly-once sinks make records visible to
 *       read_committed consumers up to one checkpoint interval later).
 * </ul>
 *
 * A benchmark program, not a test. Needs {@code mvn -pl jobs -am package -DskipTests} first (the job jar
 * and {@code target/flink-lib}); see docs/operations.md for the command. Options: {@code --rate}
 * (events/s, 40), {@code --seconds} (publication time, 150), {@code --priming} (events of the
 * priming burst, 400: four images of each of 100 training classes), {@code --warmup} (seconds of paced publication excluded from the figures, 10), {@code --drain} (seconds to wait for the backlog, 120), {@code --parallelism} (2),
 * {@code --work-dir} ({@code jobs/target/load-bench}), {@code --jar}, {@code --lib}; after {@code --},
 * extra job options.
 */
public final class ClusterLoadBench {

    private ClusterLoadBench() {}

    /**
     * Runs the load test and prints the figures.
     *
     * @param args the options
     * @throws Exception if the cluster, the broker or the job fails
     */
    public static void main(String[] args) throws Exception {
        double rate = 40;
        int seconds = 150;
        int warmup = 10;
        int priming = 400;
        int drain = 120;
        int parallelism = 2;
        Path work = Path.of("jobs/target/load-bench");
        Path jar = Path.of("jobs/target/diva-jobs-0.1.0-SNAPSHOT-job.jar");
        Path lib = Path.of("jobs/target/flink-lib");
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                extra.addAll(Arrays.asList(args).subList(i + 1, args.length));
                break;
            }
            String v = args[++i];
            switch (args[i - 1]) {
                case "--rate" -> rate = Double.parseDouble(v);
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--priming" -> priming = Integer.parseInt(v);
                case "--drain" -> drain = Integer.parseInt(v);
                case "--parallelism" -> parallelism = Integer.parseInt(v);
                case "--work-dir" -> work = Path.of(v);
                case "--jar" -> jar = Path.of(v);
                case "--lib" -> lib = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i - 1]);
            }
        }
        String run = "load";
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start(LocalKafkaBroker.Config.defaults())) {
            KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
            // the embeddings topic is not compacted here: the first embedding of each image must stay readable
            TopicAdmin.ensureTopics(
                    settings,
                    List.of(
                            TopicSpec.of(run + ".images", parallelism, 1),
                            TopicSpec.of(run + ".embeddings", 1, 1),
                            TopicSpec.of(run + ".metrics", 1, 1),
                            TopicSpec.of(run + ".model-versions", 1, 1),
                            TopicSpec.of(run + ".dlq", 1, 1)));
            List<String> jobArgs = new ArrayList<>(List.of(
                    "--kafka.bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--kafka.group-id",
                    run,
                    "--kafka.transactional-id-prefix",
                    run,
                    "--topic.images",
                    run + ".images",
                    "--topic.embeddings",
                    run + ".embeddings",
                    "--topic.metrics",
                    run + ".metrics",
                    "--topic.model-versions",
                    run + ".model-versions",
                    "--topic.dead-letters",
                    run + ".dlq",
                    "--parallelism",
                    Integer.toString(parallelism),
                    "--checkpoint.interval-ms",
                    "5000",
                    "--checkpoint.dir",
                    work.toAbsolutePath().resolve("checkpoints").toUri().toString()));
            jobArgs.addAll(extra);
            FlinkSessionCluster.Config config =
                    FlinkSessionCluster.Config.of(lib, work.resolve("cluster")).withTaskManagers(parallelism, 1);
            try (FlinkSessionCluster cluster = FlinkSessionCluster.start(config)) {
                String jobId = cluster.submit(jar, DivaStreamJob.class.getName(), jobArgs, 0);
                System.out.println(
                        "job " + jobId + " on " + cluster.restAddress() + ": " + cluster.vertexParallelism(jobId));
                cluster.awaitRunning(jobId, Duration.ofMinutes(2));

                // priming: the trainer's first model needs P classes of K images in a batch-assembly subtask,
                // and nothing is embedded before it; so a priming burst first, embedded before the measurement
                List<LabeledImage> primingEvents = primingEvents(priming);
                List<LabeledImage> events = events((int) Math.round(rate * seconds));
                List<LabeledImage> all = new ArrayList<>(primingEvents);
                all.addAll(events);
                Instant primingStart = Instant.now();
                try (ImageEventProducer producer = new ImageEventProducer(settings, run + ".images", 0)) {
                    producer.publish(primingEvents);
                }
                Map<String, long[]> first = new HashMap<>();
                long primingDeadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
                do {
                    Thread.sleep(5000);
                    readEmbeddings(settings, run + ".embeddings", first);
                } while (first.size() < priming && System.nanoTime() < primingDeadline);
                System.out.printf(
                        "priming: %,d events embedded %,d in %.0f s%n",
                        priming,
                        first.size(),
                        Duration.between(primingStart, Instant.now()).toMillis() / 1000.0);

                Instant start = Instant.now();
                try (ImageEventProducer producer = new ImageEventProducer(settings, run + ".images", rate)) {
                    producer.publish(events);
                }
                Instant end = Instant.now();
                Instant windowStart = start.plusSeconds(warmup);
                System.out.printf(
                        "published %,d events in %.1f s (%.1f/s)%n",
                        events.size(),
                        Duration.between(start, end).toMillis() / 1000.0,
                        events.size() * 1000.0 / Duration.between(start, end).toMillis());

                long deadline = System.nanoTime() + Duration.ofSeconds(drain).toNanos();
                do {
                    Thread.sleep(5000);
                    readEmbeddings(settings, run + ".embeddings", first);
                } while (first.size() < all.size() && System.nanoTime() < deadline && cluster.allAlive());
                java.util.Set<String> paced = new java.util.HashSet<>();
                events.forEach(e -> paced.add(e.imageId()));
                first.keySet().retainAll(paced);
                String state = cluster.jobState(jobId);
                cluster.cancel(jobId, Duration.ofMinutes(1));
                report(first, events.size(), rate, seconds, start, windowStart, end, state);
            }
        }
    }

    /** The Omniglot images in class-interleaved order, under new ids (suffix {@code ~1}, {@code ~2}, ...), up to the count. */
    private static List<LabeledImage> events(int count) {
        List<LabeledImage> base = InterleavedOrder.of(OmniglotDataset.loadEmbedded(), 11);
        List<LabeledImage> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            LabeledImage image = base.get(i % base.size());
            int copy = 1 + i / base.size();
            out.add(new LabeledImage(
                    image.imageId() + "~" + copy, image.label(), image.contentType(), image.bytes(), image.source()));
        }
        return out;
    }

    /** Four images of each training class, class after class, under their own ids, up to the count. */
    private static List<LabeledImage> primingEvents(int count) {
        Map<String, List<LabeledImage>> byLabel = new java.util.LinkedHashMap<>();
        for (LabeledImage image : OmniglotDataset.loadEmbedded()) {
            if (!image.label().matches(RouteOptions.OMNIGLOT_EVAL_LABELS + ".*")) {
                byLabel.computeIfAbsent(image.label(), l -> new ArrayList<>()).add(image);
            }
        }
        List<LabeledImage> out = new ArrayList<>(count);
        for (List<LabeledImage> images : byLabel.values()) {
            for (LabeledImage image : images.subList(0, Math.min(4, images.size()))) {
                if (out.size() < count) {
                    out.add(image);
                }
            }
        }
        return out;
    }

    /** Per image id: event time and first embedding time (ms). */
    private static void readEmbeddings(KafkaSettings settings, String topic, Map<String, long[]> first) {
        first.clear();
        read(settings, topic, EmbeddingRecord.class, e -> {
            long embedded = e.getEmbeddedAt().toEpochMilli();
            first.merge(
                    e.getImageId(),
                    new long[] {e.getEventTime().toEpochMilli(), embedded},
                    (a, b) -> a[1] <= b[1] ? a : b);
        });
    }

    private static <T extends SpecificRecord> void read(
            KafkaSettings settings, String topic, Class<T> type, Consumer<T> sink) {
        Properties p = settings.toProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        AvroCodec<T> codec = AvroCodec.of(type);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(codec.decode(r.value()));
                }
            }
        }
    }

    private static void report(
            Map<String, long[]> first,
            int published,
            double rate,
            int seconds,
            Instant start,
            Instant windowStart,
            Instant end,
            String state) {
        long from = windowStart.toEpochMilli();
        long warmup = Math.round((from - start.toEpochMilli()) / 1000.0);
        long to = end.toEpochMilli();
        long inWindow =
                first.values().stream().filter(t -> t[1] >= from && t[1] < to).count();
        long[] latencies = first.values().stream()
                .filter(t -> t[0] >= from && t[0] < to)
                .mapToLong(t -> t[1] - t[0])
                .sorted()
                .toArray();
        long lastEmbedded = first.values().stream().mapToLong(t -> t[1]).max().orElse(to);
        System.out.println();
        System.out.println("| measure | value |");
        System.out.println("|---|---|");
        System.out.printf("| offered rate (events/s), publication time (s) | %.1f, %d |%n", rate, seconds);
        System.out.printf("| events published / embedded at least once | %,d / %,d |%n", published, first.size());
        System.out.printf(
                "| sustained throughput, first embeddings/s (window %d-%d s after the first event) | %.1f |%n",
                warmup, seconds, inWindow * 1000.0 / Math.max(1, to - from));
        System.out.printf(
                "| overall, first embeddings/s (first event to last embedding) | %.1f |%n",
                first.size() * 1000.0 / Math.max(1, lastEmbedded - start.toEpochMilli()));
        if (latencies.length > 0) {
            System.out.printf(
                    "| event-to-embedding latency p50 / p90 / p99 / max (ms), %,d events after warm-up | %d / %d / %d / %d |%n",
                    latencies.length,
                    pct(latencies, 0.50),
                    pct(latencies, 0.90),
                    pct(latencies, 0.99),
                    latencies[latencies.length - 1]);
        }
        System.out.printf("| job state at the end | %s |%n", state);
    }

    private static long pct(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
