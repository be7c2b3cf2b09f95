package io.divastream.jobs.metrics;

import io.divastream.evaluation.EvaluationConfig;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * The streaming evaluation protocol of {@link RetrievalMetricsFunction} (options {@code metrics.*}).
 *
 * @param everyVersions report every n-th model version (version 0 always)
 * @param minEvalImages score a version only once at least this many held-out images arrived (at least 2)
 * @param mode how the held-out images are scored
 * @param queryFraction in {@link EvaluationMode#QUERY_GALLERY} mode and in the cross-version scores, the share of
 *     held-out images that are
 *     queries: an image is a query if {@link StableHash#unit(String)} of its id is below it; in (0, 1)
 * @param recallKs the k of the reported Recall@k list, ascending and distinct, each at least 1
 * @param seenSamplePerClass images sampled per seen (training) class for the seen-class scores; 0 switches
 *     them off, else at least 2
 * @param seenMaxImages at most this many sampled training images in all (at least {@code seenSamplePerClass})
 * @param seed the k-means seed
 * @param classGroupSize classes per group of the continual scores (by first arrival; 0: no group scores)
 * @param trackedClasses the most training classes whose order of first arrival is kept
 * @param promotion when a scored version is promoted
 */
public record MetricsProtocol(
        int everyVersions,
        int minEvalImages,
        EvaluationMode mode,
        double queryFraction,
        List<Integer> recallKs,
        int seenSamplePerClass,
        int seenMaxImages,
        long seed,
        int classGroupSize,
        int trackedClasses,
        PromotionPolicy promotion)
        implements Serializable {

    private static final long serialVersionUID = 3L;

    /** The default bound of {@link #trackedClasses()}. */
    public static final int DEFAULT_TRACKED_CLASSES = 100_000;

    /** The default Recall@k list. */
    public static final List<Integer> DEFAULT_RECALL_KS = List.of(1, 2, 4, 8);

    /** Checks the settings. */
    public MetricsProtocol {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(recallKs, "recallKs");
        Objects.requireNonNull(promotion, "promotion");
        if (everyVersions < 1) {
            throw new IllegalArgumentException("every-versions must be >= 1, got " + everyVersions);
        }
        if (minEvalImages < 2) {
            throw new IllegalArgumentException("min-eval-images must be >= 2, got " + minEvalImages);
        }
        if (!(queryFraction > 0 && queryFraction < 1)) {
            throw new IllegalArgumentException("query fraction must be in (0, 1), got " + queryFraction);
        }
        if (recallKs.isEmpty()) {
            throw new IllegalArgumentException("the Recall@k list must not be empty");
        }
        for (int i = 0; i < recallKs.size(); i++) {
            if (recallKs.get(i) == null || recallKs.get(i) < 1 || (i > 0 && recallKs.get(i) <= recallKs.get(i - 1))) {
                throw new IllegalArgumentException(
                        "the Recall@k list must hold ascending, distinct k >= 1, got " + recallKs);
            }
        }
        recallKs = List.copyOf(recallKs);
        if (seenSamplePerClass != 0 && seenSamplePerClass < 2) {
            throw new IllegalArgumentException(
                    "seen-sample-per-class must be 0 (off) or >= 2 (retrieval needs two images of a class), got "
                            + seenSamplePerClass);
        }
        if (seenSamplePerClass > 0 && seenMaxImages < seenSamplePerClass) {
            throw new IllegalArgumentException("seen-max-images (" + seenMaxImages
                    + ") must be at least seen-sample-per-class (" + seenSamplePerClass + ")");
        }
        if (classGroupSize < 0 || trackedClasses < 1) {
            throw new IllegalArgumentException("class groups need a size >= 0 and tracked classes >= 1, got "
                    + classGroupSize + " and " + trackedClasses);
        }
    }

    /**
     * The protocol before issue 5: leave-one-out, Recall@1/2/4/8, no seen-class scores.
     *
     * @param everyVersions report every n-th model version
     * @param minEvalImages least number of held-out images
     * @param seed the k-means seed
     * @return the protocol
     */
    public static MetricsProtocol leaveOneOut(int everyVersions, int minEvalImages, long seed) {
        return new MetricsProtocol(
                everyVersions,
                Math.max(2, minEvalImages),
                EvaluationMode.LEAVE_ONE_OUT,
                0.5,
                DEFAULT_RECALL_KS,
                0,
                0,
                seed,
                0,
                DEFAULT_TRACKED_CLASSES,
                PromotionPolicy.DEFAULT);
    }

    /**
     * Whether training images are sampled and scored.
     *
     * @return {@code seenSamplePerClass > 0}
     */
    public boolean seenEnabled() {
        return seenSamplePerClass > 0;
    }

    /**
     * The number of seen classes sampled: as many as fit {@link #seenMaxImages()} at
     * {@link #seenSamplePerClass()} images each.
     *
     * @return the class bound, 0 if seen-class scores are off
     */
    public int seenClassLimit() {
        return seenEnabled() ? seenMaxImages / seenSamplePerClass : 0;
    }

    /**
     * Whether a held-out image is a query in {@link EvaluationMode#QUERY_GALLERY} mode: a fixed function of
     * its id.
     *
     * @param imageId the image id
     * @return whether it is a query (else a gallery image)
     */
    public boolean isQuery(String imageId) {
        return StableHash.unit(imageId) < queryFraction;
    }

    /**
     * The evaluator's settings: the seed, and the Recall@k list (1, 2, 4, 8 are always computed as well).
     *
     * @return the settings
     */
    public EvaluationConfig evaluationConfig() {
        return EvaluationConfig.defaults().withSeed(seed).withRecallKs(recallKs);
    }
}
