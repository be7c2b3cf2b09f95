package io.divastream.watch;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Renders a {@link RecallHistory} as one self-contained HTML page: the recall chart as inline SVG
 * (one polyline per series, one marker per model version, the seen-class series dashed, no script
 * and nothing fetched) and the table of every version's held-out scores, its seen-class Recall@1
 * and NMI, the other embeddings' Recall@1 and, when known, the losses.
 */
public final class HtmlReport {

    /** Width of the SVG chart in user units. */
    public static final int CHART_WIDTH = 900;

    /** Height of the SVG chart in user units. */
    public static final int CHART_HEIGHT = 420;

    private static final int LEFT = 64;
    private static final int RIGHT = 24;
    private static final int TOP = 20;
    private static final int BOTTOM = 56;

    private HtmlReport() {}

    /**
     * The page.
     *
     * @param history the history
     * @param embedding the main embedding, e.g. {@code combined}
     * @param axis the x axis
     * @param perHead whether the chart adds every other embedding's Recall@1
     * @return the HTML text
     */
    public static String html(RecallHistory history, String embedding, XAxis axis, boolean perHead) {
        StringBuilder sb = new StringBuilder();
        String title = PngChart.title(history, embedding);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(title))
                .append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em;color:#222}\n")
                .append("table{border-collapse:collapse;font-size:13px}\n")
                .append("th,td{padding:3px 8px;text-align:right;border-bottom:1px solid #ddd}\n")
                .append("th{background:#f4f4f4}\n")
                .append("svg text{font-family:sans-serif;font-size:12px;fill:#333}\n")
                .append("</style>\n</head>\n<body>\n<h1>")
                .append(escape(title))
                .append("</h1>\n<p>Recall@1 and NMI of the ")
                .append(escape(embedding))
                .append(" embedding against ")
                .append(escape(axis.label()))
                .append(", one marker per model version: solid lines on the held-out classes (never trained on),"
                        + " dashed lines on the seen classes (a sample of the training classes, leave-one-out),"
                        + " where the records carry them.</p>\n");
        sb.append(svg(history, embedding, axis, perHead));
        sb.append("\n<h2>Model versions</h2>\n");
        sb.append(table(history, embedding));
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    /**
     * Writes the page atomically (see {@link PngChart#write}).
     *
     * @param history the history
     * @param embedding the main embedding
     * @param axis the x axis
     * @param perHead whether the chart adds every other embedding's Recall@1
     * @param file the file to write
     * @throws java.io.UncheckedIOException naming the file if it cannot be written
     */
    public static void write(RecallHistory history, String embedding, XAxis axis, boolean perHead, Path file) {
        byte[] bytes = html(history, embedding, axis, perHead).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /**
     * The chart alone, as an {@code <svg>} element.
     *
     * @param history the history
     * @param embedding the main embedding
     * @param axis the x axis
     * @param perHead whether to add every other embedding's Recall@1
     * @return the SVG text
     */
    public static String svg(RecallHistory history, String embedding, XAxis axis, boolean perHead) {
        List<ChartSeries> series = ChartSeries.of(history, embedding, axis, perHead);
        double[] x = ChartSeries.xRange(series);
        double[] y = ChartSeries.yRange(series);
        int plotW = CHART_WIDTH - LEFT - RIGHT;
        int plotH = CHART_HEIGHT - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " role=\"img\" aria-label=\"recall chart\">%n",
                CHART_WIDTH,
                CHART_HEIGHT + 28 * ((series.size() + 2) / 3),
                CHART_WIDTH,
                CHART_HEIGHT + 28 * ((series.size() + 2) / 3)));
        sb.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" stroke=\"#999\"/>%n",
                LEFT,
                TOP,
                plotW,
                plotH));
        for (double t : ticks(y[0], y[1])) {
            double py = TOP + plotH - (t - y[0]) / (y[1] - y[0]) * plotH;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT,
                    py,
                    LEFT + plotW,
                    py,
                    LEFT - 6,
                    py + 4,
                    label(t, y[1] - y[0])));
        }
        for (double t : ticks(x[0], x[1])) {
            double px = LEFT + (t - x[0]) / (x[1] - x[0]) * plotW;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e3e3e3\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px,
                    TOP,
                    px,
                    TOP + plotH,
                    px,
                    TOP + plotH + 18,
                    label(t, x[1] - x[0])));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotW / 2,
                TOP + plotH + 40,
                escape(axis.label())));
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\">%s</text>%n",
                16,
                TOP + plotH / 2,
                16,
                TOP + plotH / 2,
                "Recall@1 / NMI"));
        for (ChartSeries s : series) {
            if (s.points().isEmpty()) {
                continue;
            }
            String colour = hex(s.color());
            StringBuilder pts = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (double[] p : s.points()) {
                double px = LEFT + (p[0] - x[0]) / (x[1] - x[0]) * plotW;
                double py = TOP + plotH - (p[1] - y[0]) / (y[1] - y[0]) * plotH;
                if (pts.length() > 0) {
                    pts.append(' ');
                }
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
                marks.append(String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%s: %.4f at %s %.0f</title></circle>",
                        px,
                        py,
                        s.primary() ? "3.5" : "2",
                        colour,
                        escape(s.name()),
                        p[1],
                        escape(axis.id()),
                        p[0]));
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "<polyline class=\"series\" data-series=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s points=\"%s\"/>%n",
                    escape(s.name()),
                    colour,
                    s.primary() ? "2.5" : "1.2",
                    dash(s),
                    pts));
            sb.append(marks).append('\n');
        }
        for (int i = 0; i < series.size(); i++) {
            int lx = LEFT + (i % 3) * (plotW / 3);
            int ly = CHART_HEIGHT + 28 * (i / 3);
            ChartSeries s = series.get(i);
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"%s/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    lx,
                    ly - 4,
                    lx + 24,
                    ly - 4,
                    hex(s.color()),
                    dash(s),
                    lx + 30,
                    ly,
                    escape(s.name())));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /**
     * The table of every version.
     *
     * @param history the history
     * @param embedding the main embedding
     * @return the {@code <table>} element
     */
    public static String table(RecallHistory history, String embedding) {
        List<String> others = new ArrayList<>(history.embeddings());
        others.remove(embedding);
        List<String> lossNames = new ArrayList<>(history.lossNames());
        StringBuilder sb = new StringBuilder("<table>\n<thead><tr>");
        for (String h : List.of(
                "version",
                "step",
                "images seen",
                "eval images",
                "recall@1",
                "R@2",
                "R@4",
                "R@8",
                "NMI",
                "MAP@R",
                "seen images",
                "seen recall@1",
                "seen NMI")) {
            sb.append("<th>").append(escape(h)).append("</th>");
        }
        others.forEach(o -> sb.append("<th>R@1 ").append(escape(o)).append("</th>"));
        lossNames.forEach(l -> sb.append("<th>loss ").append(escape(l)).append("</th>"));
        sb.append("</tr></thead>\n<tbody>\n");
        for (VersionPoint p : history.points()) {
            sb.append("<tr><td>")
                    .append(p.modelVersion())
                    .append("</td><td>")
                    .append(p.trainingStep())
                    .append("</td><td>")
                    .append(p.imagesSeen())
                    .append("</td><td>")
                    .append(p.evalImages())
                    .append("</td>");
            Scores s = p.scoresOf(embedding).orElse(null);
            double[] values = s == null
                    ? new double[0]
                    : new double[] {s.recallAt1(), s.recallAt2(), s.recallAt4(), s.recallAt8(), s.nmi(), s.mapAtR()};
            for (int i = 0; i < 6; i++) {
                sb.append("<td>")
                        .append(values.length == 0 ? WatchTable.MISSING : number(values[i]))
                        .append("</td>");
            }
            Scores seen = p.seenScoresOf(embedding).orElse(null);
            sb.append("<td>")
                    .append(p.seenImages() > 0 ? Integer.toString(p.seenImages()) : WatchTable.MISSING)
                    .append("</td><td>")
                    .append(seen == null ? WatchTable.MISSING : number(seen.recallAt1()))
                    .append("</td><td>")
                    .append(seen == null ? WatchTable.MISSING : number(seen.nmi()))
                    .append("</td>");
            for (String o : others) {
                sb.append("<td>")
                        .append(p.scoresOf(o).map(v -> number(v.recallAt1())).orElse(WatchTable.MISSING))
                        .append("</td>");
            }
            for (String l : lossNames) {
                OptionalDouble v = p.loss(l);
                sb.append("<td>")
                        .append(v.isPresent() ? number(v.getAsDouble()) : WatchTable.MISSING)
                        .append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
        return sb.toString();
    }

    private static String dash(ChartSeries s) {
        return s.dashed() ? " stroke-dasharray=\"8 5\"" : "";
    }

    /** Tick values at a 1, 2 or 5 times a power of ten spacing, about five of them. */
    static List<Double> ticks(double low, double high) {
        double span = high - low;
        double raw = span / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw) {
                step = m * magnitude;
                break;
            }
        }
        List<Double> ticks = new ArrayList<>();
        long first = (long) Math.ceil(low / step - 1e-9);
        long last = (long) Math.floor(high / step + 1e-9);
        for (long k = first; k <= last; k++) {
            ticks.add(k * step);
        }
        return ticks;
    }

    private static String label(double value, double span) {
        return span >= 5 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4f", value) : "NaN";
    }

    private static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    /**
     * Escapes text for HTML content and attribute values.
     *
     * @param text the text
     * @return the escaped text
     */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
