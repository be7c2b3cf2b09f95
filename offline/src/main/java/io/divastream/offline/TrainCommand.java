package io.divastream.offline;

import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.DatasetFormat;
import io.divastream.datasets.DatasetSplit;
import io.divastream.datasets.Datasets;
import io.divastream.evaluation.RetrievalEvaluator;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.images.PhotoTransforms;
import io.divastream.images.RgbImage;
import io.divastream.model.DivaHead;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.KeyBatchNormStatistics;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.ObjectiveSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.loss.baseline.BaselineKind;
import io.divastream.model.loss.baseline.BaselineSpec;
import io.divastream.model.miner.SharedMining;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code diva-batch train}: the paper's protocol on a dataset in its official layout: epochs of
 * floor(N_train / B) batches of classes drawn with replacement, one learning-rate milestone, the
 * test classes evaluated after every epoch with every head weighting of the preset; reports the
 * last epoch and, per metric, the best epoch (the original code's convention).
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Train DiVA (or an ablation or baseline) on a dataset with a preset of the paper's sample runs.")
final class TrainCommand implements Callable<Integer> {

    @Option(
            names = "--preset",
            required = true,
            description =
                    "cub-resnet50, cub-bninception, cars-resnet50, cars-bninception, sop-resnet50, sop-bninception, "
                            + "inshop-resnet50 (query/gallery; SOP values, no published DiVA run), cub-mobilenetv2")
    String preset;

    @Option(names = "--data", required = true, description = "the dataset root or archive in its official layout")
    Path data;

    @Option(
            names = "--format",
            converter = StudyCommand.FormatConverter.class,
            description = "the dataset's layout, if not the preset's: cub, cars, sop, inshop, omniglot, folder")
    DatasetFormat format;

    @Option(
            names = "--split",
            defaultValue = "standard",
            description = "class split: standard, fraction:F, or train:test class ids such as 1-20:21-30")
    String split;

    @Option(
            names = "--protocol",
            defaultValue = "auto",
            converter = StudyCommand.ProtocolConverter.class,
            description = "how test images are searched: leave-one-out, query-gallery (In-Shop's standard split), or"
                    + " auto (the split's own)")
    EvaluationProtocol protocol;

    @Option(
            names = "--backbone-weights",
            description = "ImageNet weights loaded by parameter name: for the resnet50 presets a TorchScript file of "
                    + "torchvision's ResNet-50 (without it the DJL model zoo's ResNet-50 is fetched, which needs a "
                    + "network); for the bninception presets, which need it, a TorchScript or torch.save state_dict "
                    + "file of Cadene's pretrainedmodels bninception")
    Path backboneWeights;

    @Option(
            names = "--weights",
            defaultValue = "../shared/weights",
            description = "folder with the MobileNetV2 TorchScript (cub-mobilenetv2)")
    Path weights;

    @Option(names = "--epochs", description = "epochs (default: the preset's)")
    Integer epochs;

    @Option(names = "--key-batches", description = "batches filling the DaNCE queue (default: the preset's)")
    Integer keyBatches;

    @Option(
            names = "--key-bn-stats",
            defaultValue = "initial",
            description = "the key encoder's BatchNorm running statistics: initial (published: never updated, the "
                    + "ImageNet values) or ema (averaged with the query network's like the parameters)")
    String keyBnStats;

    @Option(
            names = "--objective",
            defaultValue = "diva",
            description =
                    "diva, discriminative, or baseline:<triplet|contrastive|multisimilarity|proxyanchor|npair|arcface>")
    String objective;

    @Option(names = "--heads", split = ",", description = "DiVA heads to train (ablation), default all four")
    List<String> heads;

    @Option(names = "--no-decorrelation", description = "train the heads without the adversarial decorrelation")
    boolean noDecorrelation;

    @Option(names = "--shared-mining", defaultValue = "random", description = "random (published), standard or full")
    String sharedMining;

    @Option(
            names = "--dance-fixed",
            description = "row-normalised DaNCE weights (--diva_fixed) instead of the original")
    boolean danceFixed;

    @Option(names = "--exclude-degenerate-intra", description = "redraw the intra miner's degenerate triplets")
    boolean excludeDegenerateIntra;

    @Option(names = "--eval-every-epochs", defaultValue = "1", description = "evaluate every this many epochs")
    int evalEveryEpochs;

    @Option(names = "--out", defaultValue = "diva-train-results.md", description = "Markdown report to write")
    Path out;

    @Override
    public Integer call() throws IOException {
        Preset p = Preset.named(preset);
        DatasetFormat layout = format != null ? format : DatasetFormat.parse(p.dataset());
        BackboneSpec backbone = backbone(p);
        System.out.println(p.id() + ": " + weightsNote(p));
        DatasetSplit datasetSplit = ClassSplit.parse(split).apply(Datasets.open(layout, data));
        LabeledImages<RgbImage> train = DecodedImages.photos(datasetSplit.train());
        TestImages<RgbImage> test = protocol.testImages(datasetSplit);
        int batch = Preset.BATCH_SIZE;
        int stepsPerEpoch = Math.max(1, train.size() / batch);
        int epochCount = epochs != null ? epochs : p.epochs();
        DivaConfig config = config(p, backbone, stepsPerEpoch, keyBatches != null ? keyBatches : p.keyBatches());
        System.out.printf(
                Locale.ROOT,
                "%s: %d training images of %d classes, %d test images of %d classes (%s); %d epochs of %d steps; %s%n",
                p.id(),
                train.size(),
                train.byClass().size(),
                datasetSplit.test().size(),
                datasetSplit.test().classIds().size(),
                test.describe(),
                epochCount,
                stepsPerEpoch,
                config);
        int queueBatches = keyBatches != null ? keyBatches : p.keyBatches();
        RunSpec run = new RunSpec(
                (long) epochCount * stepsPerEpoch,
                evalEveryEpochs * stepsPerEpoch,
                queueBatches,
                batch / Preset.SAMPLES_PER_CLASS,
                Preset.SAMPLES_PER_CLASS,
                SamplingMode.WITH_REPLACEMENT);
        BatchTrainer<RgbImage> trainer = new BatchTrainer<>(
                config,
                ImagePipeline.photos(new PhotoTransforms(backbone.input())),
                config.network().heads().size() == 4 ? p.weightings() : java.util.Map.of(),
                new RetrievalEvaluator(
                        io.divastream.evaluation.EvaluationConfig.defaults().withRecallKs(standardRecallKs(layout))));
        java.util.function.Consumer<EvaluationPoint> progress = e -> System.out.printf(
                Locale.ROOT,
                "epoch %d: R@1 %.4f R@2 %.4f NMI %.4f MAP@R %.4f%n",
                e.step() / stepsPerEpoch,
                e.primary().recallAt1(),
                e.primary().recallAt2(),
                e.primary().nmi(),
                e.primary().mapAtR());
        List<EvaluationPoint> points = trainer.run(train, test, run, progress);
        String report = report(p, config, points, stepsPerEpoch);
        System.out.println(report);
        DivaBatchMain.writeReport(out, report);
        return 0;
    }

    /** The preset's backbone with the weights the options name; fails at once on a missing weights file. */
    /**
     * What weights a preset needs and where they go, said at start-up.
     *
     * @param p the preset
     * @return one line
     */
    static String weightsNote(Preset p) {
        return switch (p.backbone()) {
            case "resnet50" ->
                "needs ImageNet ResNet-50 weights: --backbone-weights FILE, a TorchScript of torchvision's"
                        + " resnet50 loaded by parameter name (docs/model.md, 'Weights without a network'); without it"
                        + " DJL's model zoo copy is fetched, which needs a network and DJL_OFFLINE unset";
            case "bninception" ->
                "needs --backbone-weights FILE: Cadene's ImageNet BN-Inception as TorchScript or a"
                        + " torch.save state_dict";
            case "mobilenetv2" -> "uses " + BackboneSpec.TorchScript.MOBILENET_V2_FILE + " in --weights";
            default -> "backbone " + p.backbone();
        };
    }

    /** Whether DJL may not download (DJL_OFFLINE or ai.djl.offline): the model zoo is out of reach. */
    private static boolean djlOffline() {
        return Boolean.parseBoolean(System.getenv("DJL_OFFLINE")) || Boolean.getBoolean("ai.djl.offline");
    }

    BackboneSpec backbone(Preset p) {
        if (backboneWeights != null && !Files.isRegularFile(backboneWeights)) {
            throw new IllegalArgumentException(
                    "--backbone-weights " + backboneWeights.toAbsolutePath() + " is not a file");
        }
        return switch (p.backbone()) {
            case "resnet50" -> {
                if (backboneWeights != null) {
                    yield new BackboneSpec.ResNet(50, true, backboneWeights.toString());
                }
                if (djlOffline()) {
                    throw new IllegalArgumentException(p.id() + " " + weightsNote(p));
                }
                yield new BackboneSpec.ModelZooResNet50();
            }
            case "mobilenetv2" -> BackboneSpec.TorchScript.mobileNetV2Imagenet(weights);
            case "bninception" -> {
                if (backboneWeights == null) {
                    throw new IllegalArgumentException(p.id() + " needs --backbone-weights: a TorchScript or "
                            + "torch.save state_dict file of Cadene's ImageNet BN-Inception (pretrainedmodels "
                            + "bninception); the paper's runs fine-tune it and there is no model-zoo copy to fetch");
                }
                yield new BackboneSpec.BnInception(backboneWeights.toString());
            }
            default -> throw new IllegalArgumentException("unknown backbone " + p.backbone());
        };
    }

    private DivaConfig config(Preset p, BackboneSpec backbone, int stepsPerEpoch, int queueBatches) {
        List<DivaHead> chosen = heads == null
                ? List.of(DivaHead.values())
                : heads.stream().map(DivaHead::parse).toList();
        ObjectiveSpec objectiveSpec =
                noDecorrelation ? ObjectiveSpec.withoutDecorrelation() : ObjectiveSpec.published();
        int dim = 128;
        if (objective.equals("discriminative")) {
            chosen = List.of(DivaHead.DISCRIMINATIVE);
            dim = 512;
        } else if (objective.startsWith("baseline:")) {
            chosen = List.of(DivaHead.DISCRIMINATIVE);
            dim = 512;
            objectiveSpec = ObjectiveSpec.baseline(BaselineSpec.defaults(BaselineKind.parse(objective.substring(9))));
        } else if (!objective.equals("diva")) {
            throw new IllegalArgumentException(
                    "unknown objective '" + objective + "' (expected diva, discriminative or baseline:<kind>)");
        }
        objectiveSpec = objectiveSpec
                .withSharedMining(SharedMining.parse(sharedMining))
                .withExcludeDegenerateIntra(excludeDegenerateIntra);
        return new DivaConfig(
                new NetworkSpec(backbone, dim, chosen, NetworkSpec.PUBLISHED_DECORRELATION_HIDDEN),
                LossSpec.published()
                        .withAlphas(p.alpha(), p.alpha(), p.alpha())
                        .withRho(p.rho())
                        .withDanceFixed(danceFixed),
                new OptimizerSpec(
                        p.learningRate(),
                        4e-4,
                        5e-4,
                        p.decorrelationLearningRate(),
                        List.of(p.milestoneStep(stepsPerEpoch)),
                        p.gamma()),
                new MomentumSpec(0.9, queueBatches * Preset.BATCH_SIZE, KeyBatchNormStatistics.parse(keyBnStats)),
                objectiveSpec,
                p.seed());
    }

    /**
     * The Recall@k values each benchmark reports beyond 1, 2, 4, 8 (DIVA_SPEC section 6): SOP 10, 100,
     * 1000; In-Shop 10 to 50.
     *
     * @param format the dataset
     * @return the extra k values
     */
    static List<Integer> standardRecallKs(DatasetFormat format) {
        return switch (format) {
            case SOP -> List.of(10, 100, 1000);
            case INSHOP -> List.of(10, 20, 30, 40, 50);
            default -> List.of();
        };
    }

    private static String report(Preset p, DivaConfig config, List<EvaluationPoint> points, int stepsPerEpoch) {
        EvaluationPoint last = points.get(points.size() - 1);
        StringBuilder out = new StringBuilder("# ")
                .append(p.id())
                .append("\n\n")
                .append(config)
                .append("\n\n");
        out.append("| Embedding | last R@1 | last R@2 | last R@4 | last R@8 | last NMI | last MAP@R | best R@1 (epoch)"
                + " | best NMI |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        java.util.Set<String> names =
                new java.util.LinkedHashSet<>(last.combined().keySet());
        names.addAll(last.heads().keySet());
        for (String name : names) {
            RetrievalScores l = scores(last, name);
            EvaluationPoint bestR1 = points.stream()
                    .max(java.util.Comparator.comparingDouble(
                            e -> scores(e, name).recallAt1()))
                    .orElseThrow();
            double bestNmi = points.stream()
                    .mapToDouble(e -> scores(e, name).nmi())
                    .max()
                    .orElse(Double.NaN);
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f (%d) | %.4f |%n",
                    name,
                    l.recallAt1(),
                    l.recallAt2(),
                    l.recallAt4(),
                    l.recallAt8(),
                    l.nmi(),
                    l.mapAtR(),
                    scores(bestR1, name).recallAt1(),
                    bestR1.step() / stepsPerEpoch,
                    bestNmi));
        }
        out.append("\nRecall@k of the last evaluation:\n\n");
        for (String name : names) {
            out.append("- ").append(name).append(":");
            scores(last, name)
                    .recallAtK()
                    .forEach((k, v) -> out.append(String.format(Locale.ROOT, " R@%d %.4f", k, v)));
            out.append('\n');
        }
        return out.toString();
    }

    private static RetrievalScores scores(EvaluationPoint point, String name) {
        RetrievalScores combined = point.combined().get(name);
        return combined != null ? combined : point.heads().get(name);
    }
}
