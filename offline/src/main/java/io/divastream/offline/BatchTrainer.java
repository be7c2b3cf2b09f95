package io.divastream.offline;

import io.divastream.evaluation.EmbeddingCombiner;
import io.divastream.evaluation.RetrievalEvaluator;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.model.DivaHead;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.embed.Embedder;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.TrainingDivergedException;
import io.divastream.model.train.ViewAugmenter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains DiVA offline over a fixed training set with the same {@link DivaTrainer} the streaming job
 * uses, and evaluates the held-out test classes at a fixed cadence: each head alone and the
 * weighted concatenations of the heads (DIVA_SPEC sections 1.5, 4 and 6).
 */
public final class BatchTrainer<T> {

    /** Name of the equally weighted concatenation. */
    public static final String EQUAL_WEIGHTS = "equal";

    private final DivaConfig config;
    private final ImagePipeline<T> pipeline;
    private final Map<String, double[]> weightings;
    private final RetrievalEvaluator evaluator;

    /**
     * Creates a batch trainer.
     *
     * @param config the model and training configuration (its seed drives sampling too)
     * @param pipeline makes the training and evaluation views of each image
     * @param weightings extra head weightings to evaluate, by name, each with one weight per head;
     *     the equal weighting is always evaluated
     * @param evaluator the retrieval evaluator
     */
    public BatchTrainer(
            DivaConfig config,
            ImagePipeline<T> pipeline,
            Map<String, double[]> weightings,
            RetrievalEvaluator evaluator) {
        this.config = config;
        this.pipeline = pipeline;
        int heads = config.network().heads().size();
        Map<String, double[]> all = new LinkedHashMap<>();
        if (heads > 1) {
            double[] equal = new double[heads];
            java.util.Arrays.fill(equal, 1.0);
            all.put(EQUAL_WEIGHTS, equal);
            for (Map.Entry<String, double[]> w : weightings.entrySet()) {
                if (w.getValue().length != heads) {
                    throw new IllegalArgumentException("weighting " + w.getKey() + " has " + w.getValue().length
                            + " weights for " + heads + " heads");
                }
                all.put(w.getKey(), w.getValue().clone());
            }
        }
        this.weightings = all;
        this.evaluator = evaluator;
    }

    /**
     * Runs the training and the evaluations.
     *
     * @param train the training images (their classes are the training classes)
     * @param test the test images (classes disjoint from training, leave-one-out retrieval)
     * @param run steps, batches and cadence
     * @param progress receives every evaluation as it is made
     * @return every evaluation, in step order
     */
    public List<EvaluationPoint> run(
            LabeledImages<T> train, LabeledImages<T> test, RunSpec run, Consumer<EvaluationPoint> progress) {
        return run(train, new TestImages<>(test, java.util.Optional.empty()), run, progress);
    }

    /**
     * Runs the training and evaluates query against gallery (the In-Shop protocol): each query is
     * ranked against the gallery only, nothing excluded (DIVA_SPEC section 6).
     *
     * @param train the training images
     * @param queries the query images
     * @param gallery the gallery images (query and gallery classes may overlap; both are disjoint
     *     from the training classes)
     * @param run steps, batches and cadence
     * @param progress receives every evaluation as it is made
     * @return every evaluation, in step order
     */
    public List<EvaluationPoint> run(
            LabeledImages<T> train,
            LabeledImages<T> queries,
            LabeledImages<T> gallery,
            RunSpec run,
            Consumer<EvaluationPoint> progress) {
        return run(train, new TestImages<>(queries, java.util.Optional.of(gallery)), run, progress);
    }

    /**
     * Runs the training and evaluates on the test images as their protocol says.
     *
     * @param train the training images
     * @param test the test images: leave-one-out, or queries against a gallery
     * @param run steps, batches and cadence
     * @param progress receives every evaluation as it is made
     * @return every evaluation, in step order
     */
    public List<EvaluationPoint> run(
            LabeledImages<T> train, TestImages<T> test, RunSpec run, Consumer<EvaluationPoint> progress) {
        LabeledImages<T> queries = test.queries();
        LabeledImages<T> gallery = test.gallery().orElse(null);
        if (gallery != null && (queries.size() == 0 || gallery.size() == 0)) {
            throw new IllegalArgumentException("query/gallery evaluation needs both: " + queries.size() + " queries, "
                    + gallery.size() + " gallery images");
        }
        List<float[]> views = new ArrayList<>();
        queries.images().forEach(image -> views.add(pipeline.evalView(image)));
        if (gallery != null) {
            gallery.images().forEach(image -> views.add(pipeline.evalView(image)));
        }
        int rankedAgainstGallery = gallery == null ? 0 : queries.size();
        return run(
                train,
                new TestSet(views.toArray(float[][]::new), test.classIndices(), rankedAgainstGallery),
                run,
                progress);
    }

    /**
     * Evaluation views with their class indices; the first {@code queries} rank against the rest, or all
     * leave-one-out if 0.
     */
    private record TestSet(float[][] views, int[] labels, int queries) {}

    private List<EvaluationPoint> run(
            LabeledImages<T> train, TestSet test, RunSpec run, Consumer<EvaluationPoint> progress) {
        ClassBalancedSampler sampler =
                new ClassBalancedSampler(train, run.classesPerBatch(), run.samplesPerClass(), run.sampling());
        SplittableRandom random = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + 1);
        int classes = train.byClass().size();
        List<EvaluationPoint> points = new ArrayList<>();
        try (DivaTrainer trainer = new DivaTrainer(config, ViewAugmenter.IDENTITY, classes);
                Embedder embedder = new Embedder(config.network())) {
            for (int i = 0; i < run.queueInitBatches(); i++) {
                trainer.enqueueKeys(imagesOf(train, sampler.next(random)), pipeline.asTrainingView());
            }
            long nanos = 0;
            int skipped = 0;
            for (long s = 1; s <= run.steps(); s++) {
                int[] batch = sampler.next(random);
                List<String> labels = new ArrayList<>(batch.length);
                for (int index : batch) {
                    labels.add(train.labels().get(index));
                }
                List<T> images = imagesOf(train, batch);
                if (run.warmupSteps() > 0 && (s == 1 || s == run.warmupSteps() + 1)) {
                    trainer.freezeBackbone(s <= run.warmupSteps());
                }
                long start = System.nanoTime();
                try {
                    trainer.step(labels, images, pipeline.asTrainingView());
                } catch (TrainingDivergedException e) {
                    skipped++;
                }
                nanos += System.nanoTime() - start;
                if (s % run.evalEvery() == 0 || s == run.steps()) {
                    embedder.load(trainer.snapshot(s));
                    EvaluationPoint point = evaluate(embedder.embed(test.views()), test, s, nanos / 1e9, skipped);
                    points.add(point);
                    progress.accept(point);
                }
            }
        }
        return points;
    }

    private List<T> imagesOf(LabeledImages<T> images, int[] batch) {
        List<T> out = new ArrayList<>(batch.length);
        for (int index : batch) {
            out.add(images.images().get(index));
        }
        return out;
    }

    private EvaluationPoint evaluate(float[][][] heads, TestSet test, long step, double seconds, int skipped) {
        Map<String, RetrievalScores> perHead = new LinkedHashMap<>();
        List<DivaHead> order = config.network().heads();
        for (int h = 0; h < heads.length; h++) {
            perHead.put(order.get(h).id(), score(heads[h], test));
        }
        Map<String, RetrievalScores> combined = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> w : weightings.entrySet()) {
            combined.put(w.getKey(), score(EmbeddingCombiner.combine(heads, w.getValue()), test));
        }
        return new EvaluationPoint(step, seconds, skipped, perHead, combined);
    }

    private RetrievalScores score(float[][] embeddings, TestSet test) {
        if (test.queries() == 0) {
            return evaluator.evaluate(embeddings, test.labels());
        }
        int q = test.queries();
        return evaluator.evaluate(
                java.util.Arrays.copyOfRange(embeddings, 0, q),
                java.util.Arrays.copyOfRange(test.labels(), 0, q),
                java.util.Arrays.copyOfRange(embeddings, q, embeddings.length),
                java.util.Arrays.copyOfRange(test.labels(), q, test.labels().length));
    }
}
