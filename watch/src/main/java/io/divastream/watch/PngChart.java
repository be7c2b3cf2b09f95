package io.divastream.watch;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Renders the recall chart of a {@link RecallHistory} as a PNG with JFreeChart: Recall@1 and NMI
 * of one embedding on the held-out classes and, dashed, on the seen-class sample when the records
 * have one (optionally every other embedding's held-out Recall@1) against images seen or training
 * step, one marker per model version. Runs headless ({@code java.awt.headless=true} is set before
 * any AWT class is used).
 */
public final class PngChart {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Label of the y axis: every series is a fraction in [0, 1]. */
    static final String Y_LABEL = "Recall@1 / NMI (held-out classes; seen classes dashed)";

    private PngChart() {}

    /**
     * Builds the chart.
     *
     * @param history the history
     * @param embedding the main embedding, e.g. {@code combined}
     * @param axis the x axis
     * @param perHead whether to add every other embedding's Recall@1
     * @return the chart
     */
    public static JFreeChart chart(RecallHistory history, String embedding, XAxis axis, boolean perHead) {
        List<ChartSeries> series = ChartSeries.of(history, embedding, axis, perHead);
        XYSeriesCollection dataset = new XYSeriesCollection();
        for (ChartSeries s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            s.points().forEach(p -> xy.add(p[0], p[1]));
            dataset.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                title(history, embedding),
                axis.label(),
                Y_LABEL,
                dataset,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font("SansSerif", Font.BOLD, 15));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < series.size(); i++) {
            ChartSeries s = series.get(i);
            float width = s.primary() ? 2.5f : 1.2f;
            double size = s.primary() ? 7 : 4;
            renderer.setSeriesPaint(i, s.color());
            renderer.setSeriesStroke(
                    i,
                    s.dashed()
                            ? new BasicStroke(
                                    width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f)
                            : new BasicStroke(width));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-size / 2, -size / 2, size, size));
        }
        plot.setRenderer(renderer);
        double[] y = ChartSeries.yRange(series);
        plot.getRangeAxis().setRange(y[0], y[1]);
        double[] x = ChartSeries.xRange(series);
        NumberAxis domain = (NumberAxis) plot.getDomainAxis();
        domain.setAutoRangeIncludesZero(false);
        domain.setRange(x[0], x[1] + (x[1] - x[0]) * 0.02);
        domain.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        return chart;
    }

    /**
     * Renders the chart into an image.
     *
     * @param history the history
     * @param embedding the main embedding
     * @param axis the x axis
     * @param perHead whether to add every other embedding's Recall@1
     * @param width image width in pixels, positive
     * @param height image height in pixels, positive
     * @return the image
     */
    public static BufferedImage image(
            RecallHistory history, String embedding, XAxis axis, boolean perHead, int width, int height) {
        checkSize(width, height);
        return chart(history, embedding, axis, perHead).createBufferedImage(width, height);
    }

    /**
     * Writes the chart as a PNG file, atomically (a temporary file beside it, then a move), so a
     * reader never sees half a file.
     *
     * @param history the history
     * @param embedding the main embedding
     * @param axis the x axis
     * @param perHead whether to add every other embedding's Recall@1
     * @param width image width in pixels, positive
     * @param height image height in pixels, positive
     * @param file the file to write
     * @throws UncheckedIOException naming the file if it cannot be written
     */
    public static void write(
            RecallHistory history, String embedding, XAxis axis, boolean perHead, int width, int height, Path file) {
        checkSize(width, height);
        JFreeChart chart = chart(history, embedding, axis, perHead);
        AtomicFiles.write(file, out -> writePng(chart, width, height, out));
    }

    private static void writePng(JFreeChart chart, int width, int height, OutputStream out) throws IOException {
        ChartUtils.writeChartAsPNG(out, chart, width, height);
    }

    private static void checkSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("chart size must be positive, got " + width + " x " + height);
        }
    }

    static String title(RecallHistory history, String embedding) {
        List<VersionPoint> points = history.points();
        if (points.isEmpty()) {
            return "DiVA Stream: no model version evaluated yet";
        }
        VersionPoint last = points.get(points.size() - 1);
        return String.format(
                java.util.Locale.ROOT,
                "DiVA Stream: %s embedding, %d evaluation images of %d classes, version %d (step %d)",
                embedding,
                last.evalImages(),
                last.evalClasses(),
                last.modelVersion(),
                last.trainingStep());
    }
}
