package io.divastream.watch;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of the recall chart: a name, a colour and one point per model version that has the
 * value.
 *
 * @param name the legend text, e.g. {@code recall@1 (combined, held-out classes)}
 * @param color the line and marker colour
 * @param points {@code {x, y}} pairs in version order
 * @param primary whether it is one of the main series of the chosen embedding (drawn thicker than
 *     the per-head ones)
 * @param dashed whether the line is dashed: the seen-class series, so that they read apart from the
 *     held-out ones even without colour
 */
public record ChartSeries(String name, Color color, List<double[]> points, boolean primary, boolean dashed) {

    /** Colour of the held-out Recall@1 series of the chosen embedding. */
    public static final Color RECALL_COLOR = new Color(0x1F, 0x77, 0xB4);

    /** Colour of the held-out NMI series of the chosen embedding. */
    public static final Color NMI_COLOR = new Color(0xFF, 0x7F, 0x0E);

    /** Colour of the seen-class Recall@1 series of the chosen embedding (a dark blue). */
    public static final Color SEEN_RECALL_COLOR = new Color(0x0B, 0x3D, 0x6B);

    /** Colour of the seen-class NMI series of the chosen embedding (a dark orange). */
    public static final Color SEEN_NMI_COLOR = new Color(0xA6, 0x4B, 0x00);

    /** Colour of the newest class group's Recall@1 (a red). */
    public static final Color NEWEST_GROUP_COLOR = new Color(0xD6, 0x27, 0x28);

    /** Colour of the oldest class group's Recall@1 (a purple). */
    public static final Color OLDEST_GROUP_COLOR = new Color(0x6A, 0x3D, 0x9A);

    /** Colour of the cross-version Recall@1 (a teal). */
    public static final Color CROSS_VERSION_COLOR = new Color(0x17, 0x9E, 0x9F);

    /** Legend suffix of the scores on the held-out (evaluation) classes. */
    public static final String HELD_OUT = "held-out classes";

    /** Legend suffix of the scores on the sample of the training classes seen so far. */
    public static final String SEEN = "seen classes";

    /** Colours of the per-head Recall@1 series, in turn. */
    public static final List<Color> HEAD_COLORS = List.of(
            new Color(0x2C, 0xA0, 0x2C),
            new Color(0x94, 0x67, 0xBD),
            new Color(0x8C, 0x56, 0x4B),
            new Color(0xE3, 0x77, 0xC2),
            new Color(0x7F, 0x7F, 0x7F),
            new Color(0x17, 0xBE, 0xCF));

    /** Copies the points. */
    public ChartSeries {
        points = points.stream().map(double[]::clone).toList();
    }

    /**
     * The chart's series: the held-out Recall@1 and NMI of {@code embedding}, then its seen-class
     * Recall@1 and NMI (dashed) if some version has seen-class scores, then, if asked, the held-out
     * Recall@1 of every other embedding in the history. Versions without the value (or with a
     * non-finite one) are left out of a series; a seen-class series without any point is left out
     * of the chart.
     *
     * @param history the history
     * @param embedding the main embedding
     * @param axis the x axis
     * @param perHead whether to add every other embedding's Recall@1
     * @return the series, main ones first
     */
    public static List<ChartSeries> of(RecallHistory history, String embedding, XAxis axis, boolean perHead) {
        List<ChartSeries> series = new ArrayList<>();
        series.add(new ChartSeries(
                label("recall@1", embedding, HELD_OUT),
                RECALL_COLOR,
                values(history, embedding, axis, false, false),
                true,
                false));
        series.add(new ChartSeries(
                label("NMI", embedding, HELD_OUT),
                NMI_COLOR,
                values(history, embedding, axis, true, false),
                true,
                false));
        List<double[]> seenRecall = values(history, embedding, axis, false, true);
        if (!seenRecall.isEmpty()) {
            series.add(new ChartSeries(label("recall@1", embedding, SEEN), SEEN_RECALL_COLOR, seenRecall, true, true));
        }
        List<double[]> seenNmi = values(history, embedding, axis, true, true);
        if (!seenNmi.isEmpty()) {
            series.add(new ChartSeries(label("NMI", embedding, SEEN), SEEN_NMI_COLOR, seenNmi, true, true));
        }
        series.addAll(continual(history, axis));
        if (perHead) {
            int i = 0;
            for (String other : history.embeddings()) {
                if (!other.equals(embedding)) {
                    series.add(new ChartSeries(
                            label("recall@1", other, HELD_OUT),
                            HEAD_COLORS.get(i++ % HEAD_COLORS.size()),
                            values(history, other, axis, false, false),
                            false,
                            false));
                }
            }
        }
        return series;
    }

    /**
     * The continual series, each only if some version has it: the Recall@1 of the newest and of the oldest class
     * group, and the cross-version Recall@1 (combined embedding).
     */
    private static List<ChartSeries> continual(RecallHistory history, XAxis axis) {
        List<double[]> newest = new ArrayList<>();
        List<double[]> oldest = new ArrayList<>();
        List<double[]> cross = new ArrayList<>();
        for (VersionPoint p : history.points()) {
            ContinualPoint c = p.continual();
            c.newest()
                    .map(ContinualPoint.Group::recallAt1)
                    .filter(Double::isFinite)
                    .ifPresent(y -> newest.add(new double[] {p.x(axis), y}));
            c.oldest()
                    .map(ContinualPoint.Group::recallAt1)
                    .filter(Double::isFinite)
                    .ifPresent(y -> oldest.add(new double[] {p.x(axis), y}));
            c.cross()
                    .map(Scores::recallAt1)
                    .filter(Double::isFinite)
                    .ifPresent(y -> cross.add(new double[] {p.x(axis), y}));
        }
        List<ChartSeries> series = new ArrayList<>();
        if (!newest.isEmpty()) {
            series.add(new ChartSeries(
                    "recall@1 (combined, newest class group)", NEWEST_GROUP_COLOR, newest, true, false));
        }
        if (!oldest.isEmpty()) {
            series.add(new ChartSeries(
                    "recall@1 (combined, oldest class group)", OLDEST_GROUP_COLOR, oldest, true, false));
        }
        if (!cross.isEmpty()) {
            series.add(new ChartSeries(
                    "recall@1 (combined, queries against the serving version)",
                    CROSS_VERSION_COLOR,
                    cross,
                    true,
                    true));
        }
        return series;
    }

    private static String label(String metric, String embedding, String classes) {
        return metric + " (" + embedding + ", " + classes + ")";
    }

    private static List<double[]> values(
            RecallHistory history, String embedding, XAxis axis, boolean nmi, boolean seen) {
        List<double[]> values = new ArrayList<>();
        for (VersionPoint p : history.points()) {
            (seen ? p.seenScoresOf(embedding) : p.scoresOf(embedding))
                    .map(s -> nmi ? s.nmi() : s.recallAt1())
                    .filter(Double::isFinite)
                    .ifPresent(y -> values.add(new double[] {p.x(axis), y}));
        }
        return values;
    }

    /**
     * The y range of all series (see {@link ChartScale#yRange}).
     *
     * @param series the series
     * @return {@code {low, high}}
     */
    static double[] yRange(List<ChartSeries> series) {
        return ChartScale.yRange(series.stream()
                .flatMap(s -> s.points().stream())
                .mapToDouble(p -> p[1])
                .toArray());
    }

    /**
     * The x range of all series (see {@link ChartScale#xRange}).
     *
     * @param series the series
     * @return {@code {low, high}}
     */
    static double[] xRange(List<ChartSeries> series) {
        return ChartScale.xRange(series.stream()
                .flatMap(s -> s.points().stream())
                .mapToDouble(p -> p[0])
                .toArray());
    }
}
