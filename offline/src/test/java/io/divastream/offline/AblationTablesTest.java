package io.divastream.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.divastream.evaluation.RetrievalScores;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ablation's tables give Recall@1/2/4/8, NMI and MAP@R per row and per seed. */
class AblationTablesTest {

    private static RetrievalScores scores(double r1) {
        return new RetrievalScores(r1, r1 + 0.1, r1 + 0.2, r1 + 0.3, 0.5, 0.25, 0.3, r1, 0.3, 0.2, Map.of(1, r1), 10);
    }

    private static AblationStudy.Run run(AblationVariant variant, long seed, double r1) {
        EvaluationPoint last = new EvaluationPoint(
                100, 1, 0, Map.of("discriminative", scores(r1 - 0.05)), Map.of(BatchTrainer.EQUAL_WEIGHTS, scores(r1)));
        return new AblationStudy.Run(variant, seed, last, r1, 12);
    }

    @Test
    void everyRecallAtKIsInBothTables() {
        AblationVariant diva = AblationVariant.standard().get(5);
        List<AblationStudy.Row> rows =
                List.of(new AblationStudy.Row(diva, List.of(run(diva, 0, 0.50), run(diva, 1, 0.60))));

        assertThat(AblationStudy.markdown(rows))
                .contains("| Recall@1 | Recall@2 | Recall@4 | Recall@8 | NMI | MAP@R |")
                // R@8 = R@1 + 0.3: mean 0.85, sample standard deviation 0.0707
                .contains("| DiVA (all four + decorrelation) | 0.5500 ± 0.0707 | 0.6500 ± 0.0707 | 0.7500 ± 0.0707 "
                        + "| 0.8500 ± 0.0707 | 0.5000 ± 0.0000 | 0.2500 ± 0.0000 |");
        assertThat(AblationStudy.runsMarkdown(rows))
                .contains(
                        "| DiVA (all four + decorrelation) | 1 | 0.6000 | 0.7000 | 0.8000 | 0.9000 | 0.5000 | 0.2500 |");
    }
}
