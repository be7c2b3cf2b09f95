package io.divastream.watch;

import io.divastream.schemas.RetrievalMetrics;

/**
 * Retrieval quality of one embedding of one model version, as published in a {@code
 * RetrievalMetrics} record: Recall@1/2/4/8, NMI and MAP@R, fractions in [0, 1].
 *
 * @param recallAt1 Recall@1
 * @param recallAt2 Recall@2
 * @param recallAt4 Recall@4
 * @param recallAt8 Recall@8
 * @param nmi normalised mutual information of the k-means clusters
 * @param mapAtR MAP@R
 */
public record Scores(
        double recallAt1, double recallAt2, double recallAt4, double recallAt8, double nmi, double mapAtR) {

    /**
     * Copies a decoded Avro record.
     *
     * @param metrics the record, not null
     * @return the scores
     */
    public static Scores of(RetrievalMetrics metrics) {
        return new Scores(
                metrics.getRecallAt1(),
                metrics.getRecallAt2(),
                metrics.getRecallAt4(),
                metrics.getRecallAt8(),
                metrics.getNmi(),
                metrics.getMapAtR());
    }
}
