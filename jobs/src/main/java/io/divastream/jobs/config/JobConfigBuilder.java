package io.divastream.jobs.config;

import static io.divastream.jobs.config.TrainOptions.QUEUE_INIT_BATCHES;

import io.divastream.connectors.events.EventLimits;
import io.divastream.images.ImageLimits;
import io.divastream.images.ImageSpec;
import io.divastream.jobs.decode.SampleDecoding;
import io.divastream.jobs.metrics.MetricsProtocol;
import io.divastream.jobs.metrics.PromotionPolicy;
import io.divastream.model.DivaHead;
import io.divastream.model.augment.AugmentationSpec;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.ObjectiveSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.InputSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/**
 * The one place that turns the job's options into a {@link JobConfig}: each value is read from its typed
 * option (which checks it), and the rules between options are checked here, each failing with a one-line
 * {@link ConfigException} that names the options.
 */
public final class JobConfigBuilder {

    private final Configuration conf;

    private JobConfigBuilder(Configuration conf) {
        this.conf = conf;
    }

    /**
     * Builds the job's configuration.
     *
     * @param given the options given (others take their defaults; a model preset fills the network's options
     *     not given)
     * @return the configuration
     * @throws ConfigException naming the option(s) on any error
     */
    public static JobConfig build(Configuration given) {
        Configuration conf = new Configuration(given);
        ModelPreset preset = ModelOptions.PRESET.get(conf);
        preset.applyTo(conf);
        return new JobConfigBuilder(conf).build();
    }

    private JobConfig build() {
        JobConfig.KafkaConfig kafka = new JobConfig.KafkaConfig(
                get(KafkaOptions.BOOTSTRAP_SERVERS),
                KafkaOptions.clientProperties(conf),
                get(KafkaOptions.GROUP_ID),
                get(TopicOptions.IMAGES),
                get(TopicOptions.EMBEDDINGS),
                get(TopicOptions.METRICS),
                get(TopicOptions.MODEL_VERSIONS),
                get(TopicOptions.PROMOTIONS),
                get(TopicOptions.PROMOTION_COMMANDS),
                get(TopicOptions.DEAD_LETTERS),
                get(KafkaOptions.EXACTLY_ONCE),
                get(KafkaOptions.TRANSACTIONAL_ID_PREFIX),
                SerdeOptions.format(conf));
        Validation.distinctTopics(conf, TopicOptions.ALL);
        JobConfig.BatchingConfig batching = batching();
        ModelPreset preset = get(ModelOptions.PRESET);
        BackboneSpec photoBackbone = preset.photo() ? photoBackbone(preset) : null;
        boolean finetune = get(TrainOptions.MODE).equals("finetune");
        if (finetune && photoBackbone == null) {
            throw new ConfigException("option --" + TrainOptions.MODE.key() + " finetune is for the photo presets: --"
                    + ModelOptions.PRESET.key() + " " + preset.id() + " trains its whole network already");
        }
        if (!finetune && photoBackbone instanceof BackboneSpec.ResNet) {
            throw new ConfigException("option --" + TrainOptions.MODE.key() + " frozen is not for --"
                    + ModelOptions.PRESET.key() + " " + preset.id() + ", which trains the whole network (GPU hosts);"
                    + " for a frozen ResNet-50 give its TorchScript module to --" + ModelOptions.PRESET.key()
                    + " " + ModelPreset.PHOTO_TORCHSCRIPT.id());
        }
        DivaConfig model = model(photoBackbone, finetune);
        JobConfig.TrainingConfig training = new JobConfig.TrainingConfig(
                model,
                get(TrainOptions.AUGMENT) ? AugmentationSpec.omniglotDefault() : AugmentationSpec.none(),
                get(TrainOptions.STEPS_PER_VERSION),
                get(TrainOptions.MAX_CONSECUTIVE_FAILURES),
                get(TrainOptions.DEVICE),
                get(TrainOptions.ENGINE_FLAVOUR),
                queueInitBatches(model, batching),
                photoBackbone == null
                        ? new SampleDecoding.Glyphs(
                                new ImageSpec(model.network().inputSize(), true))
                        : finetune
                                ? new SampleDecoding.Photos()
                                : new SampleDecoding.Features(
                                        photoBackbone,
                                        get(TrainOptions.FEATURE_VIEWS),
                                        get(RuntimeOptions.FEATURE_PRECISION),
                                        model.seed(),
                                        get(EmbeddingOptions.INTRA_OP_THREADS)));
        JobConfig.EmbeddingConfig embedding = new JobConfig.EmbeddingConfig(
                headWeights(model.network().heads().size()),
                new JobConfig.CatalogueConfig(
                        get(EmbeddingOptions.REEMBED_RATE),
                        get(EmbeddingOptions.REEMBED_CHUNK),
                        get(EmbeddingOptions.CATALOGUE_TTL).toMillis(),
                        get(EmbeddingOptions.MAX_IMAGES_PER_SUBTASK)));
        MetricsProtocol metrics = metrics(model.seed(), embedding.catalogue().ttlMs() > 0);
        return new JobConfig(
                kafka,
                new JobConfig.RoutingConfig(get(RouteOptions.EVAL_LABELS)),
                batching,
                training,
                embedding,
                metrics,
                runtime(kafka.exactlyOnce()),
                export(),
                input());
    }

    private <T> T get(DivaOption<T> option) {
        return option.get(conf);
    }

    private JobConfig.BatchingConfig batching() {
        JobConfig.BatchingConfig batching = new JobConfig.BatchingConfig(
                get(BatchOptions.CLASSES),
                get(BatchOptions.IMAGES_PER_CLASS),
                get(BatchOptions.BUFFER_PER_CLASS),
                get(BatchOptions.NEW_IMAGES),
                get(BatchOptions.REPLAY_INTERVAL_MS),
                get(BatchOptions.MAX_CLASSES),
                get(BatchOptions.REPLAY_MEMORY),
                get(BatchOptions.REPLAY_SHARE));
        atLeast(
                BatchOptions.BUFFER_PER_CLASS,
                batching.bufferPerClass(),
                BatchOptions.IMAGES_PER_CLASS,
                batching.imagesPerClass(),
                "");
        atLeast(BatchOptions.MAX_CLASSES, batching.maxClasses(), BatchOptions.CLASSES, batching.classesPerBatch(), "");
        return batching;
    }

    /**
     * The backbone of a photo preset (frozen, or trained whole with --train.mode finetune): the file of
     * --model.backbone-file, which must exist: torchvision's ResNet-50 weights for the built-in ResNet-50 with frozen
     * BatchNorm, else a TorchScript module with the input and output the model.backbone-* options describe (checked
     * by one forward pass when the job starts, {@code BackboneProbe}).
     */
    private BackboneSpec photoBackbone(ModelPreset preset) {
        boolean resnet = preset == ModelPreset.PHOTO_RESNET50;
        String file = get(ModelOptions.BACKBONE_FILE);
        if (file.isEmpty()) {
            throw new ConfigException("option --" + ModelOptions.BACKBONE_FILE.key() + " is required by --"
                    + ModelOptions.PRESET.key() + " " + preset.id() + ": "
                    + (resnet
                            ? "torchvision's ImageNet ResNet-50 weights (a state_dict saved by torch.save, or a"
                                    + " traced module)"
                            : "the TorchScript file of the frozen backbone"));
        }
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("option --" + ModelOptions.BACKBONE_FILE.key() + ": no such file '" + file + "'");
        }
        if (resnet) {
            return new BackboneSpec.ResNet(50, true, path.toAbsolutePath().toString());
        }
        int featureDim = get(ModelOptions.BACKBONE_FEATURE_DIM);
        if (featureDim == 0) {
            throw new ConfigException("option --" + ModelOptions.BACKBONE_FEATURE_DIM.key() + " is required by --"
                    + ModelOptions.PRESET.key() + " " + get(ModelOptions.PRESET).id()
                    + ": the width of the backbone's output per image");
        }
        atLeast(
                ModelOptions.BACKBONE_RESIZE,
                get(ModelOptions.BACKBONE_RESIZE),
                ModelOptions.BACKBONE_INPUT_SIZE,
                get(ModelOptions.BACKBONE_INPUT_SIZE),
                "");
        float[] mean = rgb(ModelOptions.BACKBONE_MEAN);
        float[] std = rgb(ModelOptions.BACKBONE_STD);
        for (float v : std) {
            if (!(v > 0)) {
                throw new ConfigException("option --" + ModelOptions.BACKBONE_STD.key() + " must be positive, got "
                        + get(ModelOptions.BACKBONE_STD));
            }
        }
        InputSpec input = new InputSpec(
                3, get(ModelOptions.BACKBONE_INPUT_SIZE), get(ModelOptions.BACKBONE_RESIZE), mean, std, 255.0, false);
        return new BackboneSpec.TorchScript(path.toAbsolutePath().toString(), featureDim, input);
    }

    private float[] rgb(DivaOption<List<Double>> option) {
        List<Double> values = get(option);
        if (values.size() != 3 || values.stream().anyMatch(v -> !Double.isFinite(v))) {
            throw new ConfigException(
                    "option --" + option.key() + " must be three finite numbers (R, G, B), got " + values);
        }
        return new float[] {
            values.get(0).floatValue(),
            values.get(1).floatValue(),
            values.get(2).floatValue()
        };
    }

    private DivaConfig model(BackboneSpec photoBackbone, boolean finetune) {
        try {
            NetworkSpec network = photoBackbone == null
                    ? new NetworkSpec(
                            get(ModelOptions.IMAGE_SIZE),
                            get(ModelOptions.CHANNELS),
                            get(ModelOptions.EMBEDDING_DIM),
                            get(ModelOptions.HEADS),
                            NetworkSpec.PUBLISHED_DECORRELATION_HIDDEN)
                    : new NetworkSpec(
                            finetune ? photoBackbone : BackboneSpec.Features.of(photoBackbone),
                            get(ModelOptions.EMBEDDING_DIM),
                            get(ModelOptions.HEADS),
                            NetworkSpec.PUBLISHED_DECORRELATION_HIDDEN);
            return new DivaConfig(
                    network,
                    new LossSpec(
                            get(TrainOptions.MARGIN),
                            get(TrainOptions.BETA_INIT),
                            LossSpec.PUBLISHED_MINER_LOWER_CUTOFF,
                            get(TrainOptions.ALPHA_SELFSIM),
                            get(TrainOptions.ALPHA_SHARED),
                            get(TrainOptions.ALPHA_INTRA),
                            get(TrainOptions.RHO),
                            get(TrainOptions.TEMPERATURE),
                            LossSpec.PUBLISHED_DANCE_UPPER_CUTOFF,
                            get(TrainOptions.DANCE_FIXED)),
                    new OptimizerSpec(
                            get(TrainOptions.LEARNING_RATE),
                            get(TrainOptions.WEIGHT_DECAY),
                            get(TrainOptions.BETA_LEARNING_RATE),
                            get(TrainOptions.DECORRELATION_LEARNING_RATE),
                            get(TrainOptions.LR_DECAY_STEPS),
                            get(TrainOptions.LR_DECAY_GAMMA)),
                    new MomentumSpec(
                            get(TrainOptions.MOMENTUM), get(TrainOptions.QUEUE_SIZE), get(TrainOptions.KEY_BN_STATS)),
                    (get(TrainOptions.DECORRELATION) ? ObjectiveSpec.published() : ObjectiveSpec.withoutDecorrelation())
                            .withSharedMining(get(TrainOptions.SHARED_MINING))
                            .withExcludeDegenerateIntra(get(TrainOptions.EXCLUDE_DEGENERATE_INTRA)),
                    get(ModelOptions.SEED));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid model configuration: " + e.getMessage());
        }
    }

    /**
     * The batches that fill the DaNCE queue before training: {@code auto} is the queue's batch count (the
     * original's n_key_batches, rounded up so the queue is full), 0 without the selfsim head.
     */
    private int queueInitBatches(DivaConfig model, JobConfig.BatchingConfig batching) {
        boolean selfsim = model.network().has(DivaHead.SELFSIM);
        String value = get(QUEUE_INIT_BATCHES);
        if (value.equalsIgnoreCase("auto")) {
            int batch = batching.batchSize();
            return selfsim ? (model.momentum().queueSize() + batch - 1) / batch : 0;
        }
        int batches = Integer.parseInt(value);
        if (batches > 0 && !selfsim) {
            throw new ConfigException("option --" + QUEUE_INIT_BATCHES.key() + " (" + batches + ") needs the selfsim"
                    + " head in --model.heads (there is no DaNCE queue to fill); set it to 0 or auto");
        }
        return batches;
    }

    private double[] headWeights(int heads) {
        List<Double> given = get(EmbeddingOptions.HEAD_WEIGHTS);
        // The default lists four weights, of which fewer heads use the first; given weights must match.
        if (given.size() < heads || (EmbeddingOptions.HEAD_WEIGHTS.isSet(conf) && given.size() != heads)) {
            throw new ConfigException("option --" + EmbeddingOptions.HEAD_WEIGHTS.key() + " needs one weight per head ("
                    + heads + "), got " + given);
        }
        double[] weights = given.subList(0, heads).stream()
                .mapToDouble(Double::doubleValue)
                .toArray();
        if (java.util.Arrays.stream(weights).allMatch(w -> w == 0)) {
            throw new ConfigException("option --" + EmbeddingOptions.HEAD_WEIGHTS.key() + " must not all be zero");
        }
        return weights;
    }

    private MetricsProtocol metrics(long seed, boolean catalogueTtl) {
        DivaOption<Integer> sample = MetricsOptions.SEEN_SAMPLE_PER_CLASS;
        // an expired training image is no longer re-embedded, so a sampled one would hold back every version
        int perClass = catalogueTtl && !sample.isSet(conf) ? 0 : get(sample);
        if (perClass > 0 && catalogueTtl) {
            throw new ConfigException("option --" + sample.key() + " needs --" + EmbeddingOptions.CATALOGUE_TTL.key()
                    + " 0: an expired sampled training image is never re-embedded and would hold back the scoring of"
                    + " every version");
        }
        int maxImages = get(MetricsOptions.SEEN_MAX_IMAGES);
        atLeast(MetricsOptions.SEEN_MAX_IMAGES, maxImages, sample, perClass, "");
        return new MetricsProtocol(
                get(MetricsOptions.EVERY_VERSIONS),
                get(MetricsOptions.MIN_EVAL_IMAGES),
                get(MetricsOptions.MODE),
                get(MetricsOptions.QUERY_FRACTION),
                get(MetricsOptions.RECALL_KS),
                perClass,
                maxImages,
                seed,
                get(MetricsOptions.CLASS_GROUP_SIZE),
                get(MetricsOptions.TRACKED_CLASSES),
                new PromotionPolicy(
                        get(MetricsOptions.PROMOTION_TOLERANCE), get(MetricsOptions.PROMOTION_MIN_EVAL_IMAGES)));
    }

    private RuntimeConfig runtime(boolean exactlyOnceSinks) {
        long interval = get(RuntimeOptions.CHECKPOINT_INTERVAL_MS);
        return new RuntimeConfig(
                get(RuntimeOptions.PARALLELISM),
                interval,
                get(RuntimeOptions.CHECKPOINT_DIR),
                get(RuntimeOptions.STATE_ROCKSDB),
                checkpointPolicy(interval, exactlyOnceSinks),
                get(RuntimeOptions.SOURCE_PARALLELISM),
                get(RuntimeOptions.EMBEDDING_PARALLELISM),
                new RuntimeConfig.IntraOpThreads(
                        get(TrainOptions.INTRA_OP_THREADS),
                        get(EmbeddingOptions.INTRA_OP_THREADS),
                        get(MetricsOptions.INTRA_OP_THREADS)),
                get(RuntimeOptions.TRAINING_READER_NICENESS));
    }

    private RuntimeConfig.CheckpointPolicy checkpointPolicy(long interval, boolean exactlyOnceSinks) {
        boolean exactlyOnce = get(RuntimeOptions.CHECKPOINT_MODE).equals("exactly-once");
        if (!exactlyOnce && exactlyOnceSinks) {
            throw new ConfigException("option --checkpoint.mode at-least-once needs --kafka.exactly-once false"
                    + " (transactional sinks commit on exactly-once checkpoints)");
        }
        boolean unaligned = get(RuntimeOptions.CHECKPOINT_UNALIGNED);
        if (unaligned && !exactlyOnce) {
            throw new ConfigException(
                    "option --checkpoint.unaligned true needs --checkpoint.mode exactly-once; set it to false");
        }
        long minPause = get(RuntimeOptions.CHECKPOINT_MIN_PAUSE_MS);
        return new RuntimeConfig.CheckpointPolicy(
                exactlyOnce,
                unaligned,
                get(RuntimeOptions.CHECKPOINT_ALIGNED_TIMEOUT_MS),
                get(RuntimeOptions.CHECKPOINT_TIMEOUT_MS),
                RuntimeOptions.CHECKPOINT_MIN_PAUSE_MS.isSet(conf) ? minPause : Math.min(minPause, interval / 2));
    }

    private JobConfig.ExportConfig export() {
        return new JobConfig.ExportConfig(get(ExportOptions.DIR), get(ExportOptions.KEEP));
    }

    private JobConfig.InputConfig input() {
        long pixels = get(LimitsOptions.IMAGE_PIXELS);
        long decodedBytes = get(LimitsOptions.DECODED_BYTES);
        atLeast(
                LimitsOptions.DECODED_BYTES,
                decodedBytes,
                LimitsOptions.IMAGE_PIXELS,
                pixels,
                ": every pixel takes a byte at least");
        return new JobConfig.InputConfig(
                new EventLimits(
                        get(LimitsOptions.IMAGE_ID_CHARS),
                        get(LimitsOptions.LABEL_CHARS),
                        new ImageLimits(get(LimitsOptions.IMAGE_BYTES), pixels, decodedBytes)),
                get(RouteOptions.LABEL_TTL).toMillis());
    }

    private static void atLeast(DivaOption<?> larger, long value, DivaOption<?> smaller, long bound, String why) {
        if (value < bound) {
            throw new ConfigException("option --" + larger.key() + " (" + value + ") must be at least --"
                    + smaller.key() + " (" + bound + ")" + why);
        }
    }
}
