package io.divastream.offline;

import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.DatasetFormat;
import io.divastream.datasets.DatasetSplit;
import io.divastream.datasets.Datasets;
import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.evaluation.RetrievalEvaluator;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.images.PhotoTransforms;
import io.divastream.images.RgbImage;
import io.divastream.model.DivaHead;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.ObjectiveSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.embed.FeatureExtractor;
import io.divastream.model.net.backbone.BackboneSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

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
     * @param data the dataset's archive or folder
     * @param format its layout
     * @param split the class split, e.g. {@code 1-20:21-30}
     * @param backbone the pretrained backbone
     * @param steps optimizer steps per trained model
     * @param evalEvery evaluation cadence
     * @param classesPerBatch classes drawn per batch (with replacement, as the original sampler)
     * @param samplesPerClass images per class draw
     * @param keyBatches batches that fill the DaNCE queue before training
     * @param learningRate learning rate of the backbone (unused with a frozen backbone)
     * @param headLearningRateFactor the heads' learning rate relative to {@code learningRate}
     * @param embeddingDim dimension of each DiVA head; the discriminative-only model has four times it
     * @param seeds the seeds; each trained model is trained once per seed
     * @param models which rows to run: any of {@code pooled}, {@code discriminative}, {@code diva}
     * @param warmupSteps first steps that train the heads only, the backbone frozen (0: none; only
     *     when fine-tuning the backbone)
     * @param featureViews 0 to fine-tune the whole network on photos; otherwise the backbone stays
     *     frozen and the heads train on its cached features of this many random training views of
     *     each training image (the DaNCE views of a step are two different ones)
     * @param viewSeed the seed of the cached views' augmentation (shared by all seeds)
     * @param featureCache a file that keeps the cached features between runs (read if it holds
     *     features made with the same settings, written otherwise), or null
     * @param rho the decorrelation weight of each of the three pairs (the CUB ResNet-50 run's 1500)
     * @param regressorLearningRate the decorrelation regressors' learning rate (the paper's 1e-5,
     *     equal to its network's)
     */
    public record Settings(
            Path data,
            DatasetFormat format,
            String split,
            EvaluationProtocol protocol,
            BackboneSpec backbone,
            int steps,
            int evalEvery,
            int classesPerBatch,
            int samplesPerClass,
            int keyBatches,
            double learningRate,
            double headLearningRateFactor,
            int embeddingDim,
            List<Long> seeds,
            java.util.Set<String> models,
            int warmupSteps,
            int featureViews,
            long viewSeed,
            Path featureCache,
            double rho,
            double regressorLearningRate) {

        /** Validates and copies. */
        public Settings {
            seeds = List.copyOf(seeds);
            models = java.util.Set.copyOf(models);
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("at least one seed is needed");
            }
            for (String m : models) {
                if (!MODELS.contains(m)) {
                    throw new IllegalArgumentException("unknown model '" + m + "': use " + String.join(", ", MODELS));
                }
            }
            if (featureViews < 0) {
                throw new IllegalArgumentException(
                        "feature views must be 0 (fine-tuning) or positive, got " + featureViews);
            }
            if (featureViews > 0 && warmupSteps > 0) {
                throw new IllegalArgumentException("a warm-up needs a backbone that trains: set feature views to 0");
            }
        }

        /**
         * Tells whether the backbone stays frozen and the heads train on cached features.
         *
         * @return true with cached feature views
         */
        public boolean frozen() {
            return featureViews > 0;
        }
    }

    /**
     * One row of the result.
     *
     * @param name the model
     * @param seed the seed of its training (0 without training)
     * @param scores its test scores at the end
     * @param seconds wall time of its training (0 without training)
     * @param extra further figures worth printing (other head weightings, single heads)
     * @param curve every evaluation of a trained model (empty without training)
     */
    public record Row(
            String name,
            long seed,
            RetrievalScores scores,
            double seconds,
            Map<String, Double> extra,
            List<EvaluationPoint> curve) {}

    /** The ablation's rows besides discriminative-only and DiVA, by their {@code --models} name. */
    static final Map<String, AblationVariant> ABLATION_ROWS = Map.of(
            "selfsim", AblationVariant.standard().get(1),
            "shared", AblationVariant.standard().get(2),
            "intra", AblationVariant.standard().get(3),
            "no-decorrelation", AblationVariant.standard().get(4));

    /** Every model a study can run, in report order. */
    static final List<String> MODELS =
            List.of("pooled", "discriminative", "selfsim", "shared", "intra", "no-decorrelation", "diva");

    private final Settings settings;
    private final PrintStream log;
    private int testImages;
    private String evaluation = "";

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
     * 0.3, T 0.01, momentum 0.9; rho and the regressors' learning rate as set; a queue of {@code
     * keyBatches} batches). With a frozen
     * backbone the network is the heads on the cached features, at the heads' learning rate.
     *
     * @param seed the seed
     * @return the configuration
     */
    public DivaConfig divaConfig(long seed) {
        Settings s = settings;
        OptimizerSpec optimizer = s.frozen()
                ? new OptimizerSpec(
                        s.learningRate() * s.headLearningRateFactor(), 4e-4, 5e-4, s.regressorLearningRate())
                : new OptimizerSpec(s.learningRate(), 4e-4, 5e-4, s.regressorLearningRate())
                        .withHeadLearningRateFactor(s.headLearningRateFactor());
        return new DivaConfig(
                new NetworkSpec(
                        trainedBackbone(),
                        s.embeddingDim(),
                        List.of(DivaHead.values()),
                        NetworkSpec.PUBLISHED_DECORRELATION_HIDDEN),
                LossSpec.published().withRho(s.rho()),
                optimizer,
                new MomentumSpec(0.9, s.keyBatches() * s.classesPerBatch() * s.samplesPerClass()),
                ObjectiveSpec.published(),
                seed);
    }

    /** The network's backbone: the pretrained one, or the identity on its cached features. */
    private BackboneSpec trainedBackbone() {
        return settings.frozen() ? BackboneSpec.Features.of(settings.backbone()) : settings.backbone();
    }

    /**
     * The discriminative-only configuration: one embedding of DiVA's total size, margin loss.
     *
     * @param seed the seed
     * @return the configuration
     */
    public DivaConfig discriminativeConfig(long seed) {
        DivaConfig diva = divaConfig(seed);
        return new DivaConfig(
                diva.network()
                        .withHeads(List.of(DivaHead.DISCRIMINATIVE))
                        .withEmbeddingDim(4 * settings.embeddingDim()),
                diva.loss(),
                diva.optimizer(),
                diva.momentum(),
                ObjectiveSpec.withoutDecorrelation(),
                diva.seed());
    }

    /**
     * The number of test images (queries) of the last {@link #run()}, for the test set's standard error.
     *
     * @return the count, 0 before a run
     */
    public int testImages() {
        return testImages;
    }

    /**
     * How the last {@link #run()} searched the test images, for the report.
     *
     * @return e.g. "leave-one-out retrieval among the 586 test images"; empty before a run
     */
    public String evaluation() {
        return evaluation;
    }

    /**
     * Runs the three models, the trained ones once per seed.
     *
     * @return the rows: pooled features, then discriminative only and DiVA for each seed
     * @throws IOException if the data cannot be read
     */
    public List<Row> run() throws IOException {
        long start = System.nanoTime();
        if (settings.frozen() && settings.featureCache() != null && Files.isRegularFile(settings.featureCache())) {
            List<LabeledImages<float[][]>> sets = FeatureCache.load(settings.featureCache(), cacheKey());
            TestImages<float[][]> test =
                    new TestImages<>(sets.get(1), sets.size() > 2 ? Optional.of(sets.get(2)) : Optional.empty());
            log.printf(
                    Locale.ROOT,
                    "read the cached features of %d training and %d test images from %s%n",
                    sets.get(0).size(),
                    sets.get(1).size() + test.gallery().map(LabeledImages::size).orElse(0),
                    settings.featureCache());
            return trainFrozen(sets.get(0), test);
        }
        DatasetSplit split =
                ClassSplit.parse(settings.split()).apply(Datasets.open(settings.format(), settings.data()));
        LabeledImages<RgbImage> train = DecodedImages.photos(split.train());
        TestImages<RgbImage> test = settings.protocol().testImages(split);
        log.printf(
                Locale.ROOT,
                "decoded %d training images of %d classes and %d test images of %d classes in %.0f s; %s%n",
                train.size(),
                train.byClass().size(),
                split.test().size(),
                split.test().classIds().size(),
                (System.nanoTime() - start) / 1e9,
                test.describe());
        ImagePipeline<RgbImage> photos =
                ImagePipeline.photos(new PhotoTransforms(settings.backbone().input()));
        return settings.frozen() ? runFrozen(train, test, photos) : runFineTuned(train, test, photos);
    }

    /** Fine-tunes the whole network on the photos. */
    private List<Row> runFineTuned(
            LabeledImages<RgbImage> train, TestImages<RgbImage> test, ImagePipeline<RgbImage> pipeline) {
        tested(test);
        List<Row> rows = new ArrayList<>();
        if (settings.models().contains("pooled")) {
            long t0 = System.nanoTime();
            rows.add(pooledRow(
                    test,
                    part -> {
                        float[][] evalViews = new float[part.size()][];
                        for (int i = 0; i < evalViews.length; i++) {
                            evalViews[i] = pipeline.evalView(part.images().get(i));
                        }
                        return BackboneFeatures.embed(settings.backbone(), evalViews);
                    },
                    t0));
        }
        rows.addAll(trainAll(pipeline, train, test));
        return rows;
    }

    /** Caches the frozen backbone's features once, then trains the heads on them. */
    private List<Row> runFrozen(
            LabeledImages<RgbImage> train, TestImages<RgbImage> test, ImagePipeline<RgbImage> photos)
            throws IOException {
        tested(test);
        List<Row> rows = new ArrayList<>();
        LabeledImages<float[][]> trainFeatures;
        TestImages<float[][]> testFeatures;
        try (FeatureExtractor extractor = new FeatureExtractor(settings.backbone())) {
            long t0 = System.nanoTime();
            testFeatures = test.map(part -> FeatureCache.evalViews(extractor, part, photos));
            if (settings.models().contains("pooled")) {
                rows.add(pooledRow(testFeatures, CubStudy::pooled, t0));
            }
            if (settings.models().equals(java.util.Set.of("pooled"))) {
                return rows; // nothing trains: the training views are not needed
            }
            long t1 = System.nanoTime();
            int every = Math.max(1, train.size() / 10);
            int[] reported = {0};
            trainFeatures = FeatureCache.trainViews(
                    extractor, train, photos, settings.featureViews(), settings.viewSeed(), done -> {
                        if (done / every > reported[0] || done == train.size()) {
                            reported[0] = done / every;
                            log.printf(
                                    Locale.ROOT,
                                    "cached %d x %d training views in %.0f s%n",
                                    done,
                                    settings.featureViews(),
                                    (System.nanoTime() - t1) / 1e9);
                        }
                    });
        }
        if (settings.featureCache() != null) {
            List<LabeledImages<float[][]>> sets = new ArrayList<>(List.of(trainFeatures, testFeatures.queries()));
            testFeatures.gallery().ifPresent(sets::add);
            FeatureCache.save(settings.featureCache(), cacheKey(), sets);
            log.println("wrote the cached features to " + settings.featureCache());
        }
        rows.addAll(trainAll(ImagePipeline.cachedFeatures(), trainFeatures, testFeatures));
        return rows;
    }

    /** Trains on features read from the cache file; the pooled row comes from the test features. */
    private List<Row> trainFrozen(LabeledImages<float[][]> trainFeatures, TestImages<float[][]> testFeatures) {
        tested(testFeatures);
        List<Row> rows = new ArrayList<>();
        if (settings.models().contains("pooled")) {
            rows.add(pooledRow(testFeatures, CubStudy::pooled, System.nanoTime()));
        }
        rows.addAll(trainAll(ImagePipeline.cachedFeatures(), trainFeatures, testFeatures));
        return rows;
    }

    /** The L2-normalised evaluation features of each test image. */
    private static float[][] pooled(LabeledImages<float[][]> testFeatures) {
        float[][] pooled = new float[testFeatures.size()][];
        for (int i = 0; i < pooled.length; i++) {
            pooled[i] = testFeatures.images().get(i)[0];
        }
        return EmbeddingCombiner.unitRows(pooled);
    }

    /** Notes the queries (for the standard error) and how the test images are searched. */
    private void tested(TestImages<?> test) {
        testImages = test.queries().size();
        evaluation = test.describe();
    }

    /** What the cached features depend on. */
    private String cacheKey() {
        return String.format(
                Locale.ROOT,
                "data %s, split %s, protocol %s, backbone %s, %d views, view seed %d",
                settings.data().toAbsolutePath().normalize(),
                settings.split(),
                settings.protocol(),
                settings.backbone().id(),
                settings.featureViews(),
                settings.viewSeed());
    }

    private <T> Row pooledRow(TestImages<T> test, Function<LabeledImages<T>, float[][]> embed, long startNanos) {
        RetrievalScores scores = test.evaluate(new RetrievalEvaluator(), embed);
        log.printf(
                Locale.ROOT,
                "pooled %s features: R@1 %.4f NMI %.4f (%.0f s)%n",
                settings.backbone().id(),
                scores.recallAt1(),
                scores.nmi(),
                (System.nanoTime() - startNanos) / 1e9);
        return new Row(
                settings.backbone().id() + " pooled features, "
                        + settings.backbone().featureDim() + "-d, no training",
                0,
                scores,
                0,
                Map.of(),
                List.of());
    }

    private <T> List<Row> trainAll(ImagePipeline<T> pipeline, LabeledImages<T> train, TestImages<T> test) {
        RetrievalEvaluator evaluator = new RetrievalEvaluator();
        int stepsPerEpoch = Math.max(1, train.size() / (settings.classesPerBatch() * settings.samplesPerClass()));
        RunSpec run = new RunSpec(
                settings.steps(),
                settings.evalEvery(),
                settings.keyBatches(),
                settings.classesPerBatch(),
                settings.samplesPerClass(),
                SamplingMode.WITH_REPLACEMENT,
                settings.warmupSteps());
        log.printf(
                Locale.ROOT,
                "%d steps of %d images = %.1f epochs of %d steps%n",
                settings.steps(),
                run.batchSize(),
                settings.steps() / (double) stepsPerEpoch,
                stepsPerEpoch);
        Map<String, double[]> weightings = new LinkedHashMap<>();
        weightings.put("0.75-1.25-1.25-1.25", new double[] {0.75, 1.25, 1.25, 1.25});
        weightings.put("0.5-1-1-1", new double[] {0.5, 1, 1, 1});
        weightings.put("0.5-1.5-1.5-1.5", new double[] {0.5, 1.5, 1.5, 1.5});
        List<Row> rows = new ArrayList<>();
        for (long seed : settings.seeds()) {
            if (settings.models().contains("discriminative")) {
                rows.add(train(
                        discriminativeName(),
                        seed,
                        discriminativeConfig(seed),
                        pipeline,
                        evaluator,
                        train,
                        test,
                        run,
                        Map.of()));
            }
            for (String model : MODELS) {
                AblationVariant row = ABLATION_ROWS.get(model);
                if (row != null && settings.models().contains(model)) {
                    String name = row.name() + " (" + settings.embeddingDim() + "-d heads)";
                    rows.add(train(
                            name,
                            seed,
                            row.apply(divaConfig(seed), seed),
                            pipeline,
                            evaluator,
                            train,
                            test,
                            run,
                            Map.of()));
                }
            }
            if (settings.models().contains("diva")) {
                rows.add(train(divaName(), seed, divaConfig(seed), pipeline, evaluator, train, test, run, weightings));
            }
        }
        return rows;
    }

    private String discriminativeName() {
        return "discriminative only (margin loss, one " + 4 * settings.embeddingDim() + "-d embedding)";
    }

    private String divaName() {
        return "DiVA (4 x " + settings.embeddingDim() + "-d, decorrelation, equal weights)";
    }

    private <T> Row train(
            String name,
            long seed,
            DivaConfig config,
            ImagePipeline<T> pipeline,
            RetrievalEvaluator evaluator,
            LabeledImages<T> train,
            TestImages<T> test,
            RunSpec run,
            Map<String, double[]> weightings) {
        BatchTrainer<T> trainer = new BatchTrainer<>(config, pipeline, weightings, evaluator);
        List<EvaluationPoint> points = trainer.run(
                train,
                test,
                run,
                p -> log.printf(
                        Locale.ROOT,
                        "%s seed %d step %d: R@1 %.4f NMI %.4f (%.0f s training)%n",
                        name,
                        seed,
                        p.step(),
                        p.primary().recallAt1(),
                        p.primary().nmi(),
                        p.trainingSeconds()));
        EvaluationPoint last = points.get(points.size() - 1);
        Map<String, Double> extra = new LinkedHashMap<>();
        last.heads().forEach((head, scores) -> extra.put("head " + head, scores.recallAt1()));
        last.combined().forEach((w, scores) -> extra.put("weights " + w, scores.recallAt1()));
        return new Row(name, seed, last.primary(), last.trainingSeconds(), extra, points);
    }
}
