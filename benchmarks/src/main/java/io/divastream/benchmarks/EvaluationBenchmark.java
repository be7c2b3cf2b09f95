package io.divastream.benchmarks;

import io.divastream.evaluation.EvaluationConfig;
import io.divastream.evaluation.KMeans;
import io.divastream.evaluation.KMeansConfig;
import io.divastream.evaluation.KMeansResult;
import io.divastream.evaluation.MapAtC;
import io.divastream.evaluation.MapAtR;
import io.divastream.evaluation.MapAtRResult;
import io.divastream.evaluation.NearestNeighbours;
import io.divastream.evaluation.NormalizedMutualInformation;
import io.divastream.evaluation.PairwiseF1;
import io.divastream.evaluation.PrecisionAtOne;
import io.divastream.evaluation.RecallAtK;
import io.divastream.evaluation.RetrievalEvaluator;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.jobs.config.DivaOption;
import io.divastream.jobs.config.OptionSet;
import io.divastream.jobs.config.OptionType;
import io.divastream.model.logging.ConsoleLogging;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.flink.configuration.Configuration;

/**
 * The evaluation benchmark of issue 5: the metric suite on clustered synthetic embeddings of the size of Stanford
 * Online Products' test set (60,502 rows, 11,316 classes of 2 to 12 images, d = 512, L2-normalised), with time and
 * peak memory, against a naive full-matrix computation in the same run. Design notes:
 * docs/design-notes.md#evaluationbenchmark.
 */
public final class EvaluationBenchmark {

    private static final DivaOption<Integer> N =
            DivaOption.of("n", OptionType.integer(2, 100_000_000), "60502", "rows of the synthetic test set");
    private static final DivaOption<Integer> CLASSES =
            DivaOption.of("classes", OptionType.integer(1, 100_000_000), "11316", "classes of the synthetic test set");
    private static final DivaOption<Integer> MIN_SIZE =
            DivaOption.of("min-size", OptionType.integer(1, 1_000_000), "2", "fewest rows of a class");
    private static final DivaOption<Integer> MAX_SIZE =
            DivaOption.of("max-size", OptionType.integer(1, 1_000_000), "12", "most rows of a class");
    private static final DivaOption<Integer> DIM =
            DivaOption.of("dim", OptionType.integer(1, 65_536), "512", "embedding dimension");
    private static final DivaOption<Double> NOISE = DivaOption.of(
            "noise",
            OptionType.number(0, 1e6),
            "2.5",
            "norm of the per-image offset from its class centre relative to the unit centre (larger lowers Recall@1)");
    private static final DivaOption<Integer> SUBSET = DivaOption.of(
            "subset",
            OptionType.integer(2, 100_000_000),
            "10000",
            "rows of the subset the naive full-matrix computation also scores");
    private static final DivaOption<Integer> KMEANS_ITERATIONS = DivaOption.of(
            "kmeans-iterations",
            OptionType.integer(1, 10_000),
            "20",
            "k-means iterations (20, as faiss and the original code)");
    private static final DivaOption<List<Integer>> RECALL_KS = DivaOption.of(
            "recall-ks", OptionType.integers(), "1,10,100", "k of Recall@k (as the DiVA code logs for SOP)");
    private static final DivaOption<Long> SEED =
            DivaOption.of("seed", OptionType.longInteger(Long.MIN_VALUE, Long.MAX_VALUE), "7", "seed of the data");
    private static final DivaOption<List<String>> PHASES = DivaOption.of(
            "phases",
            OptionType.words(),
            "subset-chunked,subset-naive,full-retrieval,full-kmeans,full-suite",
            "the phases to run, in order");

    private static final OptionSet OPTIONS = OptionSet.of(
            List.of(N, CLASSES, MIN_SIZE, MAX_SIZE, DIM, NOISE, SUBSET, KMEANS_ITERATIONS, RECALL_KS, SEED, PHASES));

    private EvaluationBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args options {@code --name=value}, see the class documentation
     */
    public static void main(String[] args) {
        ConsoleLogging.start(EvaluationBenchmark.class);
        Configuration options = OPTIONS.parse(args);
        int n = N.get(options);
        int classes = CLASSES.get(options);
        int minSize = MIN_SIZE.get(options);
        int maxSize = MAX_SIZE.get(options);
        int dim = DIM.get(options);
        double noise = NOISE.get(options);
        int subset = Math.min(n, SUBSET.get(options));
        int kMeansIterations = KMEANS_ITERATIONS.get(options);
        long seed = SEED.get(options);
        List<Integer> ks = RECALL_KS.get(options);
        List<String> phases = PHASES.get(options);

        System.out.printf(
                Locale.ROOT,
                "EvaluationBenchmark: n=%d classes=%d sizes=%d..%d d=%d noise=%.3f subset=%d "
                        + "k-means iterations=%d recall ks=%s seed=%d; %d cores, max heap %d MB%n",
                n,
                classes,
                minSize,
                maxSize,
                dim,
                noise,
                subset,
                kMeansIterations,
                ks,
                seed,
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        long start = System.nanoTime();
        int[] labels = SyntheticEmbeddings.classLabels(n, classes, minSize, maxSize, seed);
        float[][] x = SyntheticEmbeddings.clustered(labels, dim, noise, seed + 1);
        System.out.printf(Locale.ROOT, "data generated in %.1f s%n", (System.nanoTime() - start) / 1e9);
        float[][] xs = Arrays.copyOf(x, subset);
        int[] ls = Arrays.copyOf(labels, subset);

        double[] chunkedSubset = null;
        for (String phase : phases) {
            PeakMemory.reset();
            long t0 = System.nanoTime();
            String result;
            switch (phase.trim()) {
                case "subset-chunked" -> {
                    chunkedSubset = chunkedRetrieval(xs, ls, ks);
                    result = format(ks, chunkedSubset);
                }
                case "subset-naive" -> {
                    double[] naive = NaiveFullMatrix.retrieval(xs, ls, ks);
                    result = format(ks, naive);
                    if (chunkedSubset != null) {
                        double diff = 0.0;
                        for (int i = 0; i < naive.length; i++) {
                            diff = Math.max(diff, Math.abs(naive[i] - chunkedSubset[i]));
                        }
                        result += String.format(Locale.ROOT, " | max |naive - chunked| = %.2e", diff);
                    }
                }
                case "full-retrieval" -> result = format(ks, chunkedRetrieval(x, labels, ks));
                case "full-kmeans" -> {
                    KMeansResult clustering = new KMeans(new KMeansConfig(
                                    classes,
                                    kMeansIterations,
                                    1,
                                    KMeansConfig.DEFAULT_TOLERANCE,
                                    seed,
                                    KMeansConfig.Seeding.RANDOM_POINTS))
                            .fit(x);
                    int[] assignments = clustering.assignments();
                    result = String.format(
                            Locale.ROOT,
                            "k=%d iterations=%d inertia=%.1f non-empty clusters=%d " + "NMI=%.4f F1=%.4f",
                            classes,
                            clustering.iterations(),
                            clustering.inertia(),
                            Arrays.stream(assignments).distinct().count(),
                            NormalizedMutualInformation.compute(labels, assignments),
                            PairwiseF1.compute(labels, assignments));
                }
                case "full-suite" -> {
                    EvaluationConfig config = EvaluationConfig.defaults()
                            .withSeed(seed)
                            .withRecallKs(ks)
                            .withKMeansMaxIterations(kMeansIterations)
                            .withKMeansSeeding(KMeansConfig.Seeding.RANDOM_POINTS);
                    RetrievalScores s = new RetrievalEvaluator(config).evaluate(x, labels);
                    result = String.format(
                            Locale.ROOT,
                            "%s NMI=%.4f F1=%.4f clusters=%d",
                            format(ks, new double[] {
                                recallOr(s, ks, 0),
                                recallOr(s, ks, 1),
                                recallOr(s, ks, 2),
                                recallOr(s, ks, 3),
                                s.mapAtR(),
                                s.rPrecision(),
                                s.precisionAt1(),
                                s.mapAtC()
                            }),
                            s.nmi(),
                            s.f1(),
                            s.clusters());
                }
                default ->
                    throw new IllegalArgumentException("unknown phase '" + phase + "'; known: "
                            + "subset-chunked, subset-naive, full-retrieval, full-kmeans, full-suite");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "%-15s rows=%6d time=%8.1f s  peak heap=%6d MB  %s%n    %s%n",
                    phase,
                    phase.startsWith("subset") ? subset : n,
                    seconds,
                    PeakMemory.heapPeakBytes() >> 20,
                    PeakMemory.residentSummary(),
                    result);
        }
    }

    /** Recall@k of the first four ks followed by MAP@R, R-Precision, Precision@1 and mAP_c. */
    private static double[] chunkedRetrieval(float[][] x, int[] labels, List<Integer> ks) {
        RecallAtK recallAtK = new RecallAtK(ks, RecallAtK.SingletonPolicy.COUNT_AS_MISS);
        int m = Math.max(recallAtK.requiredNeighbours(), MapAtC.requiredNeighbours(labels));
        int[][] neighbours = new NearestNeighbours(m).search(x);
        double[] recall = recallAtK.compute(neighbours, labels);
        MapAtRResult map = new MapAtR().compute(neighbours, labels);
        double[] out = new double[ks.size() + 4];
        System.arraycopy(recall, 0, out, 0, ks.size());
        out[ks.size()] = map.mapAtR();
        out[ks.size() + 1] = map.rPrecision();
        out[ks.size() + 2] = PrecisionAtOne.compute(neighbours, labels);
        out[ks.size() + 3] = new MapAtC().compute(neighbours, labels);
        return out;
    }

    private static double recallOr(RetrievalScores s, List<Integer> ks, int i) {
        return i < ks.size() ? s.recallAt(ks.get(i)) : Double.NaN;
    }

    private static String format(List<Integer> ks, double[] values) {
        StringBuilder b = new StringBuilder();
        int r = Math.min(ks.size(), values.length - 4);
        for (int i = 0; i < r; i++) {
            b.append(String.format(Locale.ROOT, "R@%d=%.4f ", ks.get(i), values[i]));
        }
        b.append(String.format(
                Locale.ROOT,
                "MAP@R=%.4f RP=%.4f P@1=%.4f mAP_c=%.4f",
                values[values.length - 4],
                values[values.length - 3],
                values[values.length - 2],
                values[values.length - 1]));
        return b.toString();
    }

    /** Class sizes and embeddings of the synthetic test set. */
    static final class SyntheticEmbeddings {

        private SyntheticEmbeddings() {}

        /**
         * Labels grouped by class (rows of one class are adjacent): every class gets {@code minSize} rows,
         * the rest go one by one to uniformly drawn classes below {@code maxSize}.
         */
        static int[] classLabels(int n, int classes, int minSize, int maxSize, long seed) {
            if ((long) classes * minSize > n || (long) classes * maxSize < n) {
                throw new IllegalArgumentException(
                        n + " rows cannot be split into " + classes + " classes of " + minSize + " to " + maxSize);
            }
            int[] sizes = new int[classes];
            Arrays.fill(sizes, minSize);
            List<Integer> open = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                open.add(c);
            }
            SplittableRandom random = new SplittableRandom(seed);
            for (int extra = n - classes * minSize; extra > 0; extra--) {
                int slot = random.nextInt(open.size());
                int c = open.get(slot);
                if (++sizes[c] == maxSize) {
                    open.set(slot, open.get(open.size() - 1));
                    open.remove(open.size() - 1);
                }
            }
            int[] labels = new int[n];
            int row = 0;
            for (int c = 0; c < classes; c++) {
                for (int i = 0; i < sizes[c]; i++) {
                    labels[row++] = c;
                }
            }
            return labels;
        }

        /**
         * Rows {@code normalise(centre_c + noise * g / sqrt(d))} with unit Gaussian class centres and
         * standard Gaussian {@code g}.
         */
        static float[][] clustered(int[] labels, int dim, double noise, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            int classes = Arrays.stream(labels).max().orElse(-1) + 1;
            double[][] centres = new double[classes][];
            for (int c = 0; c < classes; c++) {
                centres[c] = unit(gaussian(random, dim));
            }
            double scale = noise / Math.sqrt(dim);
            float[][] x = new float[labels.length][dim];
            for (int i = 0; i < labels.length; i++) {
                double[] v = gaussian(random, dim);
                double[] centre = centres[labels[i]];
                for (int t = 0; t < dim; t++) {
                    v[t] = centre[t] + scale * v[t];
                }
                v = unit(v);
                for (int t = 0; t < dim; t++) {
                    x[i][t] = (float) v[t];
                }
            }
            return x;
        }

        private static double[] gaussian(SplittableRandom random, int dim) {
            double[] v = new double[dim];
            for (int t = 0; t < dim; t++) {
                v[t] = random.nextGaussian();
            }
            return v;
        }

        private static double[] unit(double[] v) {
            double norm = 0.0;
            for (double value : v) {
                norm += value * value;
            }
            double inv = 1.0 / Math.sqrt(norm);
            for (int t = 0; t < v.length; t++) {
                v[t] *= inv;
            }
            return v;
        }
    }
}
