package io.divastream.model.bench;

import io.divastream.model.DivaHead;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.augment.AugmentationSpec;
import io.divastream.model.augment.GlyphAugmenter;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.KeyBatchNormStatistics;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.ObjectiveSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.loss.baseline.BaselineKind;
import io.divastream.model.loss.baseline.BaselineSpec;
import io.divastream.model.train.DivaTrainer;
import io.divastream.model.train.LabeledBatch;
import io.divastream.model.train.StepResult;
import io.divastream.model.train.SyntheticGlyphs;
import io.divastream.model.train.TrainingView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Prints the SHA-256 of the trainer's parameters ({@code snapshot(0).sha256()}) and of its saved
 * state after short deterministic runs at a fixed seed on fixed synthetic batches (prints, asserts
 * nothing): a refactoring of {@link DivaTrainer} must print the same lines on the same machine.
 * The runs cover every path of the trainer's public API: the queue's initialisation, class
 * recycling, separate head and backbone groups with a frozen backbone, averaged key BatchNorm
 * statistics, images of any form, the baselines, and a restore.
 *
 * <pre>
 * DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_WAIT_POLICY=PASSIVE \
 *   mvn -B -q -o -pl model test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.divastream.model.bench.TrainerFingerprint
 * </pre>
 */
public final class TrainerFingerprint {

    private TrainerFingerprint() {}

    private static DivaConfig small() {
        return new DivaConfig(
                new NetworkSpec(28, List.of(8, 8), 16, List.of(DivaHead.values()), 32),
                new LossSpec(0.2, 1.2, 0.5, 0.3, 0.3, 0.3, 1500, 0.01, 1.4, false),
                new OptimizerSpec(1e-3, 4e-4, 5e-4, 1e-3),
                new MomentumSpec(0.9, 64),
                7L);
    }

    private static List<LabeledBatch> batches(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LabeledBatch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(SyntheticGlyphs.batch(random, 4, 4, 12));
        }
        return out;
    }

    private static String sha(byte[] bytes) {
        return new ModelSnapshot(0, 0, bytes, 1).sha256();
    }

    private static void print(String run, DivaTrainer trainer, List<StepResult> results) {
        double[] totals = results.stream().mapToDouble(StepResult::total).toArray();
        System.out.printf(
                "%-22s parameters %s state %s steps %d queue %d totals %s%n",
                run,
                trainer.snapshot(0).sha256(),
                sha(trainer.saveState()),
                trainer.steps(),
                trainer.queueSize(),
                Arrays.toString(totals));
    }

    /**
     * Runs the fingerprints.
     *
     * @param args none
     * @throws IOException if a restore fails
     */
    public static void main(String[] args) throws IOException {
        GlyphAugmenter glyphs = new GlyphAugmenter(AugmentationSpec.omniglotDefault());
        // DiVA, glyph augmentation, queue initialised by batches, a class capacity of 8 (recycling)
        byte[] midway;
        try (DivaTrainer t = new DivaTrainer(small(), glyphs::augment, 8)) {
            List<StepResult> r = new ArrayList<>();
            List<LabeledBatch> b = batches(3, 10);
            t.initializeQueue(b.get(0));
            t.initializeQueue(b.subList(1, 3));
            for (int i = 3; i < 7; i++) {
                r.add(t.step(b.get(i)));
            }
            midway = t.saveState();
            for (int i = 7; i < 10; i++) {
                r.add(t.step(b.get(i)));
            }
            print("diva-recycling", t, r);
            System.out.printf("%-22s recycled %d classes %d%n", "", t.recycledClasses(), t.classCount());
        }
        try (DivaTrainer t = new DivaTrainer(small(), glyphs::augment, 8)) {
            t.restore(midway);
            List<StepResult> r = new ArrayList<>();
            List<LabeledBatch> b = batches(3, 10);
            for (int i = 7; i < 10; i++) {
                r.add(t.step(b.get(i)));
            }
            print("diva-restored", t, r);
        }
        // separate head group (frozen backbone, then thawed), EMA key statistics, images of any form
        DivaConfig base = small();
        OptimizerSpec o = base.optimizer();
        DivaConfig heads = new DivaConfig(
                base.network(),
                base.loss(),
                new OptimizerSpec(1e-4, 4e-4, o.betaLearningRate(), o.decorrelationLearningRate())
                        .withHeadLearningRateFactor(10),
                base.momentum().withKeyBatchNormStatistics(KeyBatchNormStatistics.EMA),
                base.objective(),
                base.seed());
        try (DivaTrainer t = new DivaTrainer(heads, glyphs::augment, 64)) {
            TrainingView<float[]> view = (image, random) -> glyphs.augment(image, 28, random);
            List<LabeledBatch> b = batches(4, 6);
            t.enqueueKeys(Arrays.asList(b.get(0).images()), view);
            List<StepResult> r = new ArrayList<>();
            t.freezeBackbone(true);
            r.add(t.step(b.get(1)));
            r.add(t.step(b.get(2).labels(), Arrays.asList(b.get(2).images()), view));
            t.freezeBackbone(false);
            for (int i = 3; i < 6; i++) {
                r.add(t.step(b.get(i)));
            }
            print("heads-frozen-ema", t, r);
        }
        // three heads, no decorrelation; and the empty queue filled by the first step
        try (DivaTrainer t = new DivaTrainer(
                        small().withHeads(List.of(DivaHead.DISCRIMINATIVE, DivaHead.SELFSIM, DivaHead.SHARED)),
                        glyphs::augment,
                        64);
                DivaTrainer u = new DivaTrainer(
                        small().withObjective(ObjectiveSpec.withoutDecorrelation()), glyphs::augment, 64)) {
            List<StepResult> r = new ArrayList<>();
            List<StepResult> s = new ArrayList<>();
            for (LabeledBatch batch : batches(5, 4)) {
                r.add(t.step(batch));
                s.add(u.step(batch));
            }
            print("three-heads", t, r);
            print("no-decorrelation", u, s);
        }
        // the baselines: one embedding of the total size, one loss (proxies in the state)
        for (BaselineKind kind : BaselineKind.values()) {
            NetworkSpec n = small().network();
            DivaConfig config = new DivaConfig(
                    new NetworkSpec(
                            n.inputSize(),
                            n.channels(),
                            4 * n.embeddingDim(),
                            List.of(DivaHead.DISCRIMINATIVE),
                            n.decorrelationHidden()),
                    small().loss(),
                    small().optimizer(),
                    small().momentum(),
                    ObjectiveSpec.baseline(BaselineSpec.defaults(kind)),
                    small().seed());
            try (DivaTrainer t = new DivaTrainer(config, glyphs::augment, 16)) {
                List<StepResult> r = new ArrayList<>();
                for (LabeledBatch batch : batches(6, 3)) {
                    r.add(t.step(batch));
                }
                print("baseline-" + kind.name().toLowerCase(java.util.Locale.ROOT), t, r);
            }
        }
    }
}
