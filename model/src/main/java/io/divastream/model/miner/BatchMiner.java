package io.divastream.model.miner;

import java.util.random.RandomGenerator;

/** Mines triplets from a batch of embeddings (detached, as plain floats) and labels. */
@FunctionalInterface
public interface BatchMiner {

    /**
     * Mines triplets.
     *
     * @param embeddings the batch embeddings, row-major (B, d)
     * @param labels the class of each sample, length B
     * @param random the source of randomness
     * @return the mined triplets
     */
    Triplets mine(float[][] embeddings, int[] labels, RandomGenerator random);
}
