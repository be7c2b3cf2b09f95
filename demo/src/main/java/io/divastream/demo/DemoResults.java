package io.divastream.demo;

import io.divastream.evaluation.RetrievalScores;
import io.divastream.schemas.ClassGroupMetrics;
import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.RetrievalMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a metrics record as the demo's result file: one object per embedding ("combined" first,
 * then the heads), each with recall@1/2/4/8, nmi and map@r as fractions.
 */
public final class DemoResults {

    /** The name of the combined embedding in metrics records. */
    public static final String COMBINED = "combined";

    private static final List<String> ORDER = List.of(COMBINED, "discriminative", "selfsim", "shared", "intra");

    private DemoResults() {}

    /** The six figures of one embedding, as fractions. */
    private record Figures(double r1, double r2, double r4, double r8, double nmi, double mapAtR) {
        static Figures of(RetrievalMetrics m) {
            return new Figures(
                    m.getRecallAt1(), m.getRecallAt2(), m.getRecallAt4(), m.getRecallAt8(), m.getNmi(), m.getMapAtR());
        }

        static Figures of(RetrievalScores s) {
            return new Figures(s.recallAt1(), s.recallAt2(), s.recallAt4(), s.recallAt8(), s.nmi(), s.mapAtR());
        }
    }

    /**
     * Renders the JSON of a run's last metrics record.
     *
     * @param record the metrics record
     * @return the JSON text
     */
    public static String toJson(MetricsRecord record) {
        return toJson(record, COMBINED, Map.of());
    }

    /**
     * Renders the JSON of a run's last metrics record and of baselines scored on the same images.
     *
     * @param record the metrics record
     * @param combinedName the name of the record's combined embedding in the file (e.g. {@code
     *     discriminative-only} for a run with that head only)
     * @param baselines further entries after the record's, e.g. {@code pooled}
     * @return the JSON text
     */
    public static String toJson(MetricsRecord record, String combinedName, Map<String, RetrievalScores> baselines) {
        Map<String, Figures> rows = new LinkedHashMap<>();
        for (String name : ORDER) {
            if (record.getMetrics().containsKey(name)) {
                rows.put(
                        name.equals(COMBINED) ? combinedName : name,
                        Figures.of(record.getMetrics().get(name)));
            }
        }
        record.getMetrics().forEach((name, m) -> {
            if (!ORDER.contains(name)) {
                rows.put(name, Figures.of(m));
            }
        });
        baselines.forEach((name, s) -> rows.put(name, Figures.of(s)));
        List<String> entries = new ArrayList<>();
        for (Map.Entry<String, Figures> row : rows.entrySet()) {
            Figures f = row.getValue();
            StringBuilder entry = new StringBuilder("  \"").append(row.getKey()).append("\": {");
            appendField(entry, "recall@1", f.r1(), true);
            appendField(entry, "recall@2", f.r2(), false);
            appendField(entry, "recall@4", f.r4(), false);
            appendField(entry, "recall@8", f.r8(), false);
            appendField(entry, "nmi", f.nmi(), false);
            appendField(entry, "map@r", f.mapAtR(), false);
            entries.add(entry.append("}").toString());
        }
        entries.addAll(continual(record));
        return "{\n" + String.join(",\n", entries) + "\n}\n";
    }

    /**
     * The continual scores of the record (docs/continual.md): its oldest and newest class groups, and the
     * cross-version scores, each if present.
     */
    private static List<String> continual(MetricsRecord record) {
        List<String> entries = new ArrayList<>();
        List<ClassGroupMetrics> groups = record.getClassGroups();
        if (!groups.isEmpty()) {
            entries.add(group("oldest-class-group", groups.get(0)));
            entries.add(group("newest-class-group", groups.get(groups.size() - 1)));
        }
        record.getCrossVersion().forEach((name, m) -> {
            if (name.toString().equals(COMBINED)) {
                StringBuilder entry = new StringBuilder("  \"cross-version\": {");
                appendField(entry, "recall@1", m.getRecallAt1(), true);
                appendField(entry, "map@r", m.getMapAtR(), false);
                entry.append(", \"serving-version\": ")
                        .append(record.getServingVersion())
                        .append('}');
                entries.add(entry.toString());
            }
        });
        return entries;
    }

    private static String group(String name, ClassGroupMetrics g) {
        StringBuilder entry = new StringBuilder("  \"")
                .append(name)
                .append("\": {\"group\": ")
                .append(g.getGroup());
        appendField(entry, "recall@1", g.getRecallAt1(), false);
        appendField(entry, "map@r", g.getMapAtR(), false);
        appendField(entry, "best-earlier-recall@1", g.getBestEarlierRecallAt1(), false);
        appendField(entry, "forgetting", g.getForgetting(), false);
        return entry.append(", \"classes\": ")
                .append(g.getClasses())
                .append('}')
                .toString();
    }

    private static void appendField(StringBuilder json, String key, double value, boolean first) {
        if (!first) {
            json.append(", ");
        }
        json.append('"').append(key).append("\": ");
        json.append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.6f", value) : "null");
    }

    /**
     * Writes the JSON to a file.
     *
     * @param record the metrics record
     * @param file the target file
     * @throws IOException if writing fails
     */
    public static void write(MetricsRecord record, Path file) throws IOException {
        write(toJson(record), file);
    }

    /**
     * Writes rendered JSON to a file.
     *
     * @param json the JSON text
     * @param file the target file
     * @throws IOException if writing fails
     */
    public static void write(String json, Path file) throws IOException {
        Files.writeString(file, json, StandardCharsets.UTF_8);
    }

    /**
     * Reads one value back (for the demo's summary line).
     *
     * @param record the record
     * @param embedding the embedding name
     * @return its recall@1, or NaN if absent
     */
    public static double recallAt1(MetricsRecord record, String embedding) {
        Map<String, RetrievalMetrics> metrics = record.getMetrics();
        RetrievalMetrics m = metrics.get(embedding);
        return m == null ? Double.NaN : m.getRecallAt1();
    }
}
