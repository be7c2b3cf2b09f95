package io.divastream.offline;

import io.divastream.evaluation.RetrievalScores;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which model of a study is ahead of which on Recall@1, and by how much against the two uncertainties a reader must
 * weigh: the seed spread (the larger sample standard deviation of the two models over their seeds) and the test
 * set's standard error of a Recall@1 (sqrt(p (1 - p) / n) over its n queries, at the two models' mean Recall@1). A
 * model is called ahead only when the difference of the means exceeds both.
 */
final class StudyComparison {

    private StudyComparison() {}

    /**
     * A comparison of two models.
     *
     * @param first a model
     * @param second another
     * @param difference mean Recall@1 of the first minus the second's
     * @param seedSpread the larger sample standard deviation of the two over their seeds (0 with one run each)
     * @param standardError the test set's standard error of a Recall@1 near the two means
     */
    record Pair(String first, String second, double difference, double seedSpread, double standardError) {

        /**
         * The verdict.
         *
         * @return which is ahead, or that neither is beyond both uncertainties
         */
        String verdict() {
            double bar = Math.max(seedSpread, standardError);
            if (Math.abs(difference) <= bar) {
                return "neither ahead (within "
                        + (seedSpread >= standardError ? "the seed spread" : "the standard error") + ")";
            }
            return (difference > 0 ? first : second) + " ahead beyond both";
        }
    }

    /**
     * Compares every pair of models.
     *
     * @param byModel the runs of each model, in report order
     * @param testImages the test set's queries
     * @return the pairs, in report order
     */
    static List<Pair> pairs(Map<String, List<CubStudy.Row>> byModel, int testImages) {
        List<String> names = new ArrayList<>(byModel.keySet());
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) {
                double[] a = recallAt1(byModel.get(names.get(j)));
                double[] b = recallAt1(byModel.get(names.get(i)));
                double meanA = mean(a);
                double meanB = mean(b);
                double p = (meanA + meanB) / 2;
                double se = testImages > 0 ? Math.sqrt(p * (1 - p) / testImages) : Double.NaN;
                pairs.add(new Pair(names.get(j), names.get(i), meanA - meanB, Math.max(sd(a), sd(b)), se));
            }
        }
        return pairs;
    }

    /**
     * The comparison as a Markdown table.
     *
     * @param byModel the runs of each model
     * @param testImages the test set's queries
     * @return the section's text
     */
    static String markdown(Map<String, List<CubStudy.Row>> byModel, int testImages) {
        StringBuilder out = new StringBuilder(String.format(
                Locale.ROOT,
                "%nRecall@1 differences (mean over seeds), against the seed spread (the larger sample standard "
                        + "deviation of the two) and the test set's standard error (sqrt(p(1-p)/n), n = %d queries):"
                        + "%n%n| | difference | seed spread | standard error | verdict |%n|---|---|---|---|---|%n",
                testImages));
        for (Pair p : pairs(byModel, testImages)) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %s vs %s | %+.4f | %.4f | %.4f | %s |%n",
                    p.first(),
                    p.second(),
                    p.difference(),
                    p.seedSpread(),
                    p.standardError(),
                    p.verdict()));
        }
        return out.toString();
    }

    private static double[] recallAt1(List<CubStudy.Row> rows) {
        return rows.stream()
                .map(CubStudy.Row::scores)
                .mapToDouble(RetrievalScores::recallAt1)
                .toArray();
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double sd(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (v.length - 1));
    }
}
