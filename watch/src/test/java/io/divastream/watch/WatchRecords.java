package io.divastream.watch;

import io.divastream.schemas.MetricsRecord;
import io.divastream.schemas.ModelVersionRecord;
import io.divastream.schemas.RetrievalMetrics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Metrics and model-version records with values derived from the version, for the watch tests. */
final class WatchRecords {

    private static final Instant T0 = Instant.ofEpochMilli(1_764_000_000_000L);

    private WatchRecords() {}

    /** Recall@1 of the combined embedding of version {@code v}. */
    static double recall(long v) {
        return 0.40 + 0.1 * v;
    }

    /** NMI of the combined embedding of version {@code v}. */
    static double nmi(long v) {
        return 0.60 + 0.05 * v;
    }

    static RetrievalMetrics metrics(double r1, double nmi) {
        return RetrievalMetrics.newBuilder()
                .setRecallAt1(r1)
                .setRecallAt2(r1 + 0.01)
                .setRecallAt4(r1 + 0.02)
                .setRecallAt8(r1 + 0.03)
                .setNmi(nmi)
                .setMapAtR(r1 / 2)
                .build();
    }

    /**
     * Version {@code v}: step 250 v, 1000 (v + 1) images seen, combined scores {@link #recall} and
     * {@link #nmi}, a discriminative head 0.02 better and a selfsim head 0.1 worse.
     */
    static MetricsRecord version(long v) {
        Map<String, RetrievalMetrics> metrics = new LinkedHashMap<>();
        metrics.put("combined", metrics(recall(v), nmi(v)));
        metrics.put("discriminative", metrics(recall(v) + 0.02, nmi(v)));
        metrics.put("selfsim", metrics(recall(v) - 0.1, nmi(v) - 0.1));
        return MetricsRecord.newBuilder()
                .setModelVersion(v)
                .setTrainingStep(250 * v)
                .setImagesSeen(1000 * (v + 1))
                .setEvalImages(1780)
                .setEvalClasses(89)
                .setMetrics(new LinkedHashMap<>(metrics))
                // odd versions carry seen-class scores of the combined embedding (Recall@1 0.95 - 0.05 v)
                .setSeen(v % 2 == 1 ? Map.of("combined", metrics(0.95 - 0.05 * v, 0.9)) : Map.of())
                .setSeenImages(v % 2 == 1 ? 400 : 0)
                .setSeenClasses(v % 2 == 1 ? 100 : 0)
                .setModelCreatedAt(T0.plusSeconds(v))
                .setComputedAt(T0.plusSeconds(v + 1))
                .build();
    }

    /** The model-version record of version {@code v}, with total loss 2 - 0.25 v. */
    static ModelVersionRecord modelVersion(long v) {
        return ModelVersionRecord.newBuilder()
                .setModelVersion(v)
                .setTrainingStep(250 * v)
                .setImagesSeen(1000 * (v + 1))
                .setTrainClasses(153)
                .setHeads(List.of("discriminative", "selfsim"))
                .setEmbeddingDim(32)
                .setParameterCount(1000)
                .setParameterBytes(4000)
                .setParameterSha256("ab".repeat(32))
                .setLosses(new LinkedHashMap<>(Map.of("total", 2 - 0.25 * v)))
                .setCreatedAt(T0.plusSeconds(v))
                .build();
    }

    /** Version {@code v} without seen-class scores (as a record written before they existed reads). */
    static MetricsRecord heldOutOnly(long v) {
        MetricsRecord record = version(v);
        record.setSeen(Map.of());
        record.setSeenImages(0);
        record.setSeenClasses(0);
        return record;
    }

    /** Versions {@code 0..count-1} without seen-class scores. */
    static RecallHistory heldOutHistory(int count) {
        RecallHistory history = RecallHistory.empty();
        for (int v = 0; v < count; v++) {
            history = history.with(heldOutOnly(v));
        }
        return history;
    }

    /** Versions {@code 0..count-1}; the odd ones with seen-class scores. */
    static RecallHistory history(int count) {
        RecallHistory history = RecallHistory.empty();
        for (int v = 0; v < count; v++) {
            history = history.with(version(v));
        }
        return history;
    }
}
