package io.divastream.offline;

import io.divastream.model.DjlRuntime;
import io.divastream.model.augment.AugmentationSpec;
import io.divastream.model.augment.GlyphAugmenter;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.KeyBatchNormStatistics;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.logging.ConsoleLogging;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line of the batch trainer: {@code ablation} runs the paper's ablation rows over several
 * seeds on the Omniglot data and writes a Markdown table.
 */
@Command(
        name = "diva-batch",
        mixinStandardHelpOptions = true,
        description = "Offline DiVA training and studies with the streaming system's model code.",
        subcommands = {TrainCommand.class, DivaBatchMain.Ablation.class, DivaBatchMain.Cub.class})
public final class DivaBatchMain implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 2;
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        ConsoleLogging.start(DivaBatchMain.class);
        // TorchScript backbones train markedly faster on the CPU without the profiling executor
        System.setProperty(
                "ai.djl.pytorch.graph_optimizer", System.getProperty("ai.djl.pytorch.graph_optimizer", "false"));
        DjlRuntime.engine();
        System.exit(new CommandLine(new DivaBatchMain()).execute(args));
    }

    /** The ablation table on the Omniglot data. */
    @Command(
            name = "ablation",
            mixinStandardHelpOptions = true,
            description = "Discriminative only, each single extra task, all four without decorrelation and full "
                    + "DiVA, over several seeds, on the Omniglot zero-shot split; writes a Markdown table.")
    static final class Ablation implements Callable<Integer> {

        @Option(
                names = "--data",
                defaultValue = "../shared/data/omniglot-small",
                description = "folder with images_background_small1.zip and images_background_small2.zip")
        Path data;

        @Option(names = "--seeds", split = ",", defaultValue = "0,1,2", description = "seeds, comma-separated")
        List<Long> seeds;

        @Option(names = "--steps", defaultValue = "1500", description = "optimizer steps per run")
        long steps;

        @Option(names = "--eval-every", defaultValue = "500", description = "evaluate every this many steps")
        int evalEvery;

        @Option(
                names = "--lr-decay-steps",
                split = ",",
                defaultValue = "1125",
                description = "steps at which every learning rate is multiplied by --lr-decay-gamma")
        List<Long> decaySteps;

        @Option(names = "--lr-decay-gamma", defaultValue = "0.2", description = "learning-rate decay factor")
        double gamma;

        @Option(names = "--classes-per-batch", defaultValue = "28", description = "classes per batch")
        int classesPerBatch;

        @Option(names = "--samples-per-class", defaultValue = "4", description = "images per class per batch")
        int samplesPerClass;

        @Option(
                names = "--sampling",
                defaultValue = "distinct",
                description = "replacement (the original sampler) or distinct (the streaming job's)")
        String sampling;

        @Option(
                names = "--channels",
                split = ",",
                defaultValue = "64,64,64,64",
                description = "channels of the glyph CNN's blocks (its feature size is the last)")
        List<Integer> channels;

        @Option(
                names = "--key-bn-stats",
                defaultValue = "initial",
                description = "the key encoder's BatchNorm running statistics: initial (published: never updated) "
                        + "or ema (averaged with the query network's like the parameters)")
        String keyBnStats;

        @Option(names = "--variants", split = ",", description = "row numbers (1-6) to run; default all")
        List<Integer> variants;

        @Option(names = "--out", defaultValue = "docs/ablation-omniglot.md", description = "Markdown file to write")
        Path out;

        @Override
        public Integer call() throws IOException {
            DivaConfig defaults = DivaConfig.omniglotDefaults();
            OptimizerSpec o = defaults.optimizer();
            DivaConfig base = new DivaConfig(
                    new NetworkSpec(
                            defaults.network().inputSize(),
                            channels,
                            defaults.network().embeddingDim(),
                            defaults.network().heads(),
                            defaults.network().decorrelationHidden()),
                    defaults.loss(),
                    new OptimizerSpec(
                            o.learningRate(),
                            o.weightDecay(),
                            o.betaLearningRate(),
                            o.decorrelationLearningRate(),
                            decaySteps,
                            gamma),
                    defaults.momentum().withKeyBatchNormStatistics(KeyBatchNormStatistics.parse(keyBnStats)),
                    defaults.objective(),
                    0L);
            OmniglotSplit split = OmniglotSplit.load(data, base.network().inputSize());
            PrintStream log = System.out;
            log.printf(
                    Locale.ROOT,
                    "training: %d images of %d classes; test: %d images of %d classes%n",
                    split.train().size(),
                    split.train().byClass().size(),
                    split.test().size(),
                    split.test().byClass().size());
            // the published queue initialisation: n_key_batches = queue / batch size (DIVA_SPEC 2.4); rows without
            // the selfsim head draw the same batches and enqueue nothing, so every row trains on the same batches
            int batchSize = classesPerBatch * samplesPerClass;
            int keyBatches = (base.momentum().queueSize() + batchSize - 1) / batchSize;
            RunSpec run = new RunSpec(
                    steps, evalEvery, keyBatches, classesPerBatch, samplesPerClass, SamplingMode.parse(sampling));
            List<AblationVariant> rows = AblationVariant.standard();
            if (variants != null) {
                rows = variants.stream()
                        .map(i -> AblationVariant.standard().get(i - 1))
                        .toList();
            }
            GlyphAugmenter augmenter = new GlyphAugmenter(AugmentationSpec.omniglotDefault());
            AblationStudy study = new AblationStudy(
                    base,
                    ImagePipeline.glyphs(augmenter::augment, base.network().inputSize()),
                    run,
                    log);
            List<AblationStudy.Row> result = study.run(rows, seeds, split.train(), split.test());
            String table = AblationStudy.markdown(result);
            log.println(table);
            String report = "# Ablation on Omniglot\n\n" + describe(base, run) + "\n" + table + "\n## Every run\n\n"
                    + AblationStudy.runsMarkdown(result);
            writeReport(out, report);
            log.println("wrote " + out);
            return 0;
        }

        private String describe(DivaConfig base, RunSpec run) {
            LossSpec l = base.loss();
            return String.format(
                    Locale.ROOT,
                    "Data: Omniglot small (../shared/data/omniglot-small), train on the background alphabets' %s, "
                            + "test on the 89 characters of Greek, Latin, Early_Aramaic and Tagalog (leave-one-out).%n%n"
                            + "Settings: %d steps, batches of %d classes x %d images (%s sampling), evaluation every %d steps; "
                            + "Conv-4 backbone (channels %s) at %d px, %d-d heads; lr %s, weight decay %s, beta lr %s, regressor lr %s, "
                            + "lr x%s at steps %s; alpha %s/%s/%s, rho %s, DaNCE T %s, queue %d (filled before training from %d batches), "
                            + "momentum %s, key encoder's BatchNorm statistics %s. "
                            + "Figures are the last evaluation (mean ± sample standard deviation over the seeds); "
                            + "the test-time embedding is the equally weighted concatenation of the heads.%n",
                    "153 characters",
                    run.steps(),
                    run.classesPerBatch(),
                    run.samplesPerClass(),
                    run.sampling().id(),
                    run.evalEvery(),
                    base.network().channels(),
                    base.network().inputSize(),
                    base.network().embeddingDim(),
                    base.optimizer().learningRate(),
                    base.optimizer().weightDecay(),
                    base.optimizer().betaLearningRate(),
                    base.optimizer().decorrelationLearningRate(),
                    base.optimizer().decayGamma(),
                    base.optimizer().decaySteps(),
                    l.alphaSelfsim(),
                    l.alphaShared(),
                    l.alphaIntra(),
                    l.rho(),
                    l.temperature(),
                    base.momentum().queueSize(),
                    run.queueInitBatches(),
                    base.momentum().momentum(),
                    base.momentum().keyBatchNormStatistics().id());
        }
    }

    /** The CUB study: pooled pretrained features against discriminative-only and DiVA fine-tuning. */
    @Command(
            name = "cub-study",
            mixinStandardHelpOptions = true,
            description = "On a CUB class split with the pretrained MobileNetV2 of ../shared/weights: the backbone's "
                    + "pooled features without training, a discriminative-only model and DiVA, trained identically; "
                    + "writes a Markdown table.")
    static final class Cub implements Callable<Integer> {

        @Option(
                names = "--data",
                defaultValue = "../shared/data/cub200-subset/CUB_200_2011_classes001-030.tar",
                description = "CUB-200-2011 archive (.tar) or folder")
        Path data;

        @Option(names = "--split", defaultValue = "1-20:21-30", description = "training:test class ids")
        String split;

        @Option(
                names = "--weights",
                defaultValue = "../shared/weights",
                description = "folder with " + BackboneSpec.TorchScript.MOBILENET_V2_FILE)
        Path weights;

        @Option(names = "--steps", defaultValue = "2000", description = "optimizer steps per trained model")
        int steps;

        @Option(names = "--eval-every", defaultValue = "250", description = "evaluate every this many steps")
        int evalEvery;

        @Option(names = "--classes-per-batch", defaultValue = "28", description = "class draws per batch")
        int classesPerBatch;

        @Option(names = "--samples-per-class", defaultValue = "2", description = "images per class draw")
        int samplesPerClass;

        @Option(names = "--key-batches", defaultValue = "10", description = "batches filling the DaNCE queue")
        int keyBatches;

        @Option(
                names = "--lr",
                defaultValue = "1e-5",
                description = "learning rate of the backbone (the paper's; unused with --feature-views above 0)")
        double lr;

        @Option(
                names = "--head-lr-factor",
                defaultValue = "10",
                description = "the heads' learning rate relative to --lr")
        double headLrFactor;

        @Option(
                names = "--dim",
                defaultValue = "320",
                description = "dimension of each DiVA head (the discriminative-only model: one of 4 x this)")
        int dim;

        @Option(
                names = "--seeds",
                split = ",",
                defaultValue = "0,1,2",
                description = "seeds of the trained models, comma-separated")
        List<Long> seeds;

        @Option(
                names = "--feature-views",
                defaultValue = "10",
                description = "0: fine-tune the whole network on the photos; otherwise keep the backbone frozen and "
                        + "train the heads on its cached features of this many random training views per image")
        int featureViews;

        @Option(names = "--view-seed", defaultValue = "0", description = "seed of the cached views' augmentation")
        long viewSeed;

        @Option(
                names = "--rho",
                defaultValue = "300",
                description = "decorrelation weight of each pair (CUB ResNet-50 run: 1500)")
        double rho;

        @Option(
                names = "--regressor-lr",
                defaultValue = "1e-4",
                description = "learning rate of the decorrelation regressors (the paper's 1e-5 equals its network's)")
        double regressorLr;

        @Option(
                names = "--feature-cache",
                description = "file that keeps the cached features between runs: read if it holds features made with "
                        + "the same data, split, views and view seed, written otherwise (default: none)")
        Path featureCache;

        @Option(
                names = "--models",
                split = ",",
                defaultValue = "pooled,discriminative,diva",
                description = "rows to run: pooled, discriminative, diva")
        java.util.Set<String> models;

        @Option(
                names = "--warmup-steps",
                defaultValue = "0",
                description = "first steps that train the heads only, with the backbone frozen")
        int warmupSteps;

        @Option(
                names = "--out",
                defaultValue = "docs/cub-subset-mobilenetv2.md",
                description = "Markdown file to write")
        Path out;

        @Override
        public Integer call() throws IOException {
            long start = System.nanoTime();
            CubStudy.Settings settings = new CubStudy.Settings(
                    data,
                    split,
                    BackboneSpec.TorchScript.mobileNetV2Imagenet(weights),
                    steps,
                    evalEvery,
                    classesPerBatch,
                    samplesPerClass,
                    keyBatches,
                    lr,
                    headLrFactor,
                    dim,
                    seeds,
                    models,
                    warmupSteps,
                    featureViews,
                    viewSeed,
                    featureCache,
                    rho,
                    regressorLr);
            List<CubStudy.Row> rows = new CubStudy(settings, System.out).run();
            double minutes = (System.nanoTime() - start) / 60e9;
            String table = CubStudyReport.markdown(rows);
            System.out.println(table);
            System.out.printf(Locale.ROOT, "total %.1f min%n", minutes);
            String report = "# CUB subset with the pretrained MobileNetV2\n\n" + describe(settings, minutes) + table;
            writeReport(out, report);
            System.out.println("wrote " + out);
            return 0;
        }

        private static String describe(CubStudy.Settings s, double minutes) {
            String training = s.frozen()
                    ? String.format(
                            Locale.ROOT,
                            "The backbone stays frozen: its pooled features of %d random training "
                                    + "views (RandomResizedCrop 224 + flip, view seed %d) of every training image and of the "
                                    + "evaluation view (resize 256 + center crop 224) of every test image are computed once, "
                                    + "and the heads train on them (the two DaNCE views of an image are two different cached "
                                    + "views). %d steps of %d x %d images (classes drawn with replacement), Adam lr %s for the "
                                    + "heads",
                            s.featureViews(),
                            s.viewSeed(),
                            s.steps(),
                            s.classesPerBatch(),
                            s.samplesPerClass(),
                            s.learningRate() * s.headLearningRateFactor())
                    : String.format(
                            Locale.ROOT,
                            "The whole network is fine-tuned through DJL (RandomResizedCrop 224 + "
                                    + "flip for training, resize 256 + center crop 224 for evaluation). %d steps of %d x %d "
                                    + "images (classes drawn with replacement), Adam lr %s for the backbone and %s x that for "
                                    + "the heads%s",
                            s.steps(),
                            s.classesPerBatch(),
                            s.samplesPerClass(),
                            s.learningRate(),
                            s.headLearningRateFactor(),
                            s.warmupSteps() == 0
                                    ? ""
                                    : ", the first " + s.warmupSteps()
                                            + " steps training the heads only (backbone frozen)");
            return String.format(
                    Locale.ROOT,
                    "Data: %s, classes %s (train:test), leave-one-out retrieval on the test "
                            + "classes. Backbone: the ImageNet MobileNetV2 TorchScript of ../shared/weights. %s, weight decay "
                            + "4e-4, beta lr 5e-4, regressor lr %s, alpha 0.3, rho %s, T 0.01, momentum 0.9, a DaNCE queue "
                            + "of %d batches, %d-d heads (the discriminative-only model: one %d-d embedding), seeds %s. "
                            + "Figures are the last evaluation; mean ± sample standard deviation over the seeds. "
                            + "Whole run: %.1f minutes on this machine.%n%n",
                    s.data().getFileName(),
                    s.split(),
                    training,
                    s.regressorLearningRate(),
                    s.rho(),
                    s.keyBatches(),
                    s.embeddingDim(),
                    4 * s.embeddingDim(),
                    s.seeds(),
                    minutes);
        }
    }

    /**
     * Writes a Markdown report, creating its folder if needed.
     *
     * @param out the file
     * @param report the text
     * @throws IOException if it cannot be written
     */
    static void writeReport(Path out, String report) throws IOException {
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, report, StandardCharsets.UTF_8);
    }
}
