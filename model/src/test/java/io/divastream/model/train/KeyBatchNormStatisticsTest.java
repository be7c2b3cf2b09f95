package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.KeyBatchNormStatistics;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The key encoder's BatchNorm running statistics (DIVA_SPEC 1.4, pitfall 8.2) on the glyph CNN,
 * whose BatchNorm is trained normally: with {@code initial} (published) they stay bit-equal to their
 * values at construction while the query network's move with every step; with {@code ema} they
 * follow key = m * key + (1 - m) * query after each step, checked against a naive loop.
 */
class KeyBatchNormStatisticsTest {

    private static final double MOMENTUM = 0.9;

    private static DivaConfig config(KeyBatchNormStatistics statistics) {
        DivaConfig base = DivaTrainerTest.smallConfig();
        return new DivaConfig(
                base.network(),
                base.loss(),
                base.optimizer(),
                base.momentum().withKeyBatchNormStatistics(statistics),
                base.objective(),
                base.seed());
    }

    private static DivaTrainer trainer(KeyBatchNormStatistics statistics) {
        return new DivaTrainer(config(statistics), ViewAugmenter.IDENTITY, 64);
    }

    private static LabeledBatch batch(SplittableRandom random) {
        return SyntheticGlyphs.batch(random, 4, 4, 12);
    }

    @Test
    void thePublishedDefaultKeepsTheInitialStatistics() {
        assertThat(DivaTrainerTest.smallConfig().momentum().keyBatchNormStatistics())
                .isEqualTo(KeyBatchNormStatistics.INITIAL);
        assertThat(KeyBatchNormStatistics.parse(" EMA ")).isEqualTo(KeyBatchNormStatistics.EMA);
        assertThatThrownBy(() -> KeyBatchNormStatistics.parse("frozen"))
                .hasMessageContaining("'frozen'")
                .hasMessageContaining("initial, ema");
    }

    @Test
    void withInitialTheKeyStatisticsNeverChangeWhileTheQueryStatisticsAndKeyParametersDo() {
        SplittableRandom random = new SplittableRandom(11);
        try (DivaTrainer trainer = trainer(KeyBatchNormStatistics.INITIAL)) {
            Map<String, float[]> key0 = TrainerProbes.batchNormStatistics(trainer, true);
            Map<String, float[]> query0 = TrainerProbes.batchNormStatistics(trainer, false);
            float[] keyParameters0 = TrainerProbes.keyParameterValues(trainer);
            assertThat(key0)
                    .as("running mean and variance of both glyph blocks")
                    .hasSize(4);
            Map<String, float[]> queryBefore = query0;
            for (int s = 0; s < 4; s++) {
                trainer.step(batch(random));
                Map<String, float[]> key = TrainerProbes.batchNormStatistics(trainer, true);
                Map<String, float[]> query = TrainerProbes.batchNormStatistics(trainer, false);
                for (String name : key0.keySet()) {
                    assertThat(key.get(name))
                            .as("key %s after step %d", name, s + 1)
                            .containsExactly(key0.get(name));
                    assertThat(Arrays.equals(query.get(name), queryBefore.get(name)))
                            .as("query %s moves in step %d", name, s + 1)
                            .isFalse();
                }
                queryBefore = query;
            }
            float[] keyParameters = TrainerProbes.keyParameterValues(trainer);
            assertThat(keyParameters).hasSameSizeAs(keyParameters0);
            assertThat(Arrays.equals(keyParameters, keyParameters0))
                    .as("the EMA moves the key parameters")
                    .isFalse();
        }
    }

    @Test
    void withEmaTheKeyStatisticsFollowTheMovingAverageOfTheQueryStatistics() {
        SplittableRandom random = new SplittableRandom(12);
        try (DivaTrainer trainer = trainer(KeyBatchNormStatistics.EMA)) {
            Map<String, float[]> expected = TrainerProbes.batchNormStatistics(trainer, true);
            for (int s = 0; s < 4; s++) {
                trainer.step(batch(random));
                Map<String, float[]> query = TrainerProbes.batchNormStatistics(trainer, false);
                Map<String, float[]> key = TrainerProbes.batchNormStatistics(trainer, true);
                int moved = 0;
                for (Map.Entry<String, float[]> e : expected.entrySet()) {
                    float[] k = e.getValue();
                    float[] q = query.get(e.getKey());
                    for (int i = 0; i < k.length; i++) {
                        float next = (float) (MOMENTUM * k[i] + (1 - MOMENTUM) * q[i]);
                        moved += next != k[i] ? 1 : 0;
                        k[i] = next;
                    }
                    assertThat(key.get(e.getKey()))
                            .as("%s after step %d", e.getKey(), s + 1)
                            .containsExactly(k, within(1e-5f));
                }
                assertThat(moved).as("statistics that moved in step %d", s + 1).isGreaterThan(16);
            }
        }
    }

    @Test
    void theKeyStatisticsAreSavedAndRestoredWithTheState() throws IOException {
        SplittableRandom random = new SplittableRandom(13);
        try (DivaTrainer a = trainer(KeyBatchNormStatistics.EMA)) {
            a.step(batch(random));
            a.step(batch(random));
            try (DivaTrainer b = trainer(KeyBatchNormStatistics.EMA)) {
                b.restore(a.saveState());
                Map<String, float[]> fromA = TrainerProbes.batchNormStatistics(a, true);
                Map<String, float[]> fromB = TrainerProbes.batchNormStatistics(b, true);
                for (String name : fromA.keySet()) {
                    assertThat(fromB.get(name)).containsExactly(fromA.get(name));
                }
            }
        }
    }
}
