package io.divastream.offline;

import io.divastream.evaluation.RetrievalScores;
import io.divastream.model.config.DivaConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every ablation row for several seeds with the same data, schedule and batches and
 * summarises Recall@1 and NMI of the test-time embedding as mean and standard deviation over seeds.
 */
public final class AblationStudy {

    /**
     * One finished run.
     *
     * @param variant the ablation row
     * @param seed the seed
     * @param last the evaluation after the last step
     * @param bestRecallAt1 the highest primary Recall@1 over all evaluations (the original code's
     *     best-test-epoch convention, reported for comparison only)
     * @param seconds training wall time
     */
    public record Run(AblationVariant variant, long seed, EvaluationPoint last, double bestRecallAt1, double seconds) {}

    /**
     * Mean and sample standard deviation of a row.
     *
     * @param variant the row
     * @param runs its runs
     */
    public record Row(AblationVariant variant, List<Run> runs) {

        /**
         * Mean and standard deviation of a metric of the last evaluation.
         *
         * @param metric picks the metric
         * @return {mean, sample standard deviation}
         */
        public double[] stats(java.util.function.ToDoubleFunction<Run> metric) {
            double[] values = runs.stream().mapToDouble(metric).toArray();
            double mean = java.util.Arrays.stream(values).average().orElse(Double.NaN);
            double ss = 0;
            for (double v : values) {
                ss += (v - mean) * (v - mean);
            }
            return new double[] {mean, values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0};
        }
    }

    private final DivaConfig base;
    private final ImagePipeline<float[]> pipeline;
    private final RunSpec run;
    private final PrintStream log;

    /**
     * Creates a study.
     *
     * @param base the configuration of full DiVA
     * @param pipeline the glyphs' training and evaluation views
     * @param run the schedule and batches, the same for every row
     * @param log receives progress lines
     */
    public AblationStudy(DivaConfig base, ImagePipeline<float[]> pipeline, RunSpec run, PrintStream log) {
        this.base = base;
        this.pipeline = pipeline;
        this.run = run;
        this.log = log;
    }

    /**
     * Runs every row for every seed.
     *
     * @param variants the rows
     * @param seeds the seeds
     * @param train the training images
     * @param test the test images
     * @return one summary per row, in row order
     */
    public List<Row> run(
            List<AblationVariant> variants,
            List<Long> seeds,
            LabeledImages<float[]> train,
            LabeledImages<float[]> test) {
        List<Row> rows = new ArrayList<>();
        for (AblationVariant variant : variants) {
            List<Run> runs = new ArrayList<>();
            for (long seed : seeds) {
                DivaConfig config = variant.apply(base, seed);
                BatchTrainer<float[]> trainer = new BatchTrainer<>(
                        config, pipeline, Map.of(), new io.divastream.evaluation.RetrievalEvaluator());
                List<EvaluationPoint> points = trainer.run(
                        train,
                        test,
                        run,
                        p -> log.println(String.format(
                                Locale.ROOT,
                                "%s seed %d step %d: R@1 %.4f NMI %.4f (%.0f s)",
                                variant.name(),
                                seed,
                                p.step(),
                                p.primary().recallAt1(),
                                p.primary().nmi(),
                                p.trainingSeconds())));
                EvaluationPoint last = points.get(points.size() - 1);
                double best = points.stream()
                        .mapToDouble(p -> p.primary().recallAt1())
                        .max()
                        .orElse(Double.NaN);
                runs.add(new Run(variant, seed, last, best, last.trainingSeconds()));
            }
            rows.add(new Row(variant, runs));
        }
        return rows;
    }

    /**
     * Formats the summary as a Markdown table: mean +- standard deviation over seeds of the last
     * evaluation's Recall@1 and NMI, plus the discriminative head alone and the best-step Recall@1.
     *
     * @param rows the summaries
     * @return the table
     */
    public static String markdown(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append(
                "| Variant | Recall@1 | Recall@2 | Recall@4 | Recall@8 | NMI | MAP@R | Recall@1 of the discriminative head"
                        + " alone | best-step Recall@1 | seeds |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            double[] r1 = row.stats(r -> r.last().primary().recallAt1());
            double[] r2 = row.stats(r -> r.last().primary().recallAt2());
            double[] r4 = row.stats(r -> r.last().primary().recallAt4());
            double[] r8 = row.stats(r -> r.last().primary().recallAt8());
            double[] nmi = row.stats(r -> r.last().primary().nmi());
            double[] map = row.stats(r -> r.last().primary().mapAtR());
            double[] disc =
                    row.stats(r -> r.last().heads().get("discriminative").recallAt1());
            double[] best = row.stats(Run::bestRecallAt1);
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |%n",
                    row.variant().name(),
                    pm(r1),
                    pm(r2),
                    pm(r4),
                    pm(r8),
                    pm(nmi),
                    pm(map),
                    pm(disc),
                    pm(best),
                    row.runs().size()));
        }
        return out.toString();
    }

    /**
     * Formats every run on its own line.
     *
     * @param rows the summaries
     * @return a Markdown table of the individual runs
     */
    public static String runsMarkdown(List<Row> rows) {
        StringBuilder out = new StringBuilder(
                "| Variant | seed | Recall@1 | Recall@2 | Recall@4 | Recall@8 | NMI | MAP@R | heads' Recall@1 | training s"
                        + " |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            for (Run run : row.runs()) {
                RetrievalScores p = run.last().primary();
                StringBuilder heads = new StringBuilder();
                run.last()
                        .heads()
                        .forEach((h, s) -> heads.append(String.format(Locale.ROOT, "%s %.4f ", h, s.recallAt1())));
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | %d | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %s| %.0f |%n",
                        row.variant().name(),
                        run.seed(),
                        p.recallAt1(),
                        p.recallAt2(),
                        p.recallAt4(),
                        p.recallAt8(),
                        p.nmi(),
                        p.mapAtR(),
                        heads,
                        run.seconds()));
            }
        }
        return out.toString();
    }

    private static String pm(double[] stats) {
        return String.format(Locale.ROOT, "%.4f ± %.4f", stats[0], stats[1]);
    }
}
