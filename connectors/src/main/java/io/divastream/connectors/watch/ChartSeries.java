package io.divastream.connectors.watch;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of the recall chart: a name, a colour and one point per model version that has the
 * value.
 *
 * @param name the legend text, e.g. {@code recall@1 (combined)}
 * @param color the line and marker colour
 * @param points {@code {x, y}} pairs in version order
 * @param primary whether it is one of the two main series (drawn thicker than the per-head ones)
 */
public record ChartSeries(String name, Color color, List<double[]> points, boolean primary) {

    /** Colour of the Recall@1 series of the chosen embedding. */
    public static final Color RECALL_COLOR = new Color(0x1F, 0x77, 0xB4);

    /** Colour of the NMI series of the chosen embedding. */
    public static final Color NMI_COLOR = new Color(0xFF, 0x7F, 0x0E);

    /** Colours of the per-head Recall@1 series, in turn. */
    public static final List<Color> HEAD_COLORS =
            List.of(
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
     * The chart's series: Recall@1 and NMI of {@code embedding}, then, if asked, the Recall@1 of
     * every other embedding in the history. Versions without the value (or with a non-finite one)
     * are left out of a series.
     *
     * @param history the history
     * @param embedding the main embedding
     * @param axis the x axis
     * @param perHead whether to add every other embedding's Recall@1
     * @return the series, main ones first
     */
    public static List<ChartSeries> of(
            RecallHistory history, String embedding, XAxis axis, boolean perHead) {
        List<ChartSeries> series = new ArrayList<>();
        series.add(
                new ChartSeries(
                        "recall@1 (" + embedding + ")",
                        RECALL_COLOR,
                        values(history, embedding, axis, false),
                        true));
        series.add(
                new ChartSeries(
                        "NMI (" + embedding + ")", NMI_COLOR, values(history, embedding, axis, true), true));
        if (perHead) {
            int i = 0;
            for (String other : history.embeddings()) {
                if (!other.equals(embedding)) {
                    series.add(
                            new ChartSeries(
                                    "recall@1 (" + other + ")",
                                    HEAD_COLORS.get(i++ % HEAD_COLORS.size()),
                                    values(history, other, axis, false),
                                    false));
                }
            }
        }
        return series;
    }

    private static List<double[]> values(
            RecallHistory history, String embedding, XAxis axis, boolean nmi) {
        List<double[]> values = new ArrayList<>();
        for (VersionPoint p : history.points()) {
            p.scoresOf(embedding)
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
        return ChartScale.yRange(
                series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[1]).toArray());
    }

    /**
     * The x range of all series (see {@link ChartScale#xRange}).
     *
     * @param series the series
     * @return {@code {low, high}}
     */
    static double[] xRange(List<ChartSeries> series) {
        return ChartScale.xRange(
                series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[0]).toArray());
    }
}
