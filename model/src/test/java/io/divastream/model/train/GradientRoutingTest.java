package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.model.DivaHead;
import io.divastream.model.config.DecorrelationPair;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.ObjectiveSpec;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gradient-routing table of DIVA_SPEC section 2.5, checked term by term on a real trainer:
 * which parameter groups each part of the objective reaches, the sign reversal of L_sep on the
 * embeddings (and not on the regressors), and nothing ever reaching the key encoder.
 */
class GradientRoutingTest {

    private static final List<DivaHead> ALL = List.of(DivaHead.values());

    private static DivaTrainer trainer;
    private static LabeledBatch batch;
    private static float[][] views;

    @BeforeAll
    static void setUp() {
        SplittableRandom random = new SplittableRandom(3);
        // DaNCE at T = 0.01 on a fresh model has a saturated positive logit and a loss that rounds to
        // 0 in float32; a warmer softmax makes its gradient measurable
        io.divastream.model.config.LossSpec l = DivaTrainerTest.smallConfig().loss();
        DivaConfig warm = new DivaConfig(
                DivaTrainerTest.smallConfig().network(),
                new io.divastream.model.config.LossSpec(
                        l.margin(),
                        l.betaInit(),
                        l.minerLowerCutoff(),
                        l.alphaSelfsim(),
                        l.alphaShared(),
                        l.alphaIntra(),
                        l.rho(),
                        0.5,
                        l.danceUpperCutoff(),
                        true),
                DivaTrainerTest.smallConfig().optimizer(),
                DivaTrainerTest.smallConfig().momentum(),
                7L);
        trainer = new DivaTrainer(warm, ViewAugmenter.IDENTITY, 64);
        batch = SyntheticGlyphs.batch(random, 4, 4, 12);
        trainer.step(batch); // fills the queue and registers the classes
        batch = SyntheticGlyphs.batch(random, 4, 4, 12);
        float[] flat = new float[batch.size() * batch.images()[0].length];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.images()[i], 0, flat, i * batch.images()[i].length, batch.images()[i].length);
        }
        float[] other = flat.clone(); // view B differs, or DaNCE's positive logit saturates at 1/T
        for (int i = 0; i < other.length; i++) {
            other[i] += (float) (0.3 * random.nextGaussian());
        }
        views = new float[][] {flat, other};
    }

    @org.junit.jupiter.api.AfterAll
    static void tearDown() {
        trainer.close();
    }

    private static Map<String, float[]> gradients(List<DivaHead> tasks, boolean separation, boolean reverse) {
        return TrainerProbes.probeGradients(trainer, batch.labels(), views, tasks, separation, reverse);
    }

    private static double norm(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }

    private static void assertReached(Map<String, float[]> g, String... groups) {
        List<String> reached = List.of(groups);
        for (Map.Entry<String, float[]> group : g.entrySet()) {
            if (reached.contains(group.getKey())) {
                assertThat(norm(group.getValue())).as(group.getKey()).isGreaterThan(1e-9);
            } else {
                assertThat(norm(group.getValue())).as(group.getKey()).isZero();
            }
        }
    }

    @Test
    void everyGroupIsProbed() {
        assertThat(gradients(ALL, true, true).keySet())
                .containsExactlyInAnyOrder(
                        "backbone",
                        "head_discriminative",
                        "head_selfsim",
                        "head_shared",
                        "head_intra",
                        "beta_discriminative",
                        "beta_shared",
                        "beta_intra",
                        "regressor_selfsim_discriminative",
                        "regressor_shared_discriminative",
                        "regressor_intra_discriminative",
                        "key");
    }

    @Test
    void eachMarginLossReachesItsHeadItsOwnBetaAndTheBackboneOnly() {
        assertReached(
                gradients(List.of(DivaHead.DISCRIMINATIVE), false, true),
                "backbone",
                "head_discriminative",
                "beta_discriminative");
        assertReached(gradients(List.of(DivaHead.SHARED), false, true), "backbone", "head_shared", "beta_shared");
        assertReached(gradients(List.of(DivaHead.INTRA), false, true), "backbone", "head_intra", "beta_intra");
    }

    @Test
    void danceReachesItsHeadAndTheBackboneButNeverTheKeyEncoder() {
        assertReached(gradients(List.of(DivaHead.SELFSIM), false, true), "backbone", "head_selfsim");
    }

    @Test
    void separationReachesTheRegressorsAndEveryHeadOfAPairButNoBeta() {
        assertReached(
                gradients(List.of(), true, true),
                "backbone",
                "head_discriminative",
                "head_selfsim",
                "head_shared",
                "head_intra",
                "regressor_selfsim_discriminative",
                "regressor_shared_discriminative",
                "regressor_intra_discriminative");
    }

    @Test
    void gradientReversalNegatesTheEmbeddingsGradientButNotTheRegressors() {
        Map<String, float[]> reversed = gradients(List.of(), true, true);
        Map<String, float[]> plain = gradients(List.of(), true, false);
        for (String group : List.of("backbone", "head_discriminative", "head_selfsim", "head_shared", "head_intra")) {
            float[] r = reversed.get(group);
            float[] p = plain.get(group);
            double scale = norm(p);
            assertThat(scale).as(group).isGreaterThan(1e-9);
            for (int i = 0; i < r.length; i++) {
                assertThat((double) r[i])
                        .as(group + "[" + i + "]")
                        .isCloseTo(-p[i], org.assertj.core.api.Assertions.within(1e-5 * scale + 1e-12));
            }
        }
        for (String group : List.of("regressor_selfsim_discriminative", "regressor_intra_discriminative")) {
            assertThat(reversed.get(group))
                    .as(group)
                    .containsExactly(plain.get(group), org.assertj.core.api.Assertions.within(1e-7f));
        }
    }

    @Test
    void theFullObjectiveReachesEveryTrainableGroupAndNeverTheKeyEncoder() {
        assertReached(
                gradients(ALL, true, true),
                "backbone",
                "head_discriminative",
                "head_selfsim",
                "head_shared",
                "head_intra",
                "beta_discriminative",
                "beta_shared",
                "beta_intra",
                "regressor_selfsim_discriminative",
                "regressor_shared_discriminative",
                "regressor_intra_discriminative");
    }

    @Test
    void withoutDecorrelationThereAreNoRegressors() {
        DivaConfig config = DivaTrainerTest.smallConfig().withObjective(ObjectiveSpec.withoutDecorrelation());
        assertThat(config.decorrelationPairs()).isEmpty();
        try (DivaTrainer plain = new DivaTrainer(config, ViewAugmenter.IDENTITY, 64)) {
            plain.step(batch);
            Map<String, float[]> g = TrainerProbes.probeGradients(plain, batch.labels(), views, List.of(), true, true);
            assertThat(g.keySet()).noneMatch(k -> k.startsWith("regressor"));
            assertReached(g); // L_sep absent: nothing is reached
        }
    }

    @Test
    void threeHeadsUseTheOriginalThreePairs() {
        List<DivaHead> heads = List.of(DivaHead.DISCRIMINATIVE, DivaHead.SELFSIM, DivaHead.SHARED);
        assertThat(DecorrelationPair.defaults(heads, 2.0))
                .containsExactly(
                        new DecorrelationPair(DivaHead.SELFSIM, DivaHead.DISCRIMINATIVE, 2.0),
                        new DecorrelationPair(DivaHead.SHARED, DivaHead.DISCRIMINATIVE, 2.0),
                        new DecorrelationPair(DivaHead.SHARED, DivaHead.SELFSIM, 2.0));
        DivaConfig config = DivaTrainerTest.smallConfig().withHeads(heads);
        try (DivaTrainer three = new DivaTrainer(config, ViewAugmenter.IDENTITY, 64)) {
            three.step(batch);
            Map<String, float[]> g = TrainerProbes.probeGradients(three, batch.labels(), views, List.of(), true, true);
            assertReached(
                    g,
                    "backbone",
                    "head_discriminative",
                    "head_selfsim",
                    "head_shared",
                    "regressor_selfsim_discriminative",
                    "regressor_shared_discriminative",
                    "regressor_shared_selfsim");
        }
    }

    @Test
    void rhoIsAppliedPerPair() {
        List<DecorrelationPair> pairs = List.of(
                new DecorrelationPair(DivaHead.SELFSIM, DivaHead.DISCRIMINATIVE, 0),
                new DecorrelationPair(DivaHead.SHARED, DivaHead.DISCRIMINATIVE, 1500),
                new DecorrelationPair(DivaHead.INTRA, DivaHead.DISCRIMINATIVE, 3000));
        DivaConfig config = DivaTrainerTest.smallConfig().withObjective(new ObjectiveSpec(true, pairs));
        try (DivaTrainer weighted = new DivaTrainer(config, ViewAugmenter.IDENTITY, 64)) {
            weighted.step(batch);
            Map<String, float[]> g =
                    TrainerProbes.probeGradients(weighted, batch.labels(), views, List.of(), true, true);
            assertThat(norm(g.get("regressor_selfsim_discriminative"))).isZero();
            assertThat(norm(g.get("head_selfsim"))).isZero();
            assertThat(norm(g.get("regressor_shared_discriminative"))).isGreaterThan(0);
            assertThat(norm(g.get("head_intra"))).isGreaterThan(0);
        }
    }
}
