package io.divastream.model.eval;

/**
 * The standard deep-metric-learning evaluation of one embedding of a labelled test set.
 *
 * @param recallAt1 Recall@1 (see {@link RecallAtK})
 * @param recallAt2 Recall@2
 * @param recallAt4 Recall@4
 * @param recallAt8 Recall@8
 * @param nmi NMI between the labels and a k-means clustering of the embeddings
 *     (see {@link NormalizedMutualInformation})
 * @param mapAtR MAP@R (see {@link MapAtR})
 */
public record RetrievalScores(
        double recallAt1, double recallAt2, double recallAt4, double recallAt8, double nmi, double mapAtR) {
}
