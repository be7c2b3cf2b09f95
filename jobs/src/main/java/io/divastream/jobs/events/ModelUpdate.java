package io.divastream.jobs.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * A new model version from the trainer: its parameters (for the embedders) and what it was trained
 * on (for the model-version topic).
 *
 * @param version the model version, 0 for the untrained initial model
 * @param step optimizer steps taken
 * @param imagesSeen distinct training images received by the trainer
 * @param trainClasses training classes seen by the trainer
 * @param parameters the serialized query-network parameters
 * @param parameterCount the number of scalar parameters
 * @param parameterSha256 hex SHA-256 of the parameters
 * @param lossNames names of the mean losses since the previous version
 * @param lossValues the mean losses, aligned with {@code lossNames}
 * @param createdAt epoch milliseconds
 * @param checkpointId the newest Flink checkpoint the trainer knew to be complete when it published
 *     this version (the one it was restored from, or the newest whose completion it was notified of
 *     since); 0 if none (Flink's checkpoint ids start at 1)
 */
public record ModelUpdate(
        long version,
        long step,
        long imagesSeen,
        int trainClasses,
        byte[] parameters,
        long parameterCount,
        String parameterSha256,
        String[] lossNames,
        double[] lossValues,
        long createdAt,
        long checkpointId) {

    /** The {@code checkpointId} of a version published before any checkpoint completed. */
    public static final long NO_CHECKPOINT = 0;

    /** Checks the fields. */
    public ModelUpdate {
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(lossNames, "lossNames");
        Objects.requireNonNull(lossValues, "lossValues");
        if (lossNames.length != lossValues.length) {
            throw new IllegalArgumentException("loss names and values differ in length");
        }
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id must not be negative, got " + checkpointId);
        }
    }

    /**
     * A model update that belongs to no checkpoint ({@link #NO_CHECKPOINT}).
     *
     * @param version the model version
     * @param step optimizer steps taken
     * @param imagesSeen distinct training images received by the trainer
     * @param trainClasses training classes seen by the trainer
     * @param parameters the serialized query-network parameters
     * @param parameterCount the number of scalar parameters
     * @param parameterSha256 hex SHA-256 of the parameters
     * @param lossNames names of the mean losses since the previous version
     * @param lossValues the mean losses
     * @param createdAt epoch milliseconds
     */
    public ModelUpdate(
            long version,
            long step,
            long imagesSeen,
            int trainClasses,
            byte[] parameters,
            long parameterCount,
            String parameterSha256,
            String[] lossNames,
            double[] lossValues,
            long createdAt) {
        this(
                version,
                step,
                imagesSeen,
                trainClasses,
                parameters,
                parameterCount,
                parameterSha256,
                lossNames,
                lossValues,
                createdAt,
                NO_CHECKPOINT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelUpdate m
                && version == m.version
                && step == m.step
                && imagesSeen == m.imagesSeen
                && trainClasses == m.trainClasses
                && parameterCount == m.parameterCount
                && createdAt == m.createdAt
                && checkpointId == m.checkpointId
                && Objects.equals(parameterSha256, m.parameterSha256)
                && Arrays.equals(parameters, m.parameters)
                && Arrays.equals(lossNames, m.lossNames)
                && Arrays.equals(lossValues, m.lossValues);
    }

    /**
     * The same update published under another version number.
     *
     * @param newVersion the version
     * @return the update with that version
     */
    public ModelUpdate withVersion(long newVersion) {
        return new ModelUpdate(
                newVersion,
                step,
                imagesSeen,
                trainClasses,
                parameters,
                parameterCount,
                parameterSha256,
                lossNames,
                lossValues,
                createdAt,
                checkpointId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, step, parameterSha256);
    }

    @Override
    public String toString() {
        return "ModelUpdate[v" + version + ", step " + step + ", " + imagesSeen + " images]";
    }
}
