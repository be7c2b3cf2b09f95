package io.divastream.offline;

import io.divastream.evaluation.RetrievalScores;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The CUB study's tables: the rows of {@link CubStudy#run()} as Markdown. */
final class CubStudyReport {

    private CubStudyReport() {}

    /**
     * Formats the rows as Markdown: the mean and sample standard deviation of each model's last
     * evaluation over its seeds, which model is ahead of which beyond the seed spread and the test set's
     * standard error, every run, the learning curves and the parts of each embedding.
     *
     * @param rows the rows
     * @param testImages the number of test images (the queries of Recall@1)
     * @return the tables
     */
    public static String markdown(List<CubStudy.Row> rows, int testImages) {
        Map<String, List<CubStudy.Row>> byModel = new LinkedHashMap<>();
        for (CubStudy.Row row : rows) {
            byModel.computeIfAbsent(row.name(), k -> new ArrayList<>()).add(row);
        }
        StringBuilder out =
                new StringBuilder("| Model | runs | Recall@1 | Recall@2 | Recall@4 | Recall@8 | NMI | MAP@R |\n"
                        + "|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<CubStudy.Row>> model : byModel.entrySet()) {
            List<RetrievalScores> scores =
                    model.getValue().stream().map(CubStudy.Row::scores).toList();
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %s | %s | %s | %s | %s | %s |%n",
                    model.getKey(),
                    scores.size(),
                    meanSd(scores, RetrievalScores::recallAt1),
                    meanSd(scores, RetrievalScores::recallAt2),
                    meanSd(scores, RetrievalScores::recallAt4),
                    meanSd(scores, RetrievalScores::recallAt8),
                    meanSd(scores, RetrievalScores::nmi),
                    meanSd(scores, RetrievalScores::mapAtR)));
        }
        out.append(StudyComparison.markdown(byModel, testImages));
        out.append("\nEvery run (last evaluation):\n\n"
                + "| Model | seed | Recall@1 | Recall@2 | Recall@4 | Recall@8 | NMI | MAP@R | training s |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (CubStudy.Row row : rows) {
            RetrievalScores s = row.scores();
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.0f |%n",
                    row.name(),
                    row.curve().isEmpty() ? "-" : Long.toString(row.seed()),
                    s.recallAt1(),
                    s.recallAt2(),
                    s.recallAt4(),
                    s.recallAt8(),
                    s.nmi(),
                    s.mapAtR(),
                    row.seconds()));
        }
        out.append("\nRecall@1 of the test-time embedding after each evaluation (step: R@1):\n\n");
        for (CubStudy.Row row : rows) {
            if (!row.curve().isEmpty()) {
                out.append("- ")
                        .append(row.name())
                        .append(", seed ")
                        .append(row.seed())
                        .append(":");
                for (EvaluationPoint p : row.curve()) {
                    out.append(String.format(
                            Locale.ROOT, " %d: %.4f;", p.step(), p.primary().recallAt1()));
                }
                out.append(String.format(
                        Locale.ROOT,
                        " best %.4f%n",
                        row.curve().stream()
                                .mapToDouble(p -> p.primary().recallAt1())
                                .max()
                                .orElse(Double.NaN)));
            }
        }
        for (CubStudy.Row row : rows) {
            if (!row.extra().isEmpty()) {
                out.append("\n")
                        .append(row.name())
                        .append(", seed ")
                        .append(row.seed())
                        .append(", Recall@1 of the parts:");
                row.extra().forEach((k, v) -> out.append(String.format(Locale.ROOT, " %s %.4f;", k, v)));
                out.append("\n");
            }
        }
        return out.toString();
    }

    /**
     * Formats the mean and sample standard deviation of a figure, e.g. {@code 0.6812 ± 0.0040}
     * (the mean alone for one value).
     */
    static String meanSd(List<RetrievalScores> scores, java.util.function.ToDoubleFunction<RetrievalScores> figure) {
        double[] v = scores.stream().mapToDouble(figure).toArray();
        double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
        if (v.length < 2) {
            return String.format(Locale.ROOT, "%.4f", mean);
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return String.format(Locale.ROOT, "%.4f ± %.4f", mean, Math.sqrt(ss / (v.length - 1)));
    }
}
