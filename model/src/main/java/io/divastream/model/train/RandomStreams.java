package io.divastream.model.train;

import java.util.SplittableRandom;

/**
 * The trainer's random draws as pure functions of (seed, purpose, step, index): each draw of a step
 * comes from a generator seeded by a hash of these four numbers, not from a generator carried from
 * step to step. A trainer restored at step s therefore makes exactly the draws an uninterrupted
 * trainer makes at step s, and no generator state needs to be checkpointed.
 *
 * <p>The four numbers are folded through the SplitMix64 finaliser (Stafford's mix 13), so streams
 * of neighbouring steps or indices start at unrelated points of {@link SplittableRandom}'s sequence.
 */
public final class RandomStreams {

    /** What a stream is drawn for; its code enters the hash, so streams of different purposes differ. */
    public enum Purpose {
        /** The two augmented training views of every image of a step. */
        VIEWS(1),
        /** A head's triplet mining (index: the head's ordinal), or a baseline loss's random choices. */
        MINING(2),
        /** The view of each image whose key initialises the DaNCE queue (index: the queue's size). */
        QUEUE_VIEWS(3),
        /**
         * A streaming batch assembler's class and image draws (step: the batch's sequence number,
         * index: the assembling subtask), so a restored assembler draws as an uninterrupted one.
         */
        BATCHES(4),
        /**
         * A streaming batch assembler's replay memory: which image a class's reservoir keeps or drops (step: the
         * arrival's stamp, index: the assembling subtask).
         */
        REPLAY_MEMORY(5);

        private final long code;

        Purpose(long code) {
            this.code = code;
        }
    }

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private RandomStreams() {}

    /**
     * Returns the generator of one draw site.
     *
     * @param seed the model's seed
     * @param purpose what is drawn
     * @param step the training step the draws belong to (1 for the first step)
     * @param index distinguishes draw sites of the same purpose and step (0 if there is one)
     * @return a fresh generator, the same for the same four arguments
     */
    public static SplittableRandom of(long seed, Purpose purpose, long step, long index) {
        return new SplittableRandom(hash(seed, purpose, step, index));
    }

    /**
     * Returns the 64-bit seed of one draw site.
     *
     * @param seed the model's seed
     * @param purpose what is drawn
     * @param step the training step
     * @param index the draw site's index
     * @return the hash
     */
    static long hash(long seed, Purpose purpose, long step, long index) {
        long h = mix(seed + GOLDEN_GAMMA);
        h = mix(h ^ mix(purpose.code * GOLDEN_GAMMA));
        h = mix(h ^ mix(step + 2 * GOLDEN_GAMMA));
        return mix(h ^ mix(index + 3 * GOLDEN_GAMMA));
    }

    /** SplitMix64's finaliser: a bijection of 64-bit values with full avalanche. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
