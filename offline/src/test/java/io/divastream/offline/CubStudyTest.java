package io.divastream.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.datasets.DatasetFormat;
import io.divastream.evaluation.RetrievalScores;
import io.divastream.model.DivaHead;
import io.divastream.model.net.backbone.BackboneSpec;
import io.divastream.model.net.backbone.InputSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CUB study's settings, configurations and summary, without data. */
class CubStudyTest {

    private static final BackboneSpec MOBILENET = new BackboneSpec.TorchScript("m.pt", 1280, InputSpec.minusOneToOne());

    private static CubStudy.Settings settings(int featureViews, int warmup, Set<String> models, List<Long> seeds) {
        return new CubStudy.Settings(
                Path.of("cub.tar"),
                DatasetFormat.CUB,
                "1-20:21-30",
                EvaluationProtocol.AUTO,
                MOBILENET,
                100,
                20,
                28,
                2,
                10,
                1e-5,
                100,
                128,
                seeds,
                models,
                warmup,
                featureViews,
                0,
                null,
                1500,
                1e-5);
    }

    @Test
    void aFrozenStudyTrainsTheHeadsOnTheBackbonesFeaturesAtTheHeadsLearningRate() {
        CubStudy frozen = new CubStudy(settings(10, 0, Set.of("diva"), List.of(0L, 1L)), System.out);
        var diva = frozen.divaConfig(1);
        assertThat(diva.network().backbone())
                .isEqualTo(new BackboneSpec.Features(MOBILENET.id(), 1280, MOBILENET.input()));
        assertThat(diva.optimizer().learningRate()).isEqualTo(1e-3, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(diva.optimizer().headLearningRateFactor()).isEqualTo(1.0);
        assertThat(diva.seed()).isEqualTo(1);
        assertThat(diva.network().heads()).containsExactly(DivaHead.values());
        var disc = frozen.discriminativeConfig(1);
        assertThat(disc.network().heads()).containsExactly(DivaHead.DISCRIMINATIVE);
        assertThat(disc.network().embeddingDim()).isEqualTo(512);
        assertThat(disc.network().backbone()).isEqualTo(diva.network().backbone());

        CubStudy fineTuned = new CubStudy(settings(0, 20, Set.of("diva"), List.of(0L)), System.out);
        assertThat(fineTuned.divaConfig(0).network().backbone()).isEqualTo(MOBILENET);
        assertThat(fineTuned.divaConfig(0).optimizer().learningRate()).isEqualTo(1e-5);
        assertThat(fineTuned.divaConfig(0).optimizer().headLearningRateFactor()).isEqualTo(100.0);
    }

    @Test
    void badSettingsAreRejectedByName() {
        assertThatThrownBy(() -> settings(10, 20, Set.of("diva"), List.of(0L))).hasMessageContaining("warm-up");
        assertThatThrownBy(() -> settings(-1, 0, Set.of("diva"), List.of(0L))).hasMessageContaining("got -1");
        assertThatThrownBy(() -> settings(10, 0, Set.of("diva", "dvia"), List.of(0L)))
                .hasMessageContaining("'dvia'");
        assertThatThrownBy(() -> settings(10, 0, Set.of("diva"), List.of())).hasMessageContaining("seed");
    }

    @Test
    void theSummaryIsTheMeanAndSampleStandardDeviationOverSeeds() {
        List<RetrievalScores> scores = List.of(scores(0.60), scores(0.70), scores(0.65));
        // mean 0.65, sample variance ((0.05)^2 * 2) / 2 = 0.0025
        assertThat(CubStudyReport.meanSd(scores, RetrievalScores::recallAt1)).isEqualTo("0.6500 ± 0.0500");
        assertThat(CubStudyReport.meanSd(List.of(scores(0.6)), RetrievalScores::recallAt1))
                .isEqualTo("0.6000");
        String table = CubStudyReport.markdown(
                List.of(
                        new CubStudy.Row("pooled", 0, scores(0.66), 0, Map.of(), List.of()),
                        new CubStudy.Row("diva", 0, scores(0.60), 10, Map.of(), List.of(point(0.60))),
                        new CubStudy.Row("diva", 1, scores(0.70), 10, Map.of(), List.of(point(0.70)))),
                100);
        assertThat(table)
                .contains("| pooled | 1 | 0.6600 |")
                .contains("| diva | 2 | 0.6500 ± 0.0707 |")
                .contains("| diva | 1 | 0.7000 |")
                .contains("| pooled | - | 0.6600 |")
                .contains("| Recall@8 |")
                .contains("| 0.9500 |");
    }

    @Test
    void aModelIsAheadOnlyBeyondBothTheSeedSpreadAndTheStandardError() {
        // pooled 0.50 (one run); diva 0.60 and 0.62 (mean 0.61, sd 0.0141); discriminative 0.52 and 0.54
        java.util.Map<String, List<CubStudy.Row>> byModel = new java.util.LinkedHashMap<>();
        byModel.put("pooled", List.of(new CubStudy.Row("pooled", 0, scores(0.50), 0, Map.of(), List.of())));
        byModel.put(
                "discriminative",
                List.of(
                        new CubStudy.Row("discriminative", 0, scores(0.52), 1, Map.of(), List.of()),
                        new CubStudy.Row("discriminative", 1, scores(0.54), 1, Map.of(), List.of())));
        byModel.put(
                "diva",
                List.of(
                        new CubStudy.Row("diva", 0, scores(0.60), 1, Map.of(), List.of()),
                        new CubStudy.Row("diva", 1, scores(0.62), 1, Map.of(), List.of())));

        List<StudyComparison.Pair> pairs = StudyComparison.pairs(byModel, 1000);

        // discriminative vs pooled: +0.03; spread 0.0141; SE sqrt(0.515 * 0.485 / 1000) = 0.0158
        StudyComparison.Pair discVsPooled = pairs.get(0);
        assertThat(discVsPooled.first()).isEqualTo("discriminative");
        assertThat(discVsPooled.difference()).isCloseTo(0.03, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(discVsPooled.standardError())
                .isCloseTo(Math.sqrt(0.515 * 0.485 / 1000), org.assertj.core.api.Assertions.within(1e-12));
        assertThat(discVsPooled.seedSpread())
                .isCloseTo(Math.sqrt(0.0002), org.assertj.core.api.Assertions.within(1e-12));
        assertThat(discVsPooled.verdict()).isEqualTo("discriminative ahead beyond both");
        // with 100 queries the standard error (0.05) swallows the same difference
        assertThat(StudyComparison.pairs(byModel, 100).get(0).verdict())
                .isEqualTo("neither ahead (within the standard error)");
        // diva vs discriminative: +0.08, ahead; the table says so
        assertThat(pairs.get(2).verdict()).isEqualTo("diva ahead beyond both");
        assertThat(StudyComparison.markdown(byModel, 1000)).contains("| diva vs discriminative | +0.0800 |");
    }

    private static RetrievalScores scores(double recallAt1) {
        return new RetrievalScores(
                recallAt1, 0.8, 0.9, 0.95, 0.5, 0.3, 0.3, recallAt1, 0.3, 0.2, Map.of(1, recallAt1), 10);
    }

    private static EvaluationPoint point(double recallAt1) {
        return new EvaluationPoint(100, 10, 0, Map.of("discriminative", scores(recallAt1)), Map.of());
    }
}
