package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.model.DivaHead;
import io.divastream.model.ModelSnapshot;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.config.ObjectiveSpec;
import io.divastream.model.loss.baseline.BaselineKind;
import io.divastream.model.loss.baseline.BaselineSpec;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The baselines as a configuration of the same trainer: one embedding of the total size, one loss. */
class BaselineObjectiveTest {

    /** A single 64-d embedding: the total size of DivaTrainerTest's four 16-d heads. */
    static DivaConfig baselineConfig(BaselineKind kind) {
        DivaConfig small = DivaTrainerTest.smallConfig();
        NetworkSpec n = small.network();
        return new DivaConfig(
                new NetworkSpec(
                        n.inputSize(),
                        n.channels(),
                        4 * n.embeddingDim(),
                        List.of(DivaHead.DISCRIMINATIVE),
                        n.decorrelationHidden()),
                small.loss(),
                small.optimizer(),
                small.momentum(),
                ObjectiveSpec.baseline(BaselineSpec.defaults(kind)),
                small.seed());
    }

    @ParameterizedTest
    @EnumSource(BaselineKind.class)
    void everyBaselineTrainsAndRestoresExactly(BaselineKind kind) throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        try (DivaTrainer a = new DivaTrainer(baselineConfig(kind), ViewAugmenter.IDENTITY, 16)) {
            String initial = a.snapshot(0).sha256();
            for (int s = 0; s < 2; s++) {
                StepResult r = a.step(SyntheticGlyphs.batch(random, 4, 4, 12));
                assertThat(r.taskLosses()).containsOnlyKeys(DivaHead.DISCRIMINATIVE);
                assertThat(r.total()).isFinite();
                assertThat(r.decorrelation()).isZero();
            }
            assertThat(a.snapshot(0).sha256()).isNotEqualTo(initial);
            byte[] state = a.saveState();
            LabeledBatch next = SyntheticGlyphs.batch(random, 4, 4, 12);
            try (DivaTrainer b = new DivaTrainer(baselineConfig(kind), ViewAugmenter.IDENTITY, 16)) {
                b.restore(state);
                assertThat(b.saveState()).isEqualTo(state);
                a.restore(state); // the random stream is re-seeded from the step count on restore
                StepResult ra = a.step(next);
                StepResult rb = b.step(next);
                assertThat(rb.total()).isEqualTo(ra.total());
                assertThat(b.snapshot(1).sha256()).isEqualTo(a.snapshot(1).sha256());
            }
        }
    }

    @Test
    void proxyAnchorStateCarriesItsProxies() throws IOException {
        SplittableRandom random = new SplittableRandom(6);
        try (DivaTrainer proxies =
                        new DivaTrainer(baselineConfig(BaselineKind.PROXY_ANCHOR), ViewAugmenter.IDENTITY, 16);
                DivaTrainer pairs =
                        new DivaTrainer(baselineConfig(BaselineKind.MULTI_SIMILARITY), ViewAugmenter.IDENTITY, 16)) {
            LabeledBatch batch = SyntheticGlyphs.batch(random, 4, 4, 12);
            proxies.step(batch);
            pairs.step(batch);
            // 16 proxies of 64 floats (plus a length header) are the only difference in layout
            assertThat(proxies.saveState().length - pairs.saveState().length).isGreaterThanOrEqualTo(16 * 64 * 4);
        }
    }

    @Test
    void aBaselineNeedsExactlyOneEmbedding() {
        DivaConfig small = DivaTrainerTest.smallConfig();
        assertThatThrownBy(() -> small.withObjective(ObjectiveSpec.baseline(BaselineSpec.defaults(BaselineKind.NPAIR))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a baseline trains one embedding");
    }

    @SuppressWarnings("unused")
    private static String sha(byte[] bytes) {
        return new ModelSnapshot(0, 0, bytes, 1).sha256();
    }
}
