package io.divastream.demo;

import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.RetrievalMetrics;
import java.util.Locale;

/** Formats metrics records as the rows of a compact table. */
public final class MetricsTable {

    private MetricsTable() {}

    /**
     * Returns the header line.
     *
     * @return the header
     */
    public static String header() {
        return String.format(
                Locale.ROOT,
                "%8s %7s %8s %6s | %9s %7s %7s | %9s  %s",
                "version",
                "step",
                "images",
                "eval",
                "recall@1",
                "NMI",
                "mAP@R",
                "disc r@1",
                "elapsed");
    }

    /**
     * Formats one record.
     *
     * @param record the metrics record
     * @param elapsedSeconds seconds since the demo started
     * @return the row
     */
    public static String row(MetricsRecord record, double elapsedSeconds) {
        RetrievalMetrics combined = record.getMetrics().get("combined");
        RetrievalMetrics disc = record.getMetrics().get("discriminative");
        return String.format(
                Locale.ROOT,
                "%8d %7d %8d %6d | %9.4f %7.4f %7.4f | %9.4f  %5.0fs",
                record.getModelVersion(),
                record.getTrainingStep(),
                record.getImagesSeen(),
                record.getEvalImages(),
                combined == null ? Double.NaN : combined.getRecallAt1(),
                combined == null ? Double.NaN : combined.getNmi(),
                combined == null ? Double.NaN : combined.getMapAtR(),
                disc == null ? Double.NaN : disc.getRecallAt1(),
                elapsedSeconds);
    }
}
