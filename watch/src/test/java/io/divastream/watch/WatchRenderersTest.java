package io.divastream.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchRenderersTest {

    @Test
    void rowsShowTheChosenEmbeddingsScoresAndTheTotalLoss() {
        RecallHistory history = WatchRecords.history(2).with(WatchRecords.modelVersion(1));
        List<VersionPoint> points = history.points();

        assertThat(WatchTable.row(points.get(1), "combined", true).strip().split("\\s+\\|?\\s*"))
                .containsExactly(
                        "1", "250", "2000", "1780", "0.5000", "0.5100", "0.5200", "0.5300", "0.6500", "0.2500",
                        "0.9000", "0.9000", "1.7500");
        assertThat(WatchTable.row(points.get(0), "discriminative", true).strip().split("\\s+\\|?\\s*"))
                .containsExactly(
                        "0", "0", "1000", "1780", "0.4200", "0.4300", "0.4400", "0.4500", "0.6000", "0.2100", "-", "-",
                        "-");
        assertThat(WatchTable.row(points.get(0), "intra", false).strip().split("\\s+\\|?\\s*"))
                .containsExactly("0", "0", "1000", "1780", "-", "-", "-", "-", "-", "-", "-", "-");
        assertThat(WatchTable.header(true).strip().split("\\s+\\|?\\s*"))
                .containsExactly(
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
                        "seenNMI",
                        "loss");
    }

    @Test
    void asciiPlotPutsEachVersionAtItsImagesSeenAndRecall() {
        // versions 0..4: images 1000..5000, recall 0.4..0.8; y range exactly [0.40, 0.80]
        List<String> plot = WatchTable.plot(WatchRecords.heldOutHistory(5), "combined", XAxis.IMAGES, 41, 5);

        assertThat(plot).hasSize(7);
        assertThat(plot.get(0)).startsWith(" 0.80 |");
        assertThat(plot.get(4)).startsWith(" 0.40 |");
        for (int v = 0; v < 5; v++) {
            String line = plot.get(4 - v);
            int column = line.indexOf('|') + 1 + 10 * v;
            assertThat(line.charAt(column)).as("version %d", v).isEqualTo('*');
            assertThat(line.chars().filter(c -> c == '*').count()).isEqualTo(1);
        }
        assertThat(plot.get(6).strip()).startsWith("1000").endsWith("5000 images");
        assertThat(WatchTable.plot(WatchRecords.history(5), "intra", XAxis.IMAGES, 41, 5))
                .isEmpty();
    }

    @Test
    void asciiPlotMarksSeenClassRecallApartFromHeldOut() {
        // held-out 0.40..0.80 at images 1000..5000; seen 0.90 (version 1) and 0.80 (version 3):
        // y range [0.40, 0.90] over 11 rows (0.05 a row), x over 41 columns (10 a version)
        List<String> plot = WatchTable.plot(WatchRecords.history(5), "combined", XAxis.IMAGES, 41, 11);

        assertThat(plot.get(0)).startsWith(" 0.90 |");
        assertThat(plot.get(10)).startsWith(" 0.40 |");
        char[][] cells = new char[11][];
        for (int r = 0; r < 11; r++) {
            String line = plot.get(r).substring(plot.get(r).indexOf('|') + 1);
            cells[r] = String.format("%-41s", line).toCharArray();
        }
        java.util.Map<String, Character> expected = new java.util.HashMap<>();
        for (int v = 0; v < 5; v++) {
            expected.put((10 - 2 * v) + "," + 10 * v, '*');
        }
        expected.put(0 + "," + 10, 'o'); // version 1: seen 0.90
        expected.put(2 + "," + 30, 'o'); // version 3: seen 0.80
        for (int r = 0; r < 11; r++) {
            for (int c = 0; c < 41; c++) {
                assertThat(cells[r][c]).as("row %d column %d", r, c).isEqualTo(expected.getOrDefault(r + "," + c, ' '));
            }
        }
        assertThat(WatchTable.render(WatchRecords.history(5), "combined", XAxis.IMAGES, false))
                .contains("* held-out classes, o seen classes");
        assertThat(WatchTable.render(WatchRecords.heldOutHistory(5), "combined", XAxis.IMAGES, false))
                .contains("* held-out classes")
                .doesNotContain("seen classes");
    }

    @Test
    void asciiPlotMarksACellWithBothAsHash() {
        var record = WatchRecords.version(1);
        record.setSeen(java.util.Map.of("combined", WatchRecords.metrics(WatchRecords.recall(1), 0.9)));
        List<String> plot = WatchTable.plot(
                RecallHistory.empty().with(WatchRecords.version(0)).with(record), "combined", XAxis.IMAGES, 11, 3);

        // recall 0.40 (v0) and 0.50 (v1, both held-out and seen): range [0.40, 0.50]
        assertThat(plot.get(0)).isEqualTo(" 0.50 |          #");
        assertThat(plot.get(2)).isEqualTo(" 0.40 |*");
    }

    @Test
    void renderListsEveryVersion() {
        String view = WatchTable.render(WatchRecords.history(3), "combined", XAxis.STEPS, false);

        assertThat(view.lines().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+\\d+\\s+1780 .*")))
                .hasSize(3);
        assertThat(view).contains("3 model versions").contains("against training step");
    }

    @Test
    void pngHasTheAskedSizeAndBothSeriesColours(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/chart.png");
        PngChart.write(WatchRecords.history(4), "combined", XAxis.IMAGES, false, 640, 400, file);

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(400);
        assertThat(count(image, ChartSeries.RECALL_COLOR)).isGreaterThan(100);
        assertThat(count(image, ChartSeries.NMI_COLOR)).isGreaterThan(100);
        assertThat(count(image, ChartSeries.HEAD_COLORS.get(0))).isZero();
        assertThat(Files.list(file.getParent())).containsExactly(file);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void pngWithPerHeadSeriesDrawsTheHeadsToo() {
        BufferedImage image = PngChart.image(WatchRecords.history(4), "combined", XAxis.STEPS, true, 500, 300);

        assertThat(count(image, ChartSeries.HEAD_COLORS.get(0))).isGreaterThan(30);
        assertThat(count(image, ChartSeries.HEAD_COLORS.get(1))).isGreaterThan(30);
        assertThatThrownBy(() -> PngChart.image(RecallHistory.empty(), "combined", XAxis.STEPS, false, 0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 x 10");
    }

    @Test
    void emptyHistoryStillRenders(@TempDir Path dir) throws Exception {
        PngChart.write(RecallHistory.empty(), "combined", XAxis.IMAGES, true, 300, 200, dir.resolve("e.png"));
        HtmlReport.write(RecallHistory.empty(), "combined", XAxis.IMAGES, true, dir.resolve("e.html"));

        assertThat(ImageIO.read(dir.resolve("e.png").toFile()).getWidth()).isEqualTo(300);
        assertThat(Files.readString(dir.resolve("e.html"))).contains("no model version evaluated yet");
    }

    @Test
    void htmlHasOnePolylinePointPerVersionAtTheScaledPositionsAndTheTable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("watch.html");
        HtmlReport.write(
                WatchRecords.heldOutHistory(5).with(WatchRecords.modelVersion(4)),
                "combined",
                XAxis.IMAGES,
                false,
                file);
        String html = Files.readString(file, StandardCharsets.UTF_8);

        assertThat(html)
                .startsWith("<!DOCTYPE html>")
                .doesNotContain("<script")
                .doesNotContain("http://cdn")
                .doesNotContain("https://");
        List<String> polylines = polylines(html);
        assertThat(polylines).hasSize(2);
        List<double[]> recall = points(polylines.get(0));
        assertThat(recall).hasSize(5);
        // x: images 1000..5000 over [64, 876]; y: recall 0.40..0.80 and NMI 0.60..0.80 in [0.40, 0.80] over [20, 364]
        for (int v = 0; v < 5; v++) {
            assertThat(recall.get(v)[0]).isCloseTo(64 + 812 * v / 4.0, org.assertj.core.data.Offset.offset(0.06));
            assertThat(recall.get(v)[1])
                    .isCloseTo(364 - 344 * (0.1 * v) / 0.4, org.assertj.core.data.Offset.offset(0.06));
        }
        assertThat(polylines.get(0)).contains("stroke=\"#1f77b4\"");
        assertThat(polylines.get(1)).contains("stroke=\"#ff7f0e\"");
        assertThat(html).contains("<th>R@1 discriminative</th>").contains("<th>loss total</th>");
        assertThat(html).contains("<tr><td>4</td><td>1000</td><td>5000</td><td>1780</td><td>0.8000</td>");
        assertThat(html).contains("<td>1.0000</td></tr>");
        assertThat(html.split("<tr><td>", -1)).hasSize(6);
    }

    @Test
    void htmlDrawsTheSeenClassSeriesDashedAndListsThemInTheTable() {
        String html = HtmlReport.html(WatchRecords.history(5), "combined", XAxis.IMAGES, false);

        List<String> polylines = polylines(html);
        assertThat(polylines).hasSize(4);
        assertThat(polylines.get(0))
                .contains("data-series=\"recall@1 (combined, held-out classes)\"")
                .doesNotContain("stroke-dasharray");
        assertThat(polylines.get(1))
                .contains("data-series=\"NMI (combined, held-out classes)\"")
                .doesNotContain("stroke-dasharray");
        assertThat(polylines.get(2))
                .contains("data-series=\"recall@1 (combined, seen classes)\"")
                .contains("stroke-dasharray")
                .contains("stroke=\"#0b3d6b\"");
        assertThat(polylines.get(3))
                .contains("data-series=\"NMI (combined, seen classes)\"")
                .contains("stroke-dasharray")
                .contains("stroke=\"#a64b00\"");
        // the seen scores of versions 1 and 3 only: recall 0.90 and 0.80 at images 2000 and 4000;
        // y range [0.40, 0.90] over [364, 20], x [1000, 5000] over [64, 876]
        List<double[]> seen = points(polylines.get(2));
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0))
                .containsExactly(new double[] {64 + 812 / 4.0, 20}, org.assertj.core.data.Offset.offset(0.06));
        assertThat(seen.get(1))
                .containsExactly(
                        new double[] {64 + 812 * 3 / 4.0, 364 - 344 * 0.4 / 0.5},
                        org.assertj.core.data.Offset.offset(0.06));
        assertThat(points(polylines.get(3))).hasSize(2);
        assertThat(html)
                .contains("<text x=\"94\" y=\"420\">recall@1 (combined, held-out classes)</text>")
                .contains(">NMI (combined, seen classes)</text>")
                .contains("<th>seen images</th><th>seen recall@1</th><th>seen NMI</th>")
                .contains("<td>0.2500</td><td>400</td><td>0.9000</td><td>0.9000</td>")
                .contains("<td>0.2000</td><td>-</td><td>-</td><td>-</td>");

        String heldOutOnly = HtmlReport.html(WatchRecords.heldOutHistory(5), "combined", XAxis.IMAGES, false);
        assertThat(polylines(heldOutOnly)).hasSize(2);
        assertThat(heldOutOnly).doesNotContain("(combined, seen classes)");
    }

    @Test
    void pngDrawsTheSeenClassSeriesOnlyWhenTheRecordsHaveThem() {
        BufferedImage withSeen = PngChart.image(WatchRecords.history(4), "combined", XAxis.IMAGES, false, 640, 400);
        BufferedImage without =
                PngChart.image(WatchRecords.heldOutHistory(4), "combined", XAxis.IMAGES, false, 640, 400);

        assertThat(count(withSeen, ChartSeries.SEEN_RECALL_COLOR)).isGreaterThan(30);
        assertThat(count(withSeen, ChartSeries.SEEN_NMI_COLOR)).isGreaterThan(30);
        assertThat(count(without, ChartSeries.SEEN_RECALL_COLOR)).isZero();
        assertThat(count(without, ChartSeries.SEEN_NMI_COLOR)).isZero();
        assertThat(count(without, ChartSeries.RECALL_COLOR)).isGreaterThan(100);
        assertThat(PngChart.chart(WatchRecords.history(4), "combined", XAxis.IMAGES, false)
                        .getXYPlot()
                        .getDataset()
                        .getSeriesKey(2))
                .isEqualTo("recall@1 (combined, seen classes)");
    }

    @Test
    void aRecordWithoutSeenImagesHasNoSeenScores() {
        var record = WatchRecords.version(1);
        record.setSeenImages(0); // scores without images: not seen-class scores
        VersionPoint point = RecallHistory.empty().with(record).points().get(0);

        assertThat(point.seenScoresOf("combined")).isEmpty();
        assertThat(point.seenImages()).isZero();
        assertThat(RecallHistory.empty()
                        .with(WatchRecords.version(1))
                        .points()
                        .get(0)
                        .seenImages())
                .isEqualTo(400);
        assertThat(ChartSeries.of(RecallHistory.empty().with(record), "combined", XAxis.IMAGES, true))
                .extracting(ChartSeries::name)
                .containsExactly(
                        "recall@1 (combined, held-out classes)",
                        "NMI (combined, held-out classes)",
                        "recall@1 (discriminative, held-out classes)",
                        "recall@1 (selfsim, held-out classes)");
    }

    @Test
    void tickSpacingIsOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(HtmlReport.ticks(0.4, 0.8)).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(HtmlReport.ticks(0.4, 0.8).get(i))
                    .isCloseTo(0.4 + 0.1 * i, org.assertj.core.data.Offset.offset(1e-12));
        }
        assertThat(HtmlReport.ticks(0.35, 0.85)).hasSize(5);
        assertThat(HtmlReport.ticks(0.35, 0.85).get(0)).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(HtmlReport.ticks(1000, 5000)).containsExactly(1000.0, 2000.0, 3000.0, 4000.0, 5000.0);
        assertThat(HtmlReport.escape("<a href=\"x\">&'")).isEqualTo("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    static List<String> polylines(String html) {
        Matcher m = Pattern.compile("<polyline [^>]*/>").matcher(html);
        List<String> result = new java.util.ArrayList<>();
        while (m.find()) {
            result.add(m.group());
        }
        return result;
    }

    static List<double[]> points(String polyline) {
        Matcher m = Pattern.compile("points=\"([^\"]*)\"").matcher(polyline);
        assertThat(m.find()).isTrue();
        List<double[]> result = new java.util.ArrayList<>();
        for (String pair : m.group(1).trim().split(" ")) {
            String[] xy = pair.split(",");
            result.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
        }
        return result;
    }

    static long count(BufferedImage image, Color color) {
        long n = 0;
        int rgb = color.getRGB();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (image.getRGB(x, y) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
