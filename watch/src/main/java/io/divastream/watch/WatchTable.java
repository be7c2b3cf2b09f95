package io.divastream.watch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The terminal view of a {@link RecallHistory}: one row per model version (version, step, images
 * seen, evaluation images, Recall@1/2/4/8, NMI and MAP@R of one embedding on the held-out images,
 * its seen-class Recall@1 and NMI on the training sample, and the mean total loss when known) and
 * an ASCII plot of Recall@1 against images seen or training step, {@code *} on the held-out classes
 * and {@code o} on the seen classes.
 */
public final class WatchTable {

    /** Printed for a value the record does not carry. */
    public static final String MISSING = "-";

    private static final String ROW_FORMAT = "%8s %7s %8s %6s | %8s %7s %7s %7s | %7s %7s | %7s %7s";
    private static final String LOSS_FORMAT = " | %8s";
    private static final String CONTINUAL_FORMAT = "%8s | %6s %7s %7s | %6s %7s %7s %7s | %7s %7s";

    private WatchTable() {}

    /**
     * The header line.
     *
     * @param withLosses whether to add the loss column
     * @return the header
     */
    public static String header(boolean withLosses) {
        String header = String.format(
                Locale.ROOT,
                ROW_FORMAT,
                "version",
                "step",
                "images",
                "eval",
                "recall@1",
                "R@2",
                "R@4",
                "R@8",
                "NMI",
                "MAP@R",
                "seen@1",
                "seenNMI");
        return withLosses ? header + String.format(Locale.ROOT, LOSS_FORMAT, "loss") : header;
    }

    /**
     * One version's row.
     *
     * @param point the version
     * @param embedding whose scores to show ({@code combined} or a head)
     * @param withLosses whether to add the mean total loss
     * @return the row; scores the version lacks are {@value #MISSING}
     */
    public static String row(VersionPoint point, String embedding, boolean withLosses) {
        Scores s = point.scoresOf(embedding).orElse(null);
        String row = String.format(
                Locale.ROOT,
                ROW_FORMAT,
                point.modelVersion(),
                point.trainingStep(),
                point.imagesSeen(),
                point.evalImages(),
                s == null ? MISSING : fraction(s.recallAt1()),
                s == null ? MISSING : fraction(s.recallAt2()),
                s == null ? MISSING : fraction(s.recallAt4()),
                s == null ? MISSING : fraction(s.recallAt8()),
                s == null ? MISSING : fraction(s.nmi()),
                s == null ? MISSING : fraction(s.mapAtR()),
                point.seenScoresOf(embedding).map(v -> fraction(v.recallAt1())).orElse(MISSING),
                point.seenScoresOf(embedding).map(v -> fraction(v.nmi())).orElse(MISSING));
        if (!withLosses) {
            return row;
        }
        OptionalDouble total = point.loss("total");
        return row
                + String.format(
                        Locale.ROOT,
                        LOSS_FORMAT,
                        total.isPresent() ? String.format(Locale.ROOT, "%.4f", total.getAsDouble()) : MISSING);
    }

    /**
     * One version's row of the continual scores.
     *
     * @param point the version
     * @return the row; scores the version lacks are {@value #MISSING}
     */
    public static String continualRow(VersionPoint point) {
        ContinualPoint c = point.continual();
        var newest = c.newest();
        var oldest = c.oldest();
        return String.format(
                Locale.ROOT,
                CONTINUAL_FORMAT,
                point.modelVersion(),
                newest.map(g -> "g" + g.group()).orElse(MISSING),
                newest.map(g -> fraction(g.recallAt1())).orElse(MISSING),
                newest.map(g -> fraction(g.mapAtR())).orElse(MISSING),
                oldest.map(g -> "g" + g.group()).orElse(MISSING),
                oldest.map(g -> fraction(g.recallAt1())).orElse(MISSING),
                oldest.map(g -> fraction(g.mapAtR())).orElse(MISSING),
                oldest.map(g -> fraction(g.forgetting())).orElse(MISSING),
                c.cross().isPresent() ? "v" + c.servingVersion() : MISSING,
                c.cross().map(s -> fraction(s.recallAt1())).orElse(MISSING));
    }

    /**
     * The whole view: a title, the header, every row, and the plot.
     *
     * @param history the history
     * @param embedding whose scores to show
     * @param axis the plot's x axis
     * @param withLosses whether to add the loss column
     * @return the lines, without a trailing line break
     */
    public static String render(RecallHistory history, String embedding, XAxis axis, boolean withLosses) {
        StringBuilder sb = new StringBuilder();
        sb.append("Retrieval metrics of the ")
                .append(embedding)
                .append(" embedding, ")
                .append(history.size())
                .append(history.size() == 1 ? " model version" : " model versions")
                .append('\n');
        sb.append(header(withLosses));
        for (VersionPoint point : history.points()) {
            sb.append('\n').append(row(point, embedding, withLosses));
        }
        if (history.points().stream().anyMatch(p -> p.continual().isPresent())) {
            sb.append("\n\ncontinual scores (combined): newest and oldest class groups by arrival, forgetting"
                    + " (drop from the group's best), and this version's queries against the serving version\n");
            sb.append(String.format(
                    Locale.ROOT,
                    CONTINUAL_FORMAT,
                    "version",
                    "newest",
                    "R@1",
                    "MAP@R",
                    "oldest",
                    "R@1",
                    "MAP@R",
                    "forgot",
                    "serving",
                    "cross@1"));
            for (VersionPoint point : history.points()) {
                sb.append('\n').append(continualRow(point));
            }
        }
        List<String> plot = plot(history, embedding, axis, 60, 10);
        if (!plot.isEmpty()) {
            sb.append("\n\nrecall@1 (")
                    .append(embedding)
                    .append(") against ")
                    .append(axis.label())
                    .append(": * held-out classes");
            if (history.points().stream()
                    .anyMatch(p -> p.seenScoresOf(embedding).isPresent())) {
                sb.append(", o seen classes, # both");
            }
            plot.forEach(line -> sb.append('\n').append(line));
        }
        return sb.toString();
    }

    /**
     * An ASCII scatter plot of Recall@1 against the x axis: {@code *} marks each version's Recall@1
     * on the held-out classes, {@code o} its Recall@1 on the seen classes (versions with seen-class
     * scores only), {@code #} a cell with both; the y labels give the range of both (rounded out to
     * multiples of 0.05), the bottom line the x range.
     *
     * @param history the history
     * @param embedding whose Recall@1 to plot
     * @param axis the x axis
     * @param width plot columns, at least 2
     * @param height plot rows, at least 2
     * @return the lines, or an empty list when no version has scores for the embedding
     */
    public static List<String> plot(RecallHistory history, String embedding, XAxis axis, int width, int height) {
        if (width < 2 || height < 2) {
            throw new IllegalArgumentException("plot size must be at least 2 x 2, got " + width + " x " + height);
        }
        List<double[]> heldOut = new ArrayList<>();
        List<double[]> seen = new ArrayList<>();
        for (VersionPoint p : history.points()) {
            p.scoresOf(embedding)
                    .filter(s -> Double.isFinite(s.recallAt1()))
                    .ifPresent(s -> heldOut.add(new double[] {p.x(axis), s.recallAt1()}));
            p.seenScoresOf(embedding)
                    .filter(s -> Double.isFinite(s.recallAt1()))
                    .ifPresent(s -> seen.add(new double[] {p.x(axis), s.recallAt1()}));
        }
        if (heldOut.isEmpty() && seen.isEmpty()) {
            return List.of();
        }
        List<double[]> all = new ArrayList<>(heldOut);
        all.addAll(seen);
        double xMin = all.stream().mapToDouble(v -> v[0]).min().orElseThrow();
        double xMax = all.stream().mapToDouble(v -> v[0]).max().orElseThrow();
        double[] yRange = ChartScale.yRange(all.stream().mapToDouble(v -> v[1]).toArray());
        char[][] grid = new char[height][width];
        for (char[] line : grid) {
            Arrays.fill(line, ' ');
        }
        mark(grid, heldOut, '*', xMin, xMax, yRange);
        mark(grid, seen, 'o', xMin, xMax, yRange);
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < height; r++) {
            String label = "";
            if (r == 0) {
                label = String.format(Locale.ROOT, "%.2f", yRange[1]);
            } else if (r == height - 1) {
                label = String.format(Locale.ROOT, "%.2f", yRange[0]);
            }
            lines.add(String.format(Locale.ROOT, "%5s |", label) + new String(grid[r]).stripTrailing());
        }
        lines.add("      +" + "-".repeat(width));
        String left = String.format(Locale.ROOT, "%.0f", xMin);
        String right = String.format(Locale.ROOT, "%.0f %s", xMax, axis.id());
        int gap = Math.max(1, width - left.length() - right.length() + 1);
        lines.add("       " + left + " ".repeat(gap) + right);
        return lines;
    }

    /** Puts {@code symbol} at each point's cell, or {@code #} where another symbol is already. */
    private static void mark(char[][] grid, List<double[]> xy, char symbol, double xMin, double xMax, double[] yRange) {
        int height = grid.length;
        int width = grid[0].length;
        for (double[] v : xy) {
            int col = xMax > xMin ? (int) Math.round((v[0] - xMin) / (xMax - xMin) * (width - 1)) : 0;
            int row = (int) Math.round((v[1] - yRange[0]) / (yRange[1] - yRange[0]) * (height - 1));
            char current = grid[height - 1 - row][col];
            grid[height - 1 - row][col] = current == ' ' || current == symbol ? symbol : '#';
        }
    }

    private static String fraction(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4f", value) : "NaN";
    }
}
