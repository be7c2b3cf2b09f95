package io.divastream.demo;

import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.RetrievalMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a metrics record as the demo's result file: one object per embedding ("combined" first,
 * then the heads), each with recall@1/2/4/8, nmi and map@r as fractions.
 */
public final class DemoResults {

    private static final List<String> ORDER = List.of("combined", "discriminative", "selfsim", "shared", "intra");

    private DemoResults() {}

    /**
     * Renders the JSON.
     *
     * @param record the metrics record
     * @return the JSON text
     */
    public static String toJson(MetricsRecord record) {
        List<String> names = new ArrayList<>();
        for (String name : ORDER) {
            if (record.getMetrics().containsKey(name)) {
                names.add(name);
            }
        }
        for (String name : record.getMetrics().keySet()) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        StringBuilder json = new StringBuilder("{\n");
        for (int i = 0; i < names.size(); i++) {
            RetrievalMetrics m = record.getMetrics().get(names.get(i));
            json.append("  \"").append(names.get(i)).append("\": {");
            appendField(json, "recall@1", m.getRecallAt1(), true);
            appendField(json, "recall@2", m.getRecallAt2(), false);
            appendField(json, "recall@4", m.getRecallAt4(), false);
            appendField(json, "recall@8", m.getRecallAt8(), false);
            appendField(json, "nmi", m.getNmi(), false);
            appendField(json, "map@r", m.getMapAtR(), false);
            json.append("}").append(i + 1 < names.size() ? ",\n" : "\n");
        }
        return json.append("}\n").toString();
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
        Files.writeString(file, toJson(record), StandardCharsets.UTF_8);
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
