package io.divastream.jobs.config;

import io.divastream.connectors.events.EventLimits;
import io.divastream.connectors.kafka.KafkaTopics;
import io.divastream.jobs.metrics.EvaluationMode;
import io.divastream.jobs.metrics.MetricsProtocol;
import io.divastream.model.DeviceSelection;
import io.divastream.model.DivaHead;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.KeyBatchNormStatistics;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.ObjectiveSpec;
import io.divastream.model.miner.SharedMining;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.augment.AugmentationSpec;
import io.divastream.images.ImageLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of the DiVA stream job, their defaults (the Omniglot settings) and their parsing
 * into a {@link JobConfig}.
 */
public final class JobOptions {

    /** Labels of the Omniglot alphabets held out for evaluation (the zero-shot split). */
    public static final String OMNIGLOT_EVAL_LABELS = "^(Greek|Latin|Early_Aramaic|Tagalog)/";

    /** Every option of the job. */
    public static final List<Option> OPTIONS =
            List.of(
                    new Option("kafka.bootstrap-servers", null, "Kafka brokers, host:port[,host:port]"),
                    new Option("kafka.group-id", "diva-stream", "consumer group of the image source"),
                    new Option("kafka.exactly-once", "true", "transactional (exactly-once) output sinks"),
                    new Option("kafka.transactional-id-prefix", "diva-stream", "prefix of the sinks' transactional ids"),
                    new Option("topic.images", KafkaTopics.IMAGES, "input topic of image events"),
                    new Option("topic.embeddings", KafkaTopics.EMBEDDINGS, "output topic of embeddings (compacted)"),
                    new Option("topic.metrics", KafkaTopics.METRICS, "output topic of metrics records"),
                    new Option("topic.model-versions", KafkaTopics.MODEL_VERSIONS, "output topic of model versions"),
                    new Option("topic.dead-letters", KafkaTopics.DEAD_LETTERS, "topic of rejected input records"),
                    new Option("route.eval-labels", OMNIGLOT_EVAL_LABELS, "regex: matching labels are held out for evaluation"),
                    new Option("route.label-ttl", "0", "how long the first label of an image id is remembered; meanwhile an event of the id with another label goes to the dead-letter topic (LABEL_CHANGED), so trained pixels never enter the held-out set (e.g. 30d; 0: for ever)"),
                    new Option("limits.image-id-chars", String.valueOf(EventLimits.DEFAULT_IMAGE_ID_CHARS), "longest image id in characters; a longer one goes to the dead-letter topic (IMAGE_ID_TOO_LONG)"),
                    new Option("limits.label-chars", String.valueOf(EventLimits.DEFAULT_LABEL_CHARS), "longest label in characters; a longer one goes to the dead-letter topic (LABEL_TOO_LONG)"),
                    new Option("limits.image-bytes", String.valueOf(ImageLimits.DEFAULT_ENCODED_BYTES), "largest encoded image in bytes; a larger one goes to the dead-letter topic (INVALID_IMAGE)"),
                    new Option("limits.image-pixels", String.valueOf(ImageLimits.DEFAULT_PIXELS), "largest width x height an image header may declare, checked before decoding (INVALID_IMAGE)"),
                    new Option("limits.decoded-bytes", String.valueOf(ImageLimits.DEFAULT_DECODED_BYTES), "largest width x height x channels x bytes per sample an image header may declare, checked before decoding (INVALID_IMAGE)"),
                    new Option("image.size", "28", "side of the square model input in pixels (set by model.preset)"),
                    new Option("batch.classes", "28", "P: classes per batch"),
                    new Option("batch.images-per-class", "4", "K: images per class in a batch"),
                    new Option("batch.buffer-per-class", "32", "bounded per-class buffer of recent images"),
                    new Option("batch.new-images", "16", "emit a batch once this many new images arrived"),
                    new Option("batch.replay-interval-ms", "20", "otherwise emit a batch from the buffers this often (0: never; batches then depend on the input only)"),
                    new Option("batch.max-classes", "100000", "classes a batch-assembly subtask buffers; a new class beyond evicts the least recently updated one"),
                    new Option("model.preset", ModelPreset.OMNIGLOT_CONV4.id(), "model preset: omniglot-conv4 or omniglot-conv4-wide (sets image.size, model.channels, model.embedding-dim; explicit keys win)"),
                    new Option("model.heads", "discriminative,selfsim,shared,intra", "enabled heads, discriminative first"),
                    new Option("model.channels", "64,64,64,64", "channels of the backbone's conv blocks (set by model.preset)"),
                    new Option("model.embedding-dim", "128", "dimension of each head (set by model.preset)"),
                    new Option("model.seed", "0", "seed of initialisation, miners and augmentation"),
                    new Option("train.device", "auto", "device of the trainer: auto (the first GPU if DJL sees one, else the CPU), cpu, or gpu (fail if none is usable)"),
                    new Option("train.engine-flavour", DeviceSelection.ANY_FLAVOUR, "PyTorch native flavour the trainer expects: auto (whatever is loaded), cpu, or cu128 (CUDA 12.8, the only CUDA build DJL has for PyTorch 2.7.1; PYTORCH_FLAVOR)"),
                    new Option("train.learning-rate", "1e-3", "Adam learning rate of backbone and heads"),
                    new Option("train.weight-decay", "4e-4", "L2 weight decay of backbone and heads"),
                    new Option("train.beta-learning-rate", "5e-4", "learning rate of the margin betas"),
                    new Option("train.decorrelation-learning-rate", "1e-3", "learning rate of the decorrelation regressors"),
                    new Option("train.lr-decay-steps", "", "steps at which all learning rates are multiplied by the decay gamma"),
                    new Option("train.lr-decay-gamma", "0.2", "learning-rate multiplier at each decay step"),
                    new Option("train.margin", "0.2", "margin gamma of the margin losses"),
                    new Option("train.beta-init", "1.2", "initial class boundary beta"),
                    new Option("train.alpha-selfsim", "0.3", "weight of the DaNCE loss"),
                    new Option("train.alpha-shared", "0.3", "weight of the class-shared loss"),
                    new Option("train.alpha-intra", "0.3", "weight of the intra-class loss"),
                    new Option("train.rho", "1500", "weight of each decorrelation pair"),
                    new Option("train.temperature", "0.01", "DaNCE temperature"),
                    new Option("train.dance-fixed", "false", "row-normalised DaNCE weights (--diva_fixed)"),
                    new Option("train.decorrelation", "true", "adversarial decorrelation of the heads"),
                    new Option("train.shared-mining", "random", "class-shared miner: random (published), standard or full"),
                    new Option("train.exclude-degenerate-intra", "false", "redraw the intra miner's degenerate triplets"),
                    new Option("train.momentum", "0.9", "momentum of the key encoder"),
                    new Option("train.queue-size", "1024", "DaNCE queue length"),
                    new Option("train.queue-init-batches", "auto", "the first n batches only fill the DaNCE queue (the key encoder's embeddings of one view), training starts after them (auto: the queue's batch count, ceil(train.queue-size / batch size), as published; 0: off, the queue fills during training)"),
                    new Option("train.key-bn-stats", "initial", "BatchNorm running statistics of the key encoder: initial (published: never updated) or ema (averaged with the query network's like the parameters)"),
                    new Option("train.augment", "true", "random affine augmentation of training views"),
                    new Option("train.steps-per-version", "250", "publish a model version every n steps"),
                    new Option("train.max-consecutive-failures", "20", "fail after this many diverged steps in a row"),
                    new Option("train.intra-op-threads", "0", "libtorch intra-op threads of the trainer (0: every processor of its task manager)"),
                    new Option("embed.head-weights", "1,1,1,1", "weights of the heads in the combined embedding"),
                    new Option("embedding.reembed-rate", "1000", "stored images re-embedded per second and subtask after a model update"),
                    new Option("embedding.reembed-chunk", "64", "images re-embedded together in one step of the rate"),
                    new Option("embedding.catalogue-ttl", "0", "drop a training image not received again for this long (e.g. 90s, 30m, 24h; 0: never)"),
                    new Option("embedding.max-images-per-subtask", "100000", "images an embedder subtask stores; new ones beyond go to the dead-letter topic"),
                    new Option("embedding.intra-op-threads", "1", "libtorch intra-op threads of each embedder subtask (0: every processor; one keeps its short forward passes from competing with the trainer's threads)"),
                    new Option("metrics.every-versions", "1", "score every n-th model version"),
                    new Option("metrics.min-eval-images", "100", "score a version only once this many evaluation images arrived"),
                    new Option("metrics.mode", "leave-one-out", "held-out scoring: leave-one-out (every image against all others) or query-gallery (a hashed share of the images are queries against the rest)"),
                    new Option("metrics.query-fraction", "0.5", "query-gallery mode: share of held-out images that are queries (by a hash of the image id)"),
                    new Option("metrics.recall-ks", "1,2,4,8", "k of the reported Recall@k list (ascending)"),
                    new Option("metrics.seen-sample-per-class", "4", "training images per seen class scored each version (seen-class recall; 0: off; off by default with a catalogue TTL)"),
                    new Option("metrics.seen-max-images", "400", "at most this many sampled training images (classes with the smallest label hash first)"),
                    new Option("metrics.intra-op-threads", "1", "libtorch intra-op threads of the metrics scorer (0: every processor)"),
                    new Option("export.dir", "", "write every published model version as an artefact (parameters.bin + manifest.json) to <dir>/v<version>-<first 12 hex of its SHA-256>/, for the search service; an absolute path on storage shared by all task managers and the readers (empty: off)"),
                    new Option("export.keep", "5", "artefact directories kept in export.dir; older ones are deleted (never the one just written)"),
                    new Option("parallelism", "1", "default operator parallelism (the trainer and the metrics scorer always have 1)"),
                    new Option("source.parallelism", "0", "Kafka source and decoder subtasks, at most the images topic's partitions (0: --parallelism)"),
                    new Option("embedding.parallelism", "0", "embedder subtasks, each with its own model copy (0: --parallelism)"),
                    new Option("checkpoint.interval-ms", "10000", "checkpoint interval"),
                    new Option("checkpoint.dir", "", "checkpoint storage URI (empty: Flink's default)"),
                    new Option("checkpoint.mode", "exactly-once", "checkpointing mode: exactly-once or at-least-once"),
                    new Option("checkpoint.unaligned", "true", "let a checkpoint whose barriers do not align in time continue unaligned (exactly-once only)"),
                    new Option("checkpoint.aligned-timeout-ms", "0", "alignment time before a checkpoint goes unaligned (0: unaligned from the start)"),
                    new Option("checkpoint.timeout-ms", "600000", "abort a checkpoint not complete after this long"),
                    new Option("checkpoint.min-pause-ms", "1000", "least pause between checkpoints (by default at most half the interval)"),
                    new Option("state.rocksdb", "true", "keep keyed state in RocksDB"));

    private JobOptions() {}

    /**
     * Parses and validates the job's arguments.
     *
     * @param args the command line
     * @return the configuration
     * @throws ConfigException with a one-line message on any error
     */
    public static JobConfig parse(String[] args) {
        // --config FILE reads the same keys from a file; command-line options win.
        return fromArguments(Arguments.parse(args, OPTIONS));
    }

    /**
     * Builds the configuration from parsed arguments (which may declare more options than these).
     *
     * @param a the arguments
     * @return the configuration
     */
    public static JobConfig fromArguments(Arguments given) {
        Arguments a = given.withDefaults(ModelPreset.parse(given.string("model.preset")).settings());
        JobConfig.KafkaConfig kafka =
                new JobConfig.KafkaConfig(
                        Validation.bootstrapServers(a, "kafka.bootstrap-servers"),
                        nonBlank(a, "kafka.group-id"),
                        Validation.topic(a, "topic.images"),
                        Validation.topic(a, "topic.embeddings"),
                        Validation.topic(a, "topic.metrics"),
                        Validation.topic(a, "topic.model-versions"),
                        Validation.topic(a, "topic.dead-letters"),
                        a.bool("kafka.exactly-once"),
                        Validation.transactionalIdPrefix(a, "kafka.transactional-id-prefix"));
        Validation.distinctTopics(a, List.of(
                "topic.images", "topic.embeddings", "topic.metrics", "topic.model-versions", "topic.dead-letters"));
        a.pattern("route.eval-labels");
        JobConfig.RoutingConfig routing = new JobConfig.RoutingConfig(a.string("route.eval-labels"));
        JobConfig.BatchingConfig batching =
                new JobConfig.BatchingConfig(
                        a.integer("batch.classes", 2, 4096),
                        a.integer("batch.images-per-class", 2, 1024),
                        a.integer("batch.buffer-per-class", 2, 100_000),
                        a.integer("batch.new-images", 1, 1_000_000),
                        a.longValue("batch.replay-interval-ms", 0, 3_600_000),
                        a.integer("batch.max-classes", 1, 100_000_000));
        if (batching.bufferPerClass() < batching.imagesPerClass()) {
            throw new ConfigException(
                    "option --batch.buffer-per-class ("
                            + batching.bufferPerClass()
                            + ") must be at least --batch.images-per-class ("
                            + batching.imagesPerClass()
                            + ")");
        }
        if (batching.maxClasses() < batching.classesPerBatch()) {
            throw new ConfigException(
                    "option --batch.max-classes ("
                            + batching.maxClasses()
                            + ") must be at least --batch.classes ("
                            + batching.classesPerBatch()
                            + ")");
        }
        DivaConfig model = model(a, batching);
        AugmentationSpec augmentation =
                a.bool("train.augment") ? AugmentationSpec.omniglotDefault() : AugmentationSpec.none();
        JobConfig.TrainingConfig training =
                new JobConfig.TrainingConfig(
                        model,
                        augmentation,
                        a.integer("train.steps-per-version", 1, 10_000_000),
                        a.integer("train.max-consecutive-failures", 1, 1_000_000),
                        Validation.device(a, "train.device"),
                        Validation.flavour(a, "train.engine-flavour"),
                        queueInitBatches(a, model, batching));
        double[] weights = headWeights(a, model.network().heads().size());
        JobConfig.EmbeddingConfig embedding =
                new JobConfig.EmbeddingConfig(
                        weights,
                        new JobConfig.CatalogueConfig(
                                a.number("embedding.reembed-rate", 0.001, 1e9),
                                a.integer("embedding.reembed-chunk", 1, 100_000),
                                durationMs(a, "embedding.catalogue-ttl"),
                                a.integer("embedding.max-images-per-subtask", 1, 100_000_000)));
        MetricsProtocol metrics = metrics(a, model.seed(), embedding.catalogue().ttlMs() > 0);
        long interval = a.longValue("checkpoint.interval-ms", 100, 86_400_000);
        JobConfig.RuntimeConfig runtime =
                new JobConfig.RuntimeConfig(
                        a.integer("parallelism", 1, 1024),
                        interval,
                        Validation.checkpointDirectory(a, "checkpoint.dir"),
                        a.bool("state.rocksdb"),
                        checkpointPolicy(a, interval, kafka.exactlyOnce()),
                        a.integer("source.parallelism", 0, 1024),
                        a.integer("embedding.parallelism", 0, 1024),
                        new JobConfig.IntraOpThreads(
                                a.integer("train.intra-op-threads", 0, 4096),
                                a.integer("embedding.intra-op-threads", 0, 4096),
                                a.integer("metrics.intra-op-threads", 0, 4096)));
        JobConfig.ExportConfig export = new JobConfig.ExportConfig(
                Validation.exportDirectory(a, "export.dir"), a.integer("export.keep", 1, 1_000_000));
        long pixels = a.longValue("limits.image-pixels", 64, 1L << 40);
        long decodedBytes = a.longValue("limits.decoded-bytes", 64, 1L << 42);
        if (decodedBytes < pixels) {
            throw new ConfigException("option --limits.decoded-bytes (" + decodedBytes
                    + ") must be at least --limits.image-pixels (" + pixels + "): every pixel takes a byte at least");
        }
        JobConfig.InputConfig input = new JobConfig.InputConfig(
                new EventLimits(
                        a.integer("limits.image-id-chars", 1, 1_000_000),
                        a.integer("limits.label-chars", 1, 1_000_000),
                        new ImageLimits(a.longValue("limits.image-bytes", 1, Integer.MAX_VALUE), pixels, decodedBytes)),
                durationMs(a, "route.label-ttl"));
        return new JobConfig(kafka, routing, batching, training, embedding, metrics, runtime, export, input);
    }

    /** Where the documented configuration file lives, relative to the repository root. */
    public static final String CONFIG_FILE = "config/diva-stream.properties";

    /**
     * Renders the documented configuration file: every option, commented out at its default, under
     * its description. {@code config/diva-stream.properties} is this text (a test keeps them equal).
     *
     * @return the file's text
     */
    public static String configFileTemplate() {
        StringBuilder text = new StringBuilder();
        text.append("# DiVA Stream configuration: every option of the job, for DivaStreamJob (a cluster) and LocalDemo\n")
                .append("# (the embedded runner; its own demo.* options stay on its command line).\n")
                .append("#\n")
                .append("#   --config ").append(CONFIG_FILE).append("   (options given on the command line win over the file)\n")
                .append("#\n")
                .append("# One 'key = value' per line; keys are the option names; values are literal (no escapes, so a\n")
                .append("# regular expression is written as on the command line). Every option below is commented out\n")
                .append("# at its default: uncomment a line to change it. Unknown keys, bad values and contradictions\n")
                .append("# stop the job at start-up with a one-line message naming the key. model.preset sets\n")
                .append("# image.size, model.channels and model.embedding-dim; a key set here wins over the preset.\n")
                .append("# Generated from JobOptions.OPTIONS (JobOptionsFileTest fails when the two differ).\n");
        String section = "";
        for (Option option : OPTIONS) {
            String prefix = option.key().contains(".") ? option.key().substring(0, option.key().indexOf('.')) : option.key();
            if (!prefix.equals(section)) {
                text.append("\n## ").append(prefix).append("\n");
                section = prefix;
            }
            text.append("\n# ").append(option.description())
                    .append(option.defaultValue() == null ? " (required)" : "").append("\n")
                    .append("# ").append(option.key()).append(" =");
            if (option.defaultValue() != null && !option.defaultValue().isEmpty()) {
                text.append(" ").append(option.defaultValue());
            }
            text.append("\n");
        }
        return text.toString();
    }

    private static MetricsProtocol metrics(Arguments a, long seed, boolean catalogueTtl) {
        EvaluationMode mode;
        try {
            mode = EvaluationMode.parse(a.string("metrics.mode"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("option --metrics.mode: " + e.getMessage());
        }
        double queryFraction = a.number("metrics.query-fraction", 0, 1);
        if (!(queryFraction > 0 && queryFraction < 1)) {
            throw new ConfigException("option --metrics.query-fraction must be strictly between 0 and 1, got " + queryFraction);
        }
        List<Integer> ks = new ArrayList<>();
        for (String item : a.list("metrics.recall-ks")) {
            int k;
            try {
                k = Integer.parseInt(item);
            } catch (NumberFormatException e) {
                throw new ConfigException("option --metrics.recall-ks must list integers, got '" + item + "'");
            }
            if (k < 1 || (!ks.isEmpty() && k <= ks.get(ks.size() - 1))) {
                throw new ConfigException(
                        "option --metrics.recall-ks must list ascending, distinct k >= 1, got '" + a.string("metrics.recall-ks") + "'");
            }
            ks.add(k);
        }
        if (ks.isEmpty()) {
            throw new ConfigException("option --metrics.recall-ks must not be empty");
        }
        // an expired training image is no longer re-embedded, so a sampled one would hold back every version
        int perClass = catalogueTtl && !a.has("metrics.seen-sample-per-class")
                ? 0
                : a.integer("metrics.seen-sample-per-class", 0, 1_000_000);
        if (perClass == 1) {
            throw new ConfigException(
                    "option --metrics.seen-sample-per-class must be 0 (off) or at least 2 (retrieval needs two images of a class), got 1");
        }
        if (perClass > 0 && catalogueTtl) {
            throw new ConfigException(
                    "option --metrics.seen-sample-per-class needs --embedding.catalogue-ttl 0: an expired sampled training"
                            + " image is never re-embedded and would hold back the scoring of every version");
        }
        int maxImages = a.integer("metrics.seen-max-images", 2, 100_000_000);
        if (perClass > maxImages) {
            throw new ConfigException(
                    "option --metrics.seen-max-images (" + maxImages + ") must be at least --metrics.seen-sample-per-class ("
                            + perClass + ")");
        }
        return new MetricsProtocol(
                a.integer("metrics.every-versions", 1, 1_000_000),
                a.integer("metrics.min-eval-images", 2, 100_000_000),
                mode,
                queryFraction,
                ks,
                perClass,
                maxImages,
                seed);
    }

    private static JobConfig.CheckpointPolicy checkpointPolicy(Arguments a, long interval, boolean exactlyOnceSinks) {
        String mode = a.string("checkpoint.mode").trim();
        boolean exactlyOnce =
                switch (mode) {
                    case "exactly-once" -> true;
                    case "at-least-once" -> false;
                    default -> throw new ConfigException(
                            "option --checkpoint.mode must be exactly-once or at-least-once, got '" + mode + "'");
                };
        if (!exactlyOnce && exactlyOnceSinks) {
            throw new ConfigException(
                    "option --checkpoint.mode at-least-once needs --kafka.exactly-once false (transactional sinks"
                            + " commit on exactly-once checkpoints)");
        }
        boolean unaligned = a.bool("checkpoint.unaligned");
        if (unaligned && !exactlyOnce) {
            throw new ConfigException(
                    "option --checkpoint.unaligned true needs --checkpoint.mode exactly-once; set it to false");
        }
        long minPause = a.has("checkpoint.min-pause-ms")
                ? a.longValue("checkpoint.min-pause-ms", 0, 86_400_000)
                : Math.min(a.longValue("checkpoint.min-pause-ms", 0, 86_400_000), interval / 2);
        return new JobConfig.CheckpointPolicy(
                exactlyOnce,
                unaligned,
                a.longValue("checkpoint.aligned-timeout-ms", 0, 3_600_000),
                a.longValue("checkpoint.timeout-ms", 1_000, 86_400_000),
                minPause);
    }

    private static DivaConfig model(Arguments a, JobConfig.BatchingConfig batching) {
        List<DivaHead> heads = new ArrayList<>();
        for (String name : a.list("model.heads")) {
            try {
                heads.add(DivaHead.parse(name));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("option --model.heads: " + e.getMessage());
            }
        }
        List<Integer> channels = new ArrayList<>();
        for (String c : a.list("model.channels")) {
            try {
                channels.add(Integer.parseInt(c));
            } catch (NumberFormatException e) {
                throw new ConfigException("option --model.channels must list integers, got '" + c + "'");
            }
        }
        try {
            return new DivaConfig(
                    new NetworkSpec(
                            a.integer("image.size", 8, 1024),
                            channels,
                            a.integer("model.embedding-dim", 4, 4096),
                            heads,
                            512),
                    new LossSpec(
                            a.number("train.margin", 0, 10),
                            a.number("train.beta-init", 0, 10),
                            0.5,
                            a.number("train.alpha-selfsim", 0, 1000),
                            a.number("train.alpha-shared", 0, 1000),
                            a.number("train.alpha-intra", 0, 1000),
                            a.number("train.rho", 0, 1e9),
                            a.number("train.temperature", 1e-6, 100),
                            1.4,
                            a.bool("train.dance-fixed")),
                    new OptimizerSpec(
                            a.number("train.learning-rate", 1e-12, 10),
                            a.number("train.weight-decay", 0, 10),
                            a.number("train.beta-learning-rate", 0, 10),
                            a.number("train.decorrelation-learning-rate", 0, 10),
                            decaySteps(a),
                            a.number("train.lr-decay-gamma", 1e-9, 1)),
                    new MomentumSpec(
                            a.number("train.momentum", 0, 0.999999),
                            Math.max(a.integer("train.queue-size", 1, 10_000_000), 1),
                            keyBatchNormStatistics(a)),
                    (a.bool("train.decorrelation") ? ObjectiveSpec.published() : ObjectiveSpec.withoutDecorrelation())
                            .withSharedMining(SharedMining.parse(a.string("train.shared-mining")))
                            .withExcludeDegenerateIntra(a.bool("train.exclude-degenerate-intra")),
                    a.longValue("model.seed", Long.MIN_VALUE, Long.MAX_VALUE));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid model configuration: " + e.getMessage());
        }
    }

    private static KeyBatchNormStatistics keyBatchNormStatistics(Arguments a) {
        try {
            return KeyBatchNormStatistics.parse(a.string("train.key-bn-stats"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("option --train.key-bn-stats: " + e.getMessage());
        }
    }

    /**
     * The batches that fill the DaNCE queue before training: {@code auto} is the queue's batch count
     * (the original's n_key_batches, rounded up so the queue is full), 0 without the selfsim head.
     */
    private static int queueInitBatches(Arguments a, DivaConfig model, JobConfig.BatchingConfig batching) {
        boolean selfsim = model.network().has(DivaHead.SELFSIM);
        String raw = a.string("train.queue-init-batches").trim();
        if (raw.equalsIgnoreCase("auto")) {
            int queue = model.momentum().queueSize();
            int batch = batching.batchSize();
            return selfsim ? (queue + batch - 1) / batch : 0;
        }
        if (!raw.matches("\\d{1,8}")) {
            throw new ConfigException(
                    "option --train.queue-init-batches must be auto or a number of batches (0 or more), got '" + raw + "'");
        }
        int batches = a.integer("train.queue-init-batches", 0, 10_000_000);
        if (batches > 0 && !selfsim) {
            throw new ConfigException("option --train.queue-init-batches (" + batches
                    + ") needs the selfsim head in --model.heads (there is no DaNCE queue to fill); set it to 0 or auto");
        }
        return batches;
    }

    private static List<Long> decaySteps(Arguments a) {
        List<Long> steps = new ArrayList<>();
        for (String item : a.list("train.lr-decay-steps")) {
            try {
                steps.add(Long.parseLong(item));
            } catch (NumberFormatException e) {
                throw new ConfigException("option --train.lr-decay-steps must list step numbers, got '" + item + "'");
            }
        }
        return steps;
    }

    private static double[] headWeights(Arguments a, int heads) {
        List<String> items = a.list("embed.head-weights");
        double[] weights = new double[heads];
        // The default lists four weights, of which fewer heads use the first; given weights must match.
        if (items.size() < heads || (a.has("embed.head-weights") && items.size() != heads)) {
            throw new ConfigException(
                    "option --embed.head-weights needs one weight per head (" + heads + "), got " + items);
        }
        for (int i = 0; i < heads; i++) {
            try {
                weights[i] = Double.parseDouble(items.get(i));
            } catch (NumberFormatException e) {
                throw new ConfigException("option --embed.head-weights must list numbers, got '" + items.get(i) + "'");
            }
            if (!(weights[i] >= 0)) {
                throw new ConfigException("option --embed.head-weights must not be negative");
            }
            if (Double.isInfinite(weights[i])) {
                throw new ConfigException("option --embed.head-weights must be finite, got " + items.get(i));
            }
        }
        if (java.util.Arrays.stream(weights).allMatch(w -> w == 0)) {
            throw new ConfigException("option --embed.head-weights must not all be zero");
        }
        return weights;
    }

    /** A duration such as {@code 250ms}, {@code 90s}, {@code 30m}, {@code 24h} or {@code 7d}; a bare 0 is zero. */
    static long durationMs(Arguments a, String key) {
        String raw = a.string(key).trim();
        if (raw.equals("0")) {
            return 0;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(raw);
        if (!m.matches()) {
            throw new ConfigException(
                    "option --" + key + " must be a duration such as 90s, 30m, 24h or 7d (or 0), got '" + raw + "'");
        }
        long unit =
                switch (m.group(2)) {
                    case "ms" -> 1L;
                    case "s" -> 1_000L;
                    case "m" -> 60_000L;
                    case "h" -> 3_600_000L;
                    default -> 86_400_000L;
                };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ConfigException("option --" + key + " is too long: '" + raw + "'");
        }
    }

    private static String nonBlank(Arguments a, String key) {
        String value = a.string(key).trim();
        if (value.isEmpty()) {
            throw new ConfigException("option --" + key + " must not be empty");
        }
        return value;
    }
}
