package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.LossSpec;
import io.divastream.model.config.MomentumSpec;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.OptimizerSpec;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DivaTrainerTest {

    private static final int P = 4;
    private static final int K = 4;
    private static final int CLASS_POOL = 12;
    private static final int CLASS_CAPACITY = 64;

    static DivaConfig smallConfig() {
        return new DivaConfig(
                new NetworkSpec(28, List.of(8, 8), 16, List.of(DivaHead.values()), 32),
                new LossSpec(0.2, 1.2, 0.5, 0.3, 0.3, 0.3, 1500, 0.01, 1.4, false),
                new OptimizerSpec(1e-3, 4e-4, 5e-4, 1e-3),
                new MomentumSpec(0.9, 64),
                7L);
    }

    private static DivaTrainer trainer(DivaConfig config) {
        return new DivaTrainer(config, ViewAugmenter.IDENTITY, CLASS_CAPACITY);
    }

    private static LabeledBatch batch(SplittableRandom random) {
        return SyntheticGlyphs.batch(random, P, K, CLASS_POOL);
    }

    private static LabeledBatch withNaN(LabeledBatch batch) {
        float[][] images = new float[batch.size()][];
        for (int i = 0; i < images.length; i++) {
            images[i] = batch.images()[i].clone();
        }
        Arrays.fill(images[5], 100, 140, Float.NaN);
        return new LabeledBatch(batch.labels(), images);
    }

    /** Byte arrays are compared by digest: a failure then prints two short strings, not megabytes. */
    private static String sha(byte[] bytes) {
        return new ModelSnapshot(0, 0, bytes, 1).sha256();
    }

    private static String parameters(DivaTrainer trainer) {
        return trainer.snapshot(1).sha256();
    }

    /** All arrays alive in the engine, through the (public, recursive) managed-array list of its root. */
    private static int liveArrays() {
        try (NDManager probe = DjlRuntime.engine().newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    @Test
    void theQueueIsFilledBeforeTrainingFromWholeBatchesUntilItIsFull() {
        SplittableRandom random = new SplittableRandom(2);
        try (DivaTrainer trainer = trainer(smallConfig())) { // queue 64, batches of 16
            List<LabeledBatch> keyBatches = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                keyBatches.add(batch(random));
            }
            assertThat(trainer.initializeQueue(keyBatches)).isEqualTo(48);
            keyBatches.add(batch(random));
            keyBatches.add(batch(random));
            assertThat(trainer.initializeQueue(keyBatches.subList(3, 5))).isEqualTo(64);
            assertThat(trainer.step(batch(random)).queueSize()).isEqualTo(64);
            assertThat(trainer.steps()).isEqualTo(1);
        }
        try (DivaTrainer noSelfsim = trainer(smallConfig().withHeads(List.of(DivaHead.DISCRIMINATIVE)))) {
            assertThat(noSelfsim.initializeQueue(List.of(batch(random)))).isZero();
        }
    }

    @Test
    void aHeadLearningRateFactorMovesTheHeadsThatMuchFurtherThanTheBackbone() {
        DivaConfig base = smallConfig();
        var o = base.optimizer();
        DivaConfig config = new DivaConfig(
                base.network(),
                base.loss(),
                new OptimizerSpec(1e-5, 0, o.betaLearningRate(), o.decorrelationLearningRate())
                        .withHeadLearningRateFactor(100),
                base.momentum(),
                base.objective(),
                base.seed());
        try (DivaTrainer trainer = trainer(config)) {
            java.util.Map<String, float[]> before = TrainerProbes.parameterValues(trainer);
            trainer.step(batch(new SplittableRandom(4)));
            java.util.Map<String, float[]> after = TrainerProbes.parameterValues(trainer);
            double backbone = meanAbsChange(before.get("backbone"), after.get("backbone"));
            double head = meanAbsChange(before.get("head_discriminative"), after.get("head_discriminative"));
            // Adam's first step moves every parameter with a gradient by about lr
            assertThat(backbone).isBetween(0.3e-5, 1.01e-5);
            assertThat(head).isBetween(0.3e-3, 1.01e-3);
        }
    }

    @Test
    void aFrozenBackboneStaysPutWhileTheHeadsTrainAndMovesAgainWhenThawed() {
        DivaConfig base = smallConfig();
        var o = base.optimizer();
        DivaConfig config = new DivaConfig(
                base.network(),
                base.loss(),
                new OptimizerSpec(1e-4, 4e-4, o.betaLearningRate(), o.decorrelationLearningRate())
                        .withHeadLearningRateFactor(10),
                base.momentum(),
                base.objective(),
                base.seed());
        SplittableRandom random = new SplittableRandom(5);
        try (DivaTrainer trainer = trainer(config)) {
            trainer.freezeBackbone(true);
            java.util.Map<String, float[]> before = TrainerProbes.parameterValues(trainer);
            trainer.step(batch(random));
            trainer.step(batch(random));
            java.util.Map<String, float[]> frozen = TrainerProbes.parameterValues(trainer);
            assertThat(frozen.get("backbone"))
                    .as("weight decay does not touch a frozen group either")
                    .containsExactly(before.get("backbone"));
            assertThat(meanAbsChange(before.get("head_discriminative"), frozen.get("head_discriminative")))
                    .isGreaterThan(1e-4);

            trainer.freezeBackbone(false);
            trainer.step(batch(random));
            assertThat(meanAbsChange(
                            frozen.get("backbone"),
                            TrainerProbes.parameterValues(trainer).get("backbone")))
                    .isGreaterThan(1e-6);
        }
    }

    @Test
    void aStreamOfEverNewClassesRecyclesTheLeastRecentlyTrainedClassesBetas() {
        DivaConfig config = smallConfig();
        SplittableRandom random = new SplittableRandom(9);
        int capacity = 2 * P;
        try (DivaTrainer trainer = new DivaTrainer(config, ViewAugmenter.IDENTITY, capacity)) {
            // every batch brings P classes never seen before: from the third batch on, each takes
            // over the index of a class of the batch before the last
            for (int batchNumber = 0; batchNumber < 4; batchNumber++) {
                LabeledBatch b = batch(random);
                List<String> renamed = new java.util.ArrayList<>();
                for (String label : b.labels()) {
                    renamed.add(label + "@" + batchNumber);
                }
                trainer.step(new LabeledBatch(renamed, b.images()));
                float[] betas = TrainerProbes.betaValues(trainer, DivaHead.DISCRIMINATIVE);
                if (batchNumber >= 2) {
                    // this batch's classes took over the indices of batch (n - 2): reset to the initial
                    // 1.2 with zero moments, then one Adam step at t = n + 1 >= 3, which moves a value
                    // by at most lr * 0.1 / sqrt(0.001) * sqrt(1 - 0.999^t) / (1 - 0.9^t) <= 0.64 lr
                    int first = (batchNumber % 2) * P;
                    for (int i = first; i < first + P; i++) {
                        assertThat((double) betas[i])
                                .as("beta %d after batch %d", i, batchNumber)
                                .isCloseTo(1.2, within(0.65 * config.optimizer().betaLearningRate()));
                    }
                }
            }
            assertThat(trainer.recycledClasses()).isEqualTo(2L * P);
            assertThat(trainer.classCount()).isEqualTo(capacity);
        }
    }

    @Test
    void theInitialModelDependsOnTheSeedOnlyEvenWhileOtherNetworksAreCreated() throws Exception {
        String alone;
        try (DivaTrainer trainer = trainer(smallConfig())) {
            alone = trainer.snapshot(0).sha256();
        }
        // an embedder in the same JVM draws its (discarded) initial parameters from PyTorch's global
        // generator too; without the initialisation lock its draws could land inside the trainer's
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread other = new Thread(() -> {
            while (!stop.get()) {
                try (io.divastream.model.embed.Embedder e =
                        new io.divastream.model.embed.Embedder(smallConfig().network())) {
                    assertThat(e).isNotNull();
                }
            }
        });
        other.start();
        try {
            for (int i = 0; i < 5; i++) {
                try (DivaTrainer trainer = trainer(smallConfig())) {
                    assertThat(trainer.snapshot(0).sha256()).as("trainer %d", i).isEqualTo(alone);
                }
            }
        } finally {
            stop.set(true);
            other.join();
        }
    }

    @Test
    void freezingTheBackboneNeedsItsOwnParameterGroup() {
        try (DivaTrainer trainer = trainer(smallConfig())) {
            assertThatThrownBy(() -> trainer.freezeBackbone(true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("head learning-rate factor");
        }
    }

    private static double meanAbsChange(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(b[i] - a[i]);
        }
        return sum / a.length;
    }

    @Test
    void stepsReturnFiniteLossesForEveryHeadAndANegativeDecorrelation() {
        SplittableRandom random = new SplittableRandom(1);
        try (DivaTrainer trainer = trainer(smallConfig())) {
            assertThat(trainer.steps()).isZero();
            int[] expectedQueue = {32, 48, 64, 64}; // filled with B keys before step 1, then B per step
            assertThat(trainer.queueSize()).isZero();
            assertThat(trainer.queueCapacity()).isEqualTo(64);
            for (int s = 1; s <= 4; s++) {
                StepResult r = trainer.step(batch(random));
                assertThat(r.step()).isEqualTo(s);
                assertThat(trainer.steps()).isEqualTo(s);
                assertThat(r.taskLosses()).containsOnlyKeys(DivaHead.values());
                assertThat(r.taskLosses().values())
                        .allSatisfy(v -> assertThat(v).isFinite().isNotNegative());
                assertThat(r.taskLosses().get(DivaHead.DISCRIMINATIVE)).isPositive();
                // DaNCE may round to 0 here: with identical views s+ ~ 1, so the positive logit is ~1/T = 100
                assertThat(r.decorrelation()).isFinite().isNegative();
                double expectedTotal = r.taskLosses().get(DivaHead.DISCRIMINATIVE)
                        + 0.3
                                * (r.taskLosses().get(DivaHead.SELFSIM)
                                        + r.taskLosses().get(DivaHead.SHARED)
                                        + r.taskLosses().get(DivaHead.INTRA))
                        + r.decorrelation();
                assertThat(r.total()).isCloseTo(expectedTotal, within(1e-4));
                assertThat(r.queueSize()).isEqualTo(expectedQueue[s - 1]);
                assertThat(trainer.queueSize()).isEqualTo(expectedQueue[s - 1]);
            }
            assertThat(trainer.classCount()).isBetween(P, CLASS_POOL);
            assertThat(trainer.snapshot(9).step()).isEqualTo(4);
        }
    }

    @Test
    void stepsChangeTheParametersAndTrainersWithTheSameSeedStartAlike() {
        try (DivaTrainer a = trainer(smallConfig());
                DivaTrainer b = trainer(smallConfig());
                DivaTrainer other = trainer(smallConfig().withSeed(8))) {
            String initial = parameters(a);
            assertThat(parameters(b)).isEqualTo(initial);
            assertThat(parameters(other)).isNotEqualTo(initial);
            a.step(batch(new SplittableRandom(2)));
            assertThat(parameters(a)).isNotEqualTo(initial);
        }
    }

    @Test
    void restoreReproducesTheStateAndTheNextStep() throws IOException {
        SplittableRandom random = new SplittableRandom(3);
        try (DivaTrainer a = trainer(smallConfig())) {
            for (int s = 0; s < 3; s++) {
                a.step(batch(random));
            }
            byte[] state = a.saveState();
            try (DivaTrainer b = trainer(smallConfig())) {
                b.step(batch(new SplittableRandom(99))); // b has its own history before the restore
                b.restore(state);
                assertThat(b.steps()).isEqualTo(3);
                assertThat(b.classCount()).isEqualTo(a.classCount());
                assertThat(parameters(b)).isEqualTo(parameters(a));
                assertThat(sha(b.saveState())).isEqualTo(sha(state));

                // the draws are functions of seed and step, so the original and the copy take the same step
                LabeledBatch next = batch(random);
                StepResult ra = a.step(next);
                StepResult rb = b.step(next);
                assertThat(rb).isEqualTo(ra);
                assertThat(rb.step()).isEqualTo(4);
                assertThat(parameters(b)).isEqualTo(parameters(a));
                assertThat(sha(b.saveState())).isEqualTo(sha(a.saveState()));
            }
        }
    }

    @Test
    void restoreRejectsTheStateOfAnotherConfiguration() {
        byte[] state;
        try (DivaTrainer a = trainer(smallConfig())) {
            a.step(batch(new SplittableRandom(4)));
            state = a.saveState();
        }
        DivaConfig base = smallConfig();
        NetworkSpec n = base.network();
        DivaConfig otherDim = new DivaConfig(
                new NetworkSpec(n.inputSize(), n.channels(), 8, n.heads(), n.decorrelationHidden()),
                base.loss(),
                base.optimizer(),
                base.momentum(),
                base.seed());
        DivaConfig otherChannels = new DivaConfig(
                new NetworkSpec(n.inputSize(), List.of(8, 4), n.embeddingDim(), n.heads(), n.decorrelationHidden()),
                base.loss(),
                base.optimizer(),
                base.momentum(),
                base.seed());
        DivaConfig discriminativeOnly = base.withHeads(List.of(DivaHead.DISCRIMINATIVE));
        for (DivaConfig config : List.of(otherDim, otherChannels, discriminativeOnly)) {
            try (DivaTrainer b = trainer(config)) {
                assertThatThrownBy(() -> b.restore(state))
                        .as(config.network().toString())
                        .isInstanceOf(IOException.class);
            }
        }
        try (DivaTrainer b = trainer(base)) {
            assertThatThrownBy(() -> b.restore(Arrays.copyOf(state, state.length / 2)))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void nativeResourcesDoNotGrowOverSteps() {
        // ops whose first operand is a long-lived array (parameters, betas, the queue) attach their
        // result to that array's manager; a step must not leave anything behind there
        SplittableRandom random = new SplittableRandom(5);
        try (DivaTrainer trainer = trainer(smallConfig())) {
            for (int s = 0; s < 5; s++) {
                trainer.step(batch(random));
            }
            int afterWarmUp = liveArrays();
            for (int s = 0; s < 25; s++) {
                trainer.step(batch(random));
            }
            assertThat(liveArrays()).isEqualTo(afterWarmUp);
            trainer.snapshot(1);
            trainer.saveState();
            assertThat(liveArrays()).isEqualTo(afterWarmUp);
        }
    }

    @Test
    void nonFiniteInputRaisesAndLeavesTheStateUnchanged() {
        SplittableRandom random = new SplittableRandom(6);
        try (DivaTrainer trainer = trainer(smallConfig())) {
            LabeledBatch last = null;
            for (int s = 0; s < 3; s++) {
                last = batch(random);
                trainer.step(last);
            }
            String parameters = parameters(trainer);
            String state = sha(trainer.saveState());
            // the labels of a batch already seen: a new label would (harmlessly) get a class index
            LabeledBatch poisoned = withNaN(last);
            assertThatThrownBy(() -> trainer.step(poisoned)).isInstanceOf(TrainingDivergedException.class);
            assertThat(trainer.steps()).isEqualTo(3);
            // the query network's BatchNorm running statistics are parameters too
            assertThat(parameters(trainer)).isEqualTo(parameters);
            assertThat(sha(trainer.saveState()))
                    .as("networks, betas, queue, optimizer")
                    .isEqualTo(state);
            StepResult next = trainer.step(batch(random));
            assertThat(next.step()).isEqualTo(4);
            assertThat(next.total()).isFinite();
        }
    }

    @Test
    void nonFiniteFirstBatchDoesNotPoisonTheQueue() {
        // the first step fills the DaNCE queue from the batch; NaN keys there would make every later
        // DaNCE loss NaN
        SplittableRandom random = new SplittableRandom(7);
        try (DivaTrainer trainer = trainer(smallConfig());
                DivaTrainer untouched = trainer(smallConfig())) {
            assertThatThrownBy(() -> trainer.step(withNaN(batch(random))))
                    .isInstanceOf(TrainingDivergedException.class);
            assertThat(parameters(trainer)).isEqualTo(parameters(untouched));
            for (int s = 1; s <= 3; s++) {
                StepResult r = trainer.step(batch(random));
                assertThat(r.step()).isEqualTo(s);
                assertThat(r.total()).isFinite();
                assertThat(r.taskLosses().get(DivaHead.SELFSIM)).isFinite();
            }
        }
    }

    @Test
    void discriminativeOnlyConfigurationTrains() {
        SplittableRandom random = new SplittableRandom(8);
        try (DivaTrainer trainer = trainer(smallConfig().withHeads(List.of(DivaHead.DISCRIMINATIVE)))) {
            String initial = parameters(trainer);
            for (int s = 1; s <= 3; s++) {
                StepResult r = trainer.step(batch(random));
                assertThat(r.step()).isEqualTo(s);
                assertThat(r.taskLosses()).containsOnlyKeys(DivaHead.DISCRIMINATIVE);
                assertThat(r.total()).isFinite().isEqualTo(r.taskLosses().get(DivaHead.DISCRIMINATIVE));
                assertThat(r.decorrelation()).isZero();
                assertThat(r.queueSize()).isZero();
            }
            assertThat(parameters(trainer)).isNotEqualTo(initial);
        }
    }
}
