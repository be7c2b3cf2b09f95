package io.divastream.jobs.events;

/**
 * Retrieval on the sampled training images of one group of classes, the classes being grouped by first arrival
 * ({@code metrics.class-group-size} classes a group: the waves of a class-incremental stream).
 *
 * @param group the group's number, 0 for the classes that arrived first
 * @param classes sampled classes of the group scored
 * @param images sampled images of the group scored (leave-one-out within the group)
 * @param recallAt1 combined Recall@1
 * @param mapAtR combined MAP@R
 * @param bestEarlierRecallAt1 the group's best combined Recall@1 of the versions scored before, NaN if none
 */
public record ClassGroupScore(
        int group, int classes, int images, double recallAt1, double mapAtR, double bestEarlierRecallAt1) {

    /**
     * The forgetting of the group: how far its Recall@1 fell below its best earlier one.
     *
     * @return max(0, best earlier - now), 0 without an earlier score
     */
    public double forgetting() {
        return Double.isNaN(bestEarlierRecallAt1) ? 0 : Math.max(0, bestEarlierRecallAt1 - recallAt1);
    }
}
