package io.divastream.model.miner;

/**
 * Triplets of batch indices (anchor, positive, negative) mined from one batch.
 *
 * @param anchors anchor indices
 * @param positives positive indices, same length
 * @param negatives negative indices, same length
 */
public record Triplets(int[] anchors, int[] positives, int[] negatives) {

    /** Checks that the three index arrays have the same length. */
    public Triplets {
        if (anchors.length != positives.length || anchors.length != negatives.length) {
            throw new IllegalArgumentException("triplet index arrays differ in length");
        }
    }

    /**
     * Returns the number of triplets.
     *
     * @return the count
     */
    public int size() {
        return anchors.length;
    }
}
