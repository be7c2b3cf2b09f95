package io.divastream.watch;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One evaluated model version: where training stood when it was published, how it was evaluated,
 * its scores per embedding and, when the model-versions topic is read too, its mean training losses.
 *
 * @param modelVersion the model version
 * @param trainingStep optimizer steps taken when the version was published
 * @param imagesSeen distinct training images the trainer had received by then
 * @param evalImages evaluation images embedded with this version
 * @param evalClasses distinct evaluation classes among them
 * @param seenImages sampled training images the seen-class scores were computed on (0: none)
 * @param scores per embedding ({@code combined} and the heads), in the record's order
 * @param seen per embedding, the seen-class scores (a sample of the training classes); empty if the
 *     record has none
 * @param losses mean losses since the previous version ({@code total}, the heads, {@code
 *     decorrelation}); empty when unknown
 * @param continual the scores per class group and across versions ({@link ContinualPoint#NONE} if none)
 */
public record VersionPoint(
        long modelVersion,
        long trainingStep,
        long imagesSeen,
        int evalImages,
        int evalClasses,
        int seenImages,
        Map<String, Scores> scores,
        Map<String, Scores> seen,
        Map<String, Double> losses,
        ContinualPoint continual) {

    /** Copies the maps (keeping their iteration order). */
    public VersionPoint {
        scores = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scores));
        seen = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(seen));
        losses = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(losses));
        java.util.Objects.requireNonNull(continual, "continual");
    }

    /**
     * The scores of one embedding.
     *
     * @param embedding {@code combined} or a head name
     * @return its scores, or empty if the version has none for it
     */
    public Optional<Scores> scoresOf(String embedding) {
        return Optional.ofNullable(scores.get(embedding));
    }

    /**
     * The seen-class scores of one embedding.
     *
     * @param embedding {@code combined} or a head name
     * @return its scores on the training sample, or empty if the version has none for it
     */
    public Optional<Scores> seenScoresOf(String embedding) {
        return Optional.ofNullable(seen.get(embedding));
    }

    /**
     * One mean loss.
     *
     * @param name e.g. {@code total}
     * @return the loss, or empty if unknown
     */
    public OptionalDouble loss(String name) {
        Double value = losses.get(name);
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /**
     * This point with other losses.
     *
     * @param newLosses the losses
     * @return the new point
     */
    public VersionPoint withLosses(Map<String, Double> newLosses) {
        return new VersionPoint(
                modelVersion,
                trainingStep,
                imagesSeen,
                evalImages,
                evalClasses,
                seenImages,
                scores,
                seen,
                newLosses,
                continual);
    }

    /**
     * The value of this point on an x axis.
     *
     * @param axis the axis
     * @return images seen or training step
     */
    public double x(XAxis axis) {
        return axis == XAxis.IMAGES ? imagesSeen : trainingStep;
    }
}
