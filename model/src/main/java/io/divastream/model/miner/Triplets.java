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

    public int size() {
        return anchors.length;
    }

    /**
     * Returns, for every triplet, the class of its anchor: the index into the margin loss's beta.
     * Pass the true labels, also for the shared task whose miner worked on shuffled labels.
     *
     * @param labels the true class of each batch sample
     * @return labels[anchors[t]] for every triplet t
     */
    public int[] anchorClasses(int[] labels) {
        int[] classes = new int[anchors.length];
        for (int t = 0; t < classes.length; t++) {
            classes[t] = labels[anchors[t]];
        }
        return classes;
    }
}
