package io.divastream.offline;

import io.divastream.datasets.DatasetFormat;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.InputSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code diva-batch study} (also {@code cub-study}): on a class split of any dataset in any layout the readers take,
 * the pretrained MobileNetV2's pooled features against a discriminative-only model and DiVA, trained identically;
 * writes a Markdown report named after the data, under {@code results/} unless {@code --out} says otherwise.
 */
@Command(
        name = "study",
        aliases = "cub-study",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "On a class split of a dataset (--format, --data) with the pretrained MobileNetV2 of --weights: "
                + "the backbone's pooled features without training, a discriminative-only model and DiVA, trained "
                + "identically over several seeds; writes a Markdown report.")
final class StudyCommand implements Callable<Integer> {

    @Option(
            names = "--format",
            defaultValue = "cub",
            converter = FormatConverter.class,
            description = "the dataset's layout: one of cub, cars, sop, inshop, omniglot, folder")
    DatasetFormat format;

    @Option(
            names = "--data",
            defaultValue = "../shared/data/cub200-subset/CUB_200_2011_classes001-030.tar",
            description = "the dataset's folder or .tar archive in a layout of --format")
    Path data;

    @Option(
            names = "--split",
            defaultValue = "1-20:21-30",
            description = "class split: train:test class ids, standard (the dataset's own), or fraction:F")
    String split;

    @Option(
            names = "--protocol",
            defaultValue = "auto",
            converter = ProtocolConverter.class,
            description = "how test images are searched: leave-one-out (each against all other test images),"
                    + " query-gallery (the split's queries against its gallery: In-Shop's standard split), or auto"
                    + " (the split's own)")
    EvaluationProtocol protocol;

    @Option(
            names = "--weights",
            defaultValue = "../shared/weights",
            description = "folder with " + BackboneSpec.TorchScript.MOBILENET_V2_FILE + " (unless --backbone-file)")
    Path weights;

    @Option(
            names = "--backbone-file",
            description = "any pretrained TorchScript backbone instead of the MobileNetV2 (e.g. an ImageNet ResNet-50 "
                    + "without its classifier; docs/model.md says how to make one), with --backbone-feature-dim; the "
                    + "stream's model.backbone-* options, under the same names")
    Path backboneFile;

    @Option(
            names = "--backbone-feature-dim",
            defaultValue = "0",
            description = "the --backbone-file's output width per image (after global average pooling)")
    int backboneFeatureDim;

    @Option(names = "--backbone-input-size", defaultValue = "224", description = "the backbone's square crop")
    int backboneInputSize;

    @Option(
            names = "--backbone-resize",
            defaultValue = "256",
            description = "the evaluation view's shorter side before its centre crop")
    int backboneResize;

    @Option(
            names = "--backbone-mean",
            split = ",",
            defaultValue = "0.485,0.456,0.406",
            description = "the --backbone-file's normalisation mean per RGB channel on 0..1 pixels")
    List<Float> backboneMean;

    @Option(
            names = "--backbone-std",
            split = ",",
            defaultValue = "0.229,0.224,0.225",
            description = "the --backbone-file's normalisation standard deviation per RGB channel")
    List<Float> backboneStd;

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
            description = "learning rate of the backbone when it is fine-tuned (--feature-views 0; the paper's); the "
                    + "heads learn at --lr x --head-lr-factor in both modes")
    double lr;

    @Option(names = "--head-lr-factor", defaultValue = "10", description = "the heads' learning rate relative to --lr")
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
            description = "rows to run: pooled, discriminative, diva, and the ablation's selfsim, shared, intra"
                    + " (discriminative plus that head, decorrelated) and no-decorrelation (all four heads)")
    java.util.Set<String> models;

    @Option(
            names = "--warmup-steps",
            defaultValue = "0",
            description = "first steps that train the heads only, with the backbone frozen")
    int warmupSteps;

    @Option(
            names = "--out",
            description = "Markdown file to write (default: results/study-<format>-<data name>.md; the published CUB "
                    + "report is docs/cub-subset-mobilenetv2.md)")
    Path out;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        CubStudy.Settings settings = new CubStudy.Settings(
                data,
                format,
                split,
                protocol,
                backbone(),
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
        CubStudy study = new CubStudy(settings, System.out);
        List<CubStudy.Row> rows = study.run();
        double minutes = (System.nanoTime() - start) / 60e9;
        String table = CubStudyReport.markdown(rows, study.testImages());
        System.out.println(table);
        System.out.printf(Locale.ROOT, "total %.1f min%n", minutes);
        String report =
                "# " + title(format, data, split) + "\n\n" + describe(settings, study.evaluation(), minutes) + table;
        Path file = out != null ? out : defaultOut(format, data);
        DivaBatchMain.writeReport(file, report);
        System.out.println("wrote " + file);
        return 0;
    }

    /**
     * The backbone: the MobileNetV2 of {@code --weights}, or the TorchScript of {@code --backbone-file}.
     *
     * @return the backbone
     * @throws IllegalArgumentException for a missing file or width
     */
    BackboneSpec backbone() {
        if (backboneFile == null) {
            return BackboneSpec.TorchScript.mobileNetV2Imagenet(weights);
        }
        if (!java.nio.file.Files.isRegularFile(backboneFile)) {
            throw new IllegalArgumentException("--backbone-file " + backboneFile.toAbsolutePath() + " is not a file");
        }
        if (backboneFeatureDim <= 0) {
            throw new IllegalArgumentException("--backbone-file needs --backbone-feature-dim, its output width");
        }
        if (backboneMean.size() != 3 || backboneStd.size() != 3) {
            throw new IllegalArgumentException("--backbone-mean and --backbone-std take three values (R,G,B)");
        }
        float[] mean = {backboneMean.get(0), backboneMean.get(1), backboneMean.get(2)};
        float[] std = {backboneStd.get(0), backboneStd.get(1), backboneStd.get(2)};
        return new BackboneSpec.TorchScript(
                backboneFile.toString(),
                backboneFeatureDim,
                new InputSpec(3, backboneInputSize, backboneResize, mean, std, 255.0, false));
    }

    /**
     * The report's title, from the data.
     *
     * @param format the layout
     * @param data the dataset's path
     * @param split the class split
     * @return e.g. {@code cars (cars196): pooled MobileNetV2 features, discriminative-only and DiVA, classes ...}
     */
    static String title(DatasetFormat format, Path data, String split) {
        return String.format(
                Locale.ROOT,
                "%s (%s): pooled MobileNetV2 features, discriminative-only and DiVA, classes %s",
                format,
                name(data),
                split);
    }

    /**
     * Where a report goes unless {@code --out} says otherwise: {@code results/}, never {@code docs/}.
     *
     * @param format the layout
     * @param data the dataset's path
     * @return {@code results/study-<format>-<data name>.md}
     */
    static Path defaultOut(DatasetFormat format, Path data) {
        return Path.of("results", "study-" + format + "-" + name(data).replaceAll("[^A-Za-z0-9._-]", "_") + ".md");
    }

    private static String name(Path data) {
        Path file = data.toAbsolutePath().normalize().getFileName();
        String name = file == null ? "data" : file.toString();
        return name.replaceAll("\\.(tar|tgz|tar\\.gz|zip)$", "");
    }

    private static String describe(CubStudy.Settings s, String evaluation, double minutes) {
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
                "Data: %s (%s), classes %s (train:test), %s (protocol %s). Backbone: %s. %s, weight decay "
                        + "4e-4, beta lr 5e-4, regressor lr %s, alpha 0.3, rho %s, T 0.01, momentum 0.9, a DaNCE queue "
                        + "of %d batches, %d-d heads (the discriminative-only model: one %d-d embedding), seeds %s. "
                        + "Figures are the last evaluation; mean ± sample standard deviation over the seeds. "
                        + "Whole run: %.1f minutes on this machine.%n%n",
                s.data().getFileName(),
                s.format(),
                s.split(),
                evaluation,
                s.protocol(),
                s.backbone().id(),
                training,
                s.regressorLearningRate(),
                s.rho(),
                s.keyBatches(),
                s.embeddingDim(),
                4 * s.embeddingDim(),
                s.seeds(),
                minutes);
    }

    /** Reads {@code --format}'s short names ({@link DatasetFormat#parse}). */
    static final class FormatConverter implements CommandLine.ITypeConverter<DatasetFormat> {
        @Override
        public DatasetFormat convert(String value) {
            return DatasetFormat.parse(value);
        }
    }

    /** Parses {@code --protocol}. */
    static final class ProtocolConverter implements CommandLine.ITypeConverter<EvaluationProtocol> {
        @Override
        public EvaluationProtocol convert(String value) {
            return EvaluationProtocol.parse(value);
        }
    }
}
