package io.divastream.demo;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.kafka.TopicAdmin;
import io.divastream.datasets.DatasetException;
import io.divastream.dev.LocalCluster;
import io.divastream.dev.LocalKafkaBroker;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.jobs.config.ConfigException;
import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.config.JobOptions;
import io.divastream.jobs.config.KafkaOptions;
import io.divastream.jobs.config.OptionSet;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.jobs.pipeline.DivaEnvironment;
import io.divastream.jobs.pipeline.DivaPipeline;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.producer.ImageEventProducer;
import io.divastream.producer.InterleavedOrder;
import io.divastream.producer.LabeledImage;
import io.divastream.producer.OrderParameters;
import io.divastream.producer.PublicationOrder;
import io.divastream.schemas.MetricsRecord;
import io.divastream.watch.PngChart;
import io.divastream.watch.RecallHistory;
import io.divastream.watch.XAxis;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The embedded default: starts a real Kafka broker on 127.0.0.1 (KRaft, in-process), runs the DiVA
 * stream job on a local Flink environment with RocksDB state, publishes the shipped Omniglot images
 * as events, and prints each metrics record as a Kafka consumer reads it from the metrics topic. It
 * stops after the configured step or time, writes the last metrics record to {@code
 * demo-results.json} and shuts everything down. It reads the job's configuration file as the
 * cluster job does ({@code --config config/diva-stream.properties}); its own {@code demo.*} options
 * are given on the command line.
 */
public final class LocalDemo {

    private final Configuration given;
    private final DemoDataset dataset;
    private final PrintStream out;

    private LocalDemo(Configuration options, PrintStream out) {
        this.dataset = DemoOptions.DATASET.get(options);
        this.given = DemoOptions.withDatasetDefaults(options);
        this.out = out;
    }

    /**
     * Runs the demo and exits with its status: 0 when it finished, 2 for a configuration or data
     * error (reported in one line), 1 for a failure at run time.
     *
     * @param args options, see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /**
     * Runs the demo.
     *
     * @param args options, see {@code --help}
     * @param out where the table and the summary go
     * @param err where errors go
     * @return the exit status: 0 done, 2 configuration or data error, 1 run-time failure
     */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        if (OptionSet.helpRequested(args)) {
            out.print(DemoOptions.ALL.options().usage("diva-demo"));
            return 0;
        }
        try {
            return new LocalDemo(DemoOptions.ALL.parse(args), out).run(err);
        } catch (ConfigException | DatasetException e) {
            err.println("diva-demo: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("diva-demo: failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private int run(PrintStream err) throws Exception {
        int port = DemoOptions.KAFKA_PORT.get(given);
        double rate = DemoOptions.RATE.get(given);
        long seed = DemoOptions.SEED.get(given);
        PublicationOrder order = DemoOptions.ORDER.get(given);
        int waveSize = DemoOptions.WAVE_SIZE.get(given);
        int badEvents = DemoOptions.BAD_EVENTS.get(given);
        long maxSteps = DemoOptions.MAX_STEPS.get(given);
        double maxMinutes = DemoOptions.MAX_MINUTES.get(given);
        Path results = Path.of(DemoOptions.RESULTS.get(given));
        Path workDir = Path.of(DemoOptions.WORK_DIR.get(given)).toAbsolutePath();
        String dataDir = DemoOptions.DATA_DIR.get(given);
        boolean discriminativeOnly = DemoOptions.DISCRIMINATIVE_ONLY.get(given);
        int prometheusPort = DemoOptions.PROMETHEUS_PORT.get(given);
        String bindAddress = DemoOptions.BIND_ADDRESS.get(given);
        // Validate the whole configuration and the data before starting anything.
        jobConfig(bindAddress + ":" + Math.max(port, 1), workDir);
        String classes = DemoOptions.CLASSES.get(given).strip();
        List<LabeledImage> images = dataset.load(dataDir, classes);
        out.printf("Data: %s, %d images, %s%n", dataset.id(), images.size(), dataset.splitDescription(classes));

        wipe(workDir.resolve("kafka"));
        wipe(workDir.resolve("checkpoints"));
        Files.createDirectories(workDir);
        long started = System.nanoTime();
        try (LocalKafkaBroker broker = startBrokerIfNeeded(bindAddress, port, workDir)) {
            String bootstrap = broker != null ? broker.bootstrapServers() : givenBrokers();
            JobConfig config = jobConfig(bootstrap, workDir);
            out.printf(
                    "Kafka broker: %s (topics %s, %s, %s, %s, %s, %s, %s)%n",
                    bootstrap,
                    config.kafka().imagesTopic(),
                    config.kafka().embeddingsTopic(),
                    config.kafka().metricsTopic(),
                    config.kafka().modelVersionsTopic(),
                    config.kafka().promotionsTopic(),
                    config.kafka().promotionCommandsTopic(),
                    config.kafka().deadLettersTopic());
            TopicAdmin.ensureTopics(config.kafka().settings(), config.kafka().singleBrokerTopics(1));

            try (LocalCluster cluster = startJob(config, bindAddress, prometheusPort)) {
                out.printf(
                        "Flink job running on a local cluster (RocksDB state, checkpoints every %d ms)%n",
                        config.runtime().checkpointIntervalMs());
                if (prometheusPort != 0) {
                    out.printf(
                            "Flink metrics for Prometheus: http://%s:%d/ (docs/monitoring.md)%n",
                            bindAddress, prometheusPort);
                }
                List<Stage> stages = stages(
                        config,
                        images,
                        order,
                        new OrderParameters(seed, waveSize, OrderParameters.DEFAULT_ZIPF_EXPONENT),
                        rate);
                Thread producer = startProducer(config, stages, badEvents);
                long trainingImages = trainingImages(config, images);
                Watched watched = watchMetrics(config, cluster, started, maxSteps, trainingImages, maxMinutes);
                producer.interrupt();
                if (watched.failure() != null) {
                    err.println("diva-demo: the Flink job failed (it would restart from its last checkpoint; the demo"
                            + " stops instead and writes no results): "
                            + watched.failure().rootCause()
                            + " (the log has the whole trace)");
                    return 1;
                }
                cluster.cancel();
                Map<String, RetrievalScores> baselines =
                        dataset.photos() ? Map.of("pooled", pooled(config, images)) : Map.of();
                String combinedName = discriminativeOnly ? "discriminative-only" : DemoResults.COMBINED;
                String chart = DemoOptions.CHART.get(given).strip();
                if (!chart.isEmpty() && !watched.history().isEmpty()) {
                    PngChart.write(
                            watched.history(), DemoResults.COMBINED, XAxis.STEPS, false, 1000, 600, Path.of(chart));
                    out.printf("Chart of the run's metrics: %s%n", chart);
                }
                return finish(watched.last(), results, combinedName, baselines, maxMinutes, started, err);
            }
        }
    }

    /** What watching the metrics saw: the last record, and the job's failure if it failed. */
    private record Watched(MetricsRecord last, LocalCluster.Failure failure, RecallHistory history) {}

    /** The backbone's pooled features scored on the held-out images (every one published). */
    private RetrievalScores pooled(JobConfig config, List<LabeledImage> images) {
        Predicate<LabeledImage> heldOut = heldOut(config);
        List<LabeledImage> heldOutImages = images.stream().filter(heldOut).toList();
        out.printf("Scoring the backbone's pooled features on the %d held-out images...%n", heldOutImages.size());
        // the frozen mode's decoders compute the pooled features; in the finetune mode the same backbone, untrained
        SampleDecoding frozen = config.training().decoding() instanceof SampleDecoding.Features features
                ? features
                : new SampleDecoding.Features(
                        config.training().model().network().backbone(),
                        1,
                        StoredFeatures.Precision.HALF,
                        config.training().model().seed());
        RetrievalScores pooled = PooledBaseline.score(
                heldOutImages,
                frozen,
                config.input().limits().image(),
                config.metrics().evaluationConfig());
        out.printf(
                "Pooled features: recall@1 %.4f, NMI %.4f, MAP@R %.4f%n",
                pooled.recallAt1(), pooled.nmi(), pooled.mapAtR());
        return pooled;
    }

    private int finish(
            MetricsRecord last,
            Path results,
            String combinedName,
            Map<String, RetrievalScores> baselines,
            double maxMinutes,
            long started,
            PrintStream err)
            throws IOException {
        if (last == null) {
            err.println("diva-demo: no metrics record was published; see the log");
            return 1;
        }
        if (last.getTrainingStep() == 0) {
            err.printf(
                    "diva-demo: within %.1f minutes only the untrained model (version %d, step 0) was scored;"
                            + " no results written; see the log%n",
                    maxMinutes, last.getModelVersion());
            return 1;
        }
        DemoResults.write(DemoResults.toJson(last, combinedName, baselines), results);
        out.printf(
                "%nLast metrics: model version %d, step %d, %d held-out images: combined recall@1 %.4f,"
                        + " discriminative recall@1 %.4f%n",
                last.getModelVersion(),
                last.getTrainingStep(),
                last.getEvalImages(),
                DemoResults.recallAt1(last, "combined"),
                DemoResults.recallAt1(last, "discriminative"));
        out.printf("Wrote %s (%.1f minutes)%n", results.toAbsolutePath(), (System.nanoTime() - started) / 6e10);
        return 0;
    }

    private LocalKafkaBroker startBrokerIfNeeded(String host, int port, Path workDir) {
        if (!givenBrokers().isEmpty()) {
            return null;
        }
        return LocalKafkaBroker.start(LocalKafkaBroker.Config.defaults()
                .withHost(host)
                .withPort(port)
                .withLogDirectory(workDir.resolve("kafka")));
    }

    private String givenBrokers() {
        return given.get(KafkaOptions.BOOTSTRAP_SERVERS.configOption(), "").trim();
    }

    /** The job's configuration: the given options plus the demo's defaults, the brokers and checkpoint directory. */
    private JobConfig jobConfig(String brokers, Path workDir) {
        return JobOptions.fromConfiguration(
                DemoOptions.ALL.jobConfiguration(given, brokers, workDir.resolve("checkpoints")));
    }

    private static LocalCluster startJob(JobConfig config, String bindAddress, int prometheusPort) throws Exception {
        Configuration conf = DivaEnvironment.localCluster(
                DivaEnvironment.configuration(config.runtime()), bindAddress, prometheusPort);
        return LocalCluster.run(
                conf, config.runtime().parallelism(), DivaPipeline.kafkaJob(config, conf), "diva-stream-demo");
    }

    /** Images published in order at a rate (0: as fast as possible). */
    private record Stage(List<LabeledImage> images, double rate) {}

    /**
     * What the producer publishes: with the interleaved order every image interleaved at the demo's rate; with
     * another order the held-out images first, interleaved and at full speed (so every version is scored on all of
     * them), then the training images in that order at the demo's rate.
     */
    private List<Stage> stages(
            JobConfig config, List<LabeledImage> images, PublicationOrder order, OrderParameters arrival, double rate) {
        if (order == PublicationOrder.INTERLEAVED) {
            return List.of(new Stage(InterleavedOrder.of(images, arrival.seed()), rate));
        }
        Predicate<LabeledImage> heldOut = heldOut(config);
        List<LabeledImage> held = images.stream().filter(heldOut).toList();
        List<LabeledImage> training = images.stream().filter(heldOut.negate()).toList();
        return List.of(
                new Stage(InterleavedOrder.of(held, arrival.seed()), 0),
                new Stage(order.order(training, LabeledImage::label, arrival), rate));
    }

    private Thread startProducer(JobConfig config, List<Stage> stages, int badEvents) {
        long all = stages.stream().mapToLong(s -> s.images().size()).sum();
        Thread thread = new Thread(
                () -> {
                    try {
                        publishBadEvents(config.kafka(), badEvents);
                        long sent = 0;
                        for (Stage stage : stages) {
                            long before = sent;
                            try (ImageEventProducer producer = new ImageEventProducer(
                                    config.kafka().settings(), config.kafka().imagesTopic(), stage.rate())) {
                                sent += producer.publish(
                                        stage.images(), stage.images().size(), (n, total) -> {
                                            if ((before + n) % 1000 == 0 || n == total) {
                                                out.printf(
                                                        "  [producer] %d / %d image events published%n",
                                                        before + n, all);
                                            }
                                        });
                            }
                        }
                        out.printf("  [producer] done: %d image events and %d corrupt events%n", sent, badEvents);
                    } catch (RuntimeException e) {
                        if (!Thread.currentThread().isInterrupted()) {
                            System.err.println("diva-demo: producer failed: " + e.getMessage());
                        }
                    }
                },
                "image-event-producer");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** A few records the job must route to the dead-letter topic. */
    private static void publishBadEvents(JobConfig.KafkaConfig kafka, int count) {
        if (count == 0) {
            return;
        }
        Properties props = ImageEventProducer.producerConfig(kafka.settings());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < count; i++) {
                byte[] value = BadEvents.of(i);
                producer.send(new ProducerRecord<>(kafka.imagesTopic(), ("corrupt-" + i).getBytes(), value));
            }
            producer.flush();
        }
    }

    /** The images the job's route holds out for evaluation. */
    private static Predicate<LabeledImage> heldOut(JobConfig config) {
        Pattern route = Pattern.compile(config.routing().evalLabelRegex());
        return image -> route.matcher(image.label()).find();
    }

    /** The images the job trains on: those its route does not hold out. */
    private static long trainingImages(JobConfig config, List<LabeledImage> images) {
        return images.stream().filter(heldOut(config).negate()).count();
    }

    /**
     * Prints the metrics records until the first of a version at {@code maxSteps} or later whose trainer has seen
     * every training image (on a slow machine the trainer replays the first images for many steps before the
     * backbone has read the rest), or until {@code maxMinutes}.
     */
    private Watched watchMetrics(
            JobConfig config, LocalCluster cluster, long started, long maxSteps, long trainingImages, double maxMinutes)
            throws Exception {
        Properties props = config.kafka().settings().toProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "diva-demo-console");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        AvroCodec<MetricsRecord> codec = AvroCodec.of(MetricsRecord.class);
        MetricsRecord last = null;
        RecallHistory history = RecallHistory.empty();
        long deadline = started + (long) (maxMinutes * 60e9);
        out.println();
        out.println("Metrics on the " + "held-out classes, as read from "
                + config.kafka().metricsTopic() + " (combined embedding):");
        out.println(MetricsTable.header());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(config.kafka().metricsTopic()));
            while (System.nanoTime() < deadline) {
                Optional<LocalCluster.Failure> failure = cluster.failure();
                if (failure.isPresent()) {
                    return new Watched(last, failure.get(), history);
                }
                if (cluster.status().isGloballyTerminalState()) {
                    return new Watched(
                            last,
                            new LocalCluster.Failure(System.currentTimeMillis(), "the job ended: " + cluster.status()),
                            history);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    MetricsRecord metrics = codec.decode(record.value());
                    last = metrics;
                    history = history.with(metrics);
                    out.println(MetricsTable.row(metrics, (System.nanoTime() - started) / 1e9));
                }
                if (last != null
                        && maxSteps > 0
                        && last.getTrainingStep() >= maxSteps
                        && last.getImagesSeen() >= trainingImages) {
                    break;
                }
            }
        }
        return new Watched(last, null, history);
    }

    private static void wipe(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
