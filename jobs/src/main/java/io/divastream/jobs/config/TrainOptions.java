package io.divastream.jobs.config;

import io.divastream.model.DeviceRequest;
import io.divastream.model.DeviceSelection;
import io.divastream.model.config.KeyBatchNormStatistics;
import io.divastream.model.embed.StoredFeatures;
import io.divastream.model.miner.SharedMining;
import java.util.List;

/** The trainer: device, optimiser, the DiVA objective's weights, the key encoder and queue: {@code train.*}. */
public final class TrainOptions {

    public static final DivaOption<DeviceRequest> DEVICE = DivaOption.of(
            "train.device",
            OptionType.choice(DeviceRequest.class, Validation::device),
            "auto",
            "device of the trainer: auto (the first GPU if DJL sees one, else the CPU), cpu, or gpu (fail if none is"
                    + " usable)");
    public static final DivaOption<String> ENGINE_FLAVOUR = DivaOption.of(
            "train.engine-flavour",
            OptionType.text().checked(Validation::flavour),
            DeviceSelection.ANY_FLAVOUR,
            "PyTorch native flavour the trainer expects: auto (whatever is loaded), cpu, or cu128 (CUDA 12.8, the only"
                    + " CUDA build DJL has for PyTorch 2.7.1; PYTORCH_FLAVOR)");
    public static final DivaOption<Double> LEARNING_RATE = DivaOption.of(
            "train.learning-rate", OptionType.number(1e-12, 10), "1e-3", "Adam learning rate of backbone and heads");
    public static final DivaOption<Double> WEIGHT_DECAY = DivaOption.of(
            "train.weight-decay", OptionType.number(0, 10), "4e-4", "L2 weight decay of backbone and heads");
    public static final DivaOption<Double> BETA_LEARNING_RATE = DivaOption.of(
            "train.beta-learning-rate", OptionType.number(0, 10), "5e-4", "learning rate of the margin betas");
    public static final DivaOption<Double> DECORRELATION_LEARNING_RATE = DivaOption.of(
            "train.decorrelation-learning-rate",
            OptionType.number(0, 10),
            "1e-3",
            "learning rate of the decorrelation regressors");
    public static final DivaOption<List<Long>> LR_DECAY_STEPS = DivaOption.of(
            "train.lr-decay-steps",
            OptionType.longIntegers(),
            "",
            "steps at which all learning rates are multiplied by the decay gamma");
    public static final DivaOption<Double> LR_DECAY_GAMMA = DivaOption.of(
            "train.lr-decay-gamma", OptionType.number(1e-9, 1), "0.2", "learning-rate multiplier at each decay step");
    public static final DivaOption<Double> MARGIN =
            DivaOption.of("train.margin", OptionType.number(0, 10), "0.2", "margin gamma of the margin losses");
    public static final DivaOption<Double> BETA_INIT =
            DivaOption.of("train.beta-init", OptionType.number(0, 10), "1.2", "initial class boundary beta");
    public static final DivaOption<Double> ALPHA_SELFSIM =
            DivaOption.of("train.alpha-selfsim", OptionType.number(0, 1000), "0.3", "weight of the DaNCE loss");
    public static final DivaOption<Double> ALPHA_SHARED =
            DivaOption.of("train.alpha-shared", OptionType.number(0, 1000), "0.3", "weight of the class-shared loss");
    public static final DivaOption<Double> ALPHA_INTRA =
            DivaOption.of("train.alpha-intra", OptionType.number(0, 1000), "0.3", "weight of the intra-class loss");
    public static final DivaOption<Double> RHO =
            DivaOption.of("train.rho", OptionType.number(0, 1e9), "1500", "weight of each decorrelation pair");
    public static final DivaOption<Double> TEMPERATURE =
            DivaOption.of("train.temperature", OptionType.number(1e-6, 100), "0.01", "DaNCE temperature");
    public static final DivaOption<Boolean> DANCE_FIXED = DivaOption.of(
            "train.dance-fixed", OptionType.bool(), "false", "row-normalised DaNCE weights (--diva_fixed)");
    public static final DivaOption<Boolean> DECORRELATION =
            DivaOption.of("train.decorrelation", OptionType.bool(), "true", "adversarial decorrelation of the heads");
    public static final DivaOption<SharedMining> SHARED_MINING = DivaOption.of(
            "train.shared-mining",
            OptionType.choice(SharedMining.class, SharedMining::parse),
            "random",
            "class-shared miner: random (published), standard or full");
    public static final DivaOption<Boolean> EXCLUDE_DEGENERATE_INTRA = DivaOption.of(
            "train.exclude-degenerate-intra",
            OptionType.bool(),
            "false",
            "redraw the intra miner's degenerate triplets");
    public static final DivaOption<Double> MOMENTUM =
            DivaOption.of("train.momentum", OptionType.number(0, 0.999999), "0.9", "momentum of the key encoder");
    public static final DivaOption<Integer> QUEUE_SIZE =
            DivaOption.of("train.queue-size", OptionType.integer(1, 10_000_000), "1024", "DaNCE queue length");
    /** {@code auto} or a number of batches; {@link JobConfigBuilder} resolves {@code auto}. */
    public static final DivaOption<String> QUEUE_INIT_BATCHES = DivaOption.of(
            "train.queue-init-batches",
            OptionType.text().checked(Validation::autoOrBatches),
            "auto",
            "the first n batches only fill the DaNCE queue (the key encoder's embeddings of one view), training starts"
                    + " after them (auto: the queue's batch count, ceil(train.queue-size / batch size), as published;"
                    + " 0: off, the queue fills during training)");

    public static final DivaOption<KeyBatchNormStatistics> KEY_BN_STATS = DivaOption.of(
            "train.key-bn-stats",
            OptionType.choice(KeyBatchNormStatistics.class, KeyBatchNormStatistics::parse),
            "initial",
            "BatchNorm running statistics of the key encoder: initial (published: never updated) or ema (averaged"
                    + " with the query network's like the parameters)");
    public static final DivaOption<Integer> FEATURE_VIEWS = DivaOption.of(
            "train.feature-views",
            OptionType.integer(1, StoredFeatures.MAX_VIEWS),
            "8",
            "photo presets: random training views (RandomResizedCrop 224 + flip) per training image whose frozen-backbone"
                    + " features are stored; each step draws two distinct ones");
    public static final DivaOption<Boolean> AUGMENT =
            DivaOption.of("train.augment", OptionType.bool(), "true", "random affine augmentation of training views");
    public static final DivaOption<Integer> STEPS_PER_VERSION = DivaOption.of(
            "train.steps-per-version",
            OptionType.integer(1, 10_000_000),
            "250",
            "publish a model version every n steps");
    public static final DivaOption<Integer> MAX_CONSECUTIVE_FAILURES = DivaOption.of(
            "train.max-consecutive-failures",
            OptionType.integer(1, 1_000_000),
            "20",
            "fail after this many diverged steps in a row");
    public static final DivaOption<Integer> INTRA_OP_THREADS = DivaOption.of(
            "train.intra-op-threads",
            OptionType.integer(0, 4096),
            "0",
            "libtorch intra-op threads of the trainer (0: every processor of its task manager)");

    public static final DivaOption<String> MODE = DivaOption.of(
            "train.mode",
            OptionType.oneOf("frozen", "finetune"),
            "frozen",
            "with a photo preset: frozen (the backbone runs once per photo in the decoders, the heads train on its"
                    + " stored features; the CPU mode) or finetune (the whole network trains on pixels, as the paper"
                    + " does; for GPU hosts; the photos are kept encoded); the glyph presets always train whole");

    /** In the order of {@code --help}. */
    public static final List<DivaOption<?>> ALL = List.of(
            MODE,
            DEVICE,
            ENGINE_FLAVOUR,
            LEARNING_RATE,
            WEIGHT_DECAY,
            BETA_LEARNING_RATE,
            DECORRELATION_LEARNING_RATE,
            LR_DECAY_STEPS,
            LR_DECAY_GAMMA,
            MARGIN,
            BETA_INIT,
            ALPHA_SELFSIM,
            ALPHA_SHARED,
            ALPHA_INTRA,
            RHO,
            TEMPERATURE,
            DANCE_FIXED,
            DECORRELATION,
            SHARED_MINING,
            EXCLUDE_DEGENERATE_INTRA,
            MOMENTUM,
            QUEUE_SIZE,
            QUEUE_INIT_BATCHES,
            KEY_BN_STATS,
            FEATURE_VIEWS,
            AUGMENT,
            STEPS_PER_VERSION,
            MAX_CONSECUTIVE_FAILURES,
            INTRA_OP_THREADS);

    private TrainOptions() {}
}
