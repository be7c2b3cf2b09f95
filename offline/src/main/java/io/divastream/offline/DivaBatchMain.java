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
        showDefaultValues = true,
        description = "Offline DiVA training and studies with the streaming system's model code.",
        subcommands = {TrainCommand.class, DivaBatchMain.Ablation.class, StudyCommand.class})
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
            showDefaultValues = true,
            description = "Discriminative only, each single extra task, all four without decorrelation and full "
                    + "DiVA, over several seeds: on the Omniglot zero-shot split with the glyph CNN, or with --format "
                    + "on a class split of photos (--split) with the study's frozen MobileNetV2; writes a Markdown "
                    + "table.")
    static final class Ablation implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--format",
                defaultValue = "omniglot",
                converter = StudyCommand.FormatConverter.class,
                description = "the dataset's layout: omniglot (the glyph CNN), or cub, cars, sop, inshop, folder (the "
                        + "study's recipe with every ablation row; its options take the study's defaults)")
        io.divastream.datasets.DatasetFormat format;

        @Option(
                names = "--split",
                defaultValue = "1-20:21-30",
                description = "with a photo --format: training:test class ids, standard, or fraction:F")
        String split;

        @Option(
                names = "--protocol",
                defaultValue = "auto",
                description = "with a photo --format: leave-one-out, query-gallery or auto (the split's own), as the"
                        + " study takes it")
        String protocol;

        @Option(
                names = "--weights",
                defaultValue = "../shared/weights",
                description = "with a photo --format: the folder with the MobileNetV2 TorchScript")
        Path weights;

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

        @Option(
                names = "--out",
                defaultValue = "results/ablation-omniglot.md",
                description = "Markdown file to write (docs/ablation-omniglot.md holds the published one)")
        Path out;

        /** Runs the study with every ablation row on a photo layout. */
        private int photoAblation() throws IOException {
            StudyCommand study = new StudyCommand();
            new CommandLine(study)
                    .parseArgs(photoAblationArgs(spec.commandLine().getParseResult())
                            .toArray(String[]::new));
            return study.call();
        }

        @Override
        public Integer call() throws IOException {
            if (format != io.divastream.datasets.DatasetFormat.OMNIGLOT) {
                return photoAblation();
            }
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

    /**
     * The study's recipe with every ablation row, for photo layouts: the given data, split, seeds, steps,
     * evaluation cadence, batch shape and report; the study's defaults for the rest.
     */
    private static List<String> photoAblationArgs(CommandLine.ParseResult given) {
        List<String> args = new java.util.ArrayList<>(List.of("--models", String.join(",", CubStudy.MODELS)));
        for (String option : List.of(
                "--format",
                "--data",
                "--split",
                "--protocol",
                "--weights",
                "--seeds",
                "--steps",
                "--eval-every",
                "--classes-per-batch",
                "--samples-per-class",
                "--out")) {
            CommandLine.Model.OptionSpec spec = given.commandSpec().findOption(option);
            if (given.hasMatchedOption(option)) {
                args.add(option);
                args.add(String.join(",", spec.stringValues()));
            }
        }
        return args;
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
