package io.divastream.evaluation;

/**
 * Outcome of {@link KMeans#fit(float[][])}: the best restart. Arrays are owned by the caller (records
 * compare arrays by reference).
 *
 * @param assignments cluster index in {@code [0, k)} of every point; each point is assigned to its
 *     nearest centroid (ties by smaller centroid index)
 * @param centroids {@code k x d} cluster centres
 * @param inertia sum over points of the squared Euclidean distance to the assigned centroid
 * @param iterations Lloyd iterations run by the kept restart
 */
public record KMeansResult(int[] assignments, double[][] centroids, double inertia, int iterations) {}
