package io.divastream.model.batch;

import io.divastream.model.DivaHead;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.ObjectiveSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.data.ClassSplit;
import io.divastream.model.data.CubReader;
import io.divastream.model.data.DatasetSplit;
import io.divastream.model.eval.RetrievalEvaluator;
import io.divastream.model.eval.RetrievalScores;
import io.divastream.model.image.PhotoTransforms;
import io.divastream.model.image.RgbImage;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CUB study: on a class split of CUB-200-2011 with a pretrained backbone, compares the
 * backbone's own pooled features (no training), a discriminative-only model (margin loss with
 * distance-weighted sampling on one embedding of DiVA's total size) and DiVA (four heads with
 * decorrelation), all fine-tuned by the same trainer with the same batches, schedule and seed.
 */
public final class CubStudy {

    /**
     * The study's settings.
     *
     * @param data the CUB archive or folder
     * @param split the class split, e.g. {@code 1-20:21-30}
     * @param backbone the pretrained backbone
     * @param steps optimizer steps per trained model
     * @param evalEvery evaluation cadence
     * @param classesPerBatch classes drawn per batch (with replacement, as the original sampler)
     * @param samplesPerClass images per class draw
     * @param keyBatches batches that fill the DaNCE queue before training
     * @param learningRate learning rate of the backbone
     * @param headLearningRateFactor the heads' learning rate relative to the backbone's
     * @param embeddingDim dimension of each DiVA head; the discriminative-only model has four times it
     * @param seed the seed
     * @param models which rows to run: any of {@code pooled}, {@code discriminative}, {@code diva}
     * @param warmupSteps first steps that train the heads only, the backbone frozen (0: none)
     */
    public record Settings(
            Path data,
            String split,
            BackboneSpec backbone,
            int steps,
            int evalEvery,
            int classesPerBatch,
            int samplesPerClass,
            int keyBatches,
            double learningRate,
            double headLearningRateFactor,
            int embeddingDim,
            long seed,
            java.util.Set<String> models,
            int warmupSteps) {}

    /**
     * One row of the result.
     *
     * @param name the model
     * @param scores its test scores at the end
     * @param seconds wall time of its training (0 without training)
     * @param extra further figures worth printing (other head weightings, single heads)
     * @param curve every evaluation of a trained model (empty without training)
     */
    public record Row(String name, RetrievalScores scores, double seconds, Map<String, Double> extra,
            List<EvaluationPoint> curve) {}

    private final Settings settings;
    private final PrintStream log;

    /**
     * Creates a study.
     *
     * @param settings the settings
     * @param log receives progress lines
     */
    public CubStudy(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    /**
     * The DiVA configuration of the study (the CUB ResNet-50 sample run's loss constants: alpha
     * 0.3, rho 1500, T 0.01, momentum 0.9; a queue of {@code keyBatches} batches).
     *
     * @return the configuration
     */
    public DivaConfig divaConfig() {
        Settings s = settings;
        return new DivaConfig(
                new NetworkSpec(s.backbone(), s.embeddingDim(), List.of(DivaHead.values()), 512),
                new LossSpec(0.2, 1.2, 0.5, 0.3, 0.3, 0.3, 1500, 0.01, 1.4, false),
                new OptimizerSpec(s.learningRate(), 4e-4, 5e-4, 1e-5).withHeadLearningRateFactor(s.headLearningRateFactor()),
                new MomentumSpec(0.9, s.keyBatches() * s.classesPerBatch() * s.samplesPerClass()),
                ObjectiveSpec.published(),
                s.seed());
    }

    /**
     * The discriminative-only configuration: one embedding of DiVA's total size, margin loss.
     *
     * @return the configuration
     */
    public DivaConfig discriminativeConfig() {
        DivaConfig diva = divaConfig();
        return new DivaConfig(
                diva.network().withHeads(List.of(DivaHead.DISCRIMINATIVE)).withEmbeddingDim(4 * settings.embeddingDim()),
                diva.loss(), diva.optimizer(), diva.momentum(), ObjectiveSpec.withoutDecorrelation(), diva.seed());
    }

    /**
     * Runs the three models.
     *
     * @return the rows: pooled features, discriminative only, DiVA
     * @throws IOException if the data cannot be read
     */
    public List<Row> run() throws IOException {
        long start = System.nanoTime();
        DatasetSplit split = ClassSplit.parse(settings.split()).apply(CubReader.read(settings.data()));
        LabeledImages<RgbImage> train = DecodedImages.photos(split.train());
        LabeledImages<RgbImage> test = DecodedImages.photos(split.test());
        log.printf(Locale.ROOT, "decoded %d training images of %d classes and %d test images of %d classes in %.0f s%n",
                train.size(), train.byClass().size(), test.size(), test.byClass().size(), (System.nanoTime() - start) / 1e9);
        ImagePipeline<RgbImage> pipeline = ImagePipeline.photos(new PhotoTransforms(settings.backbone().input()));
        RetrievalEvaluator evaluator = new RetrievalEvaluator();
        List<Row> rows = new ArrayList<>();

        if (settings.models().contains("pooled")) {
        long t0 = System.nanoTime();
        float[][] evalViews = new float[test.size()][];
        for (int i = 0; i < evalViews.length; i++) {
            evalViews[i] = pipeline.evalView(test.images().get(i));
        }
        RetrievalScores pooled = evaluator.evaluate(BackboneFeatures.embed(settings.backbone(), evalViews), test.classIndices());
        log.printf(Locale.ROOT, "pooled %s features: R@1 %.4f NMI %.4f (%.0f s)%n", settings.backbone().id(),
                pooled.recallAt1(), pooled.nmi(), (System.nanoTime() - t0) / 1e9);
        rows.add(new Row(settings.backbone().id() + " pooled features, " + settings.backbone().featureDim()
                + "-d, no training", pooled, 0, Map.of(), List.of()));
        }

        int stepsPerEpoch = Math.max(1, train.size() / (settings.classesPerBatch() * settings.samplesPerClass()));
        RunSpec run = new RunSpec(settings.steps(), settings.evalEvery(), settings.keyBatches(),
                settings.classesPerBatch(), settings.samplesPerClass(), SamplingMode.WITH_REPLACEMENT,
                settings.warmupSteps());
        log.printf(Locale.ROOT, "%d steps of %d images = %.1f epochs of %d steps%n", settings.steps(), run.batchSize(),
                settings.steps() / (double) stepsPerEpoch, stepsPerEpoch);
        if (settings.models().contains("discriminative")) {
            rows.add(train("discriminative only (margin loss, one " + 4 * settings.embeddingDim() + "-d embedding)",
                    discriminativeConfig(), pipeline, evaluator, train, test, run, Map.of()));
        }
        Map<String, double[]> weightings = new LinkedHashMap<>();
        weightings.put("0.75-1.25-1.25-1.25", new double[] {0.75, 1.25, 1.25, 1.25});
        weightings.put("0.5-1-1-1", new double[] {0.5, 1, 1, 1});
        weightings.put("0.5-1.5-1.5-1.5", new double[] {0.5, 1.5, 1.5, 1.5});
        if (settings.models().contains("diva")) {
            rows.add(train("DiVA (4 x " + settings.embeddingDim() + "-d, decorrelation, equal weights)",
                    divaConfig(), pipeline, evaluator, train, test, run, weightings));
        }
        return rows;
    }

    private Row train(String name, DivaConfig config, ImagePipeline<RgbImage> pipeline, RetrievalEvaluator evaluator,
            LabeledImages<RgbImage> train, LabeledImages<RgbImage> test, RunSpec run, Map<String, double[]> weightings) {
        BatchTrainer<RgbImage> trainer = new BatchTrainer<>(config, pipeline, weightings, evaluator);
        List<EvaluationPoint> points = trainer.run(train, test, run, p -> log.printf(Locale.ROOT,
                "%s step %d: R@1 %.4f NMI %.4f (%.0f s training)%n", name, p.step(), p.primary().recallAt1(),
                p.primary().nmi(), p.trainingSeconds()));
        EvaluationPoint last = points.get(points.size() - 1);
        Map<String, Double> extra = new LinkedHashMap<>();
        last.heads().forEach((head, scores) -> extra.put("head " + head, scores.recallAt1()));
        last.combined().forEach((w, scores) -> extra.put("weights " + w, scores.recallAt1()));
        return new Row(name, last.primary(), last.trainingSeconds(), extra, points);
    }

    /**
     * Formats the rows as a Markdown table.
     *
     * @param rows the rows
     * @return the table
     */
    public static String markdown(List<Row> rows) {
        StringBuilder out = new StringBuilder(
                "| Model | Recall@1 | Recall@2 | Recall@4 | NMI | MAP@R | training s |\n|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            RetrievalScores s = row.scores();
            out.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.0f |%n", row.name(),
                    s.recallAt1(), s.recallAt2(), s.recallAt4(), s.nmi(), s.mapAtR(), row.seconds()));
        }
        out.append("\nRecall@1 of the test-time embedding after each evaluation (step: R@1):\n\n");
        for (Row row : rows) {
            if (!row.curve().isEmpty()) {
                out.append("- ").append(row.name()).append(":");
                for (EvaluationPoint p : row.curve()) {
                    out.append(String.format(Locale.ROOT, " %d: %.4f;", p.step(), p.primary().recallAt1()));
                }
                out.append(String.format(Locale.ROOT, " best %.4f%n", row.curve().stream()
                        .mapToDouble(p -> p.primary().recallAt1()).max().orElse(Double.NaN)));
            }
        }
        for (Row row : rows) {
            if (!row.extra().isEmpty()) {
                out.append("\n").append(row.name()).append(", Recall@1 of the parts:");
                row.extra().forEach((k, v) -> out.append(String.format(Locale.ROOT, " %s %.4f;", k, v)));
                out.append("\n");
            }
        }
        return out.toString();
    }
}
