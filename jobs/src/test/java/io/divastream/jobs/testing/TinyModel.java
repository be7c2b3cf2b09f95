package io.divastream.jobs.testing;

import io.divastream.jobs.config.JobConfig;
import io.divastream.jobs.events.TrainingBatch;
import io.divastream.model.DivaHead;
import io.divastream.model.augment.AugmentationSpec;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.OptimizerSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** A DiVA model small enough for operator tests: 28 px input, two 8-channel blocks, 16-d heads. */
public final class TinyModel {

    /** Side of the input images. */
    public static final int SIDE = 28;

    /** The network: all four heads of 16 dimensions, a 32-wide decorrelation regressor. */
    public static final NetworkSpec NETWORK = new NetworkSpec(SIDE, List.of(8, 8), 16, List.of(DivaHead.values()), 32);

    private TinyModel() {}

    /**
     * The model configuration: DiVA's Omniglot loss and optimizer settings, a queue of 64 keys.
     *
     * @return the configuration
     */
    public static DivaConfig config() {
        DivaConfig defaults = DivaConfig.omniglotDefaults();
        return new DivaConfig(NETWORK, defaults.loss(), defaults.optimizer(), new MomentumSpec(0.9, 64), 7L);
    }

    /**
     * The same model with another optimizer.
     *
     * @param optimizer the optimizer settings
     * @return the configuration
     */
    public static DivaConfig config(OptimizerSpec optimizer) {
        DivaConfig c = config();
        return new DivaConfig(c.network(), c.loss(), optimizer, c.momentum(), c.seed());
    }

    /**
     * A training configuration.
     *
     * @param model the model
     * @param stepsPerVersion steps between published versions
     * @param maxConsecutiveFailures diverged steps in a row that fail the trainer
     * @return the configuration
     */
    public static JobConfig.TrainingConfig training(DivaConfig model, int stepsPerVersion, int maxConsecutiveFailures) {
        return new JobConfig.TrainingConfig(
                model, AugmentationSpec.omniglotDefault(), stepsPerVersion, maxConsecutiveFailures);
    }

    /**
     * A training configuration whose first batches only fill the DaNCE queue.
     *
     * @param model the model
     * @param stepsPerVersion steps between published versions
     * @param maxConsecutiveFailures diverged steps in a row that fail the trainer
     * @param queueInitBatches batches that fill the queue before the first step
     * @return the configuration
     */
    public static JobConfig.TrainingConfig training(
            DivaConfig model, int stepsPerVersion, int maxConsecutiveFailures, int queueInitBatches) {
        return training(model, stepsPerVersion, maxConsecutiveFailures).withQueueInitBatches(queueInitBatches);
    }

    /**
     * A random image.
     *
     * @param random the source
     * @return {@code SIDE * SIDE} random bytes
     */
    public static byte[] randomImage(Random random) {
        byte[] pixels = new byte[SIDE * SIDE];
        random.nextBytes(pixels);
        return pixels;
    }

    /**
     * A class-balanced batch of random images: {@code p} distinct classes out of {@code classes},
     * {@code k} images each.
     *
     * @param sequence the batch number
     * @param random the source
     * @param classes the number of classes to draw from
     * @param p classes per batch
     * @param k images per class
     * @param newImages the batch's count of new images
     * @return the batch
     */
    public static TrainingBatch batch(long sequence, Random random, int classes, int p, int k, int newImages) {
        List<Integer> pool = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            pool.add(c);
        }
        Collections.shuffle(pool, random);
        String[] labels = new String[p * k];
        String[] ids = new String[p * k];
        byte[][] pixels = new byte[p * k][];
        for (int i = 0; i < p * k; i++) {
            labels[i] = "Alphabet/character" + pool.get(i / k);
            ids[i] = "batch" + sequence + "/image" + i;
            pixels[i] = randomImage(random);
        }
        return new TrainingBatch(sequence, labels, ids, pixels, newImages);
    }
}
