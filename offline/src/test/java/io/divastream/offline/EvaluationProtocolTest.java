package io.divastream.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.divastream.datasets.ClassSplit;
import io.divastream.datasets.DatasetFormat;
import io.divastream.datasets.DatasetSplit;
import io.divastream.datasets.Datasets;
import io.divastream.datasets.StudyLayouts;
import io.divastream.evaluation.RetrievalEvaluator;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation protocols: which split takes which, and query/gallery scoring against a hand count. */
class EvaluationProtocolTest {

    @TempDir
    Path dir;

    @Test
    void autoTakesTheSplitsOwnProtocolAndQueryGalleryNeedsOne() throws Exception {
        StudyLayouts.inShop(dir.resolve("in-shop"), 2, 2, 4);
        DatasetSplit inShop = ClassSplit.standard().apply(Datasets.open(DatasetFormat.INSHOP, dir.resolve("in-shop")));
        StudyLayouts.cub(dir.resolve("cub"), 4, 2);
        DatasetSplit cub = ClassSplit.parse("1-2:3-4").apply(Datasets.open(DatasetFormat.CUB, dir.resolve("cub")));

        assertThat(EvaluationProtocol.parse("auto").resolve(inShop)).isEqualTo(EvaluationProtocol.QUERY_GALLERY);
        assertThat(EvaluationProtocol.parse("AUTO").resolve(cub)).isEqualTo(EvaluationProtocol.LEAVE_ONE_OUT);
        assertThat(EvaluationProtocol.parse("leave-one-out").resolve(inShop))
                .isEqualTo(EvaluationProtocol.LEAVE_ONE_OUT);
        assertThatThrownBy(() -> EvaluationProtocol.QUERY_GALLERY.resolve(cub))
                .hasMessageContaining("needs a split with query and gallery images");
        assertThatThrownBy(() -> EvaluationProtocol.parse("gallery"))
                .hasMessageContaining("use auto, leave-one-out, query-gallery");

        TestImages<?> searched = EvaluationProtocol.AUTO.testImages(inShop);
        assertThat(searched.queries().size()).isEqualTo(4);
        assertThat(searched.gallery().orElseThrow().size()).isEqualTo(4);
        assertThat(EvaluationProtocol.LEAVE_ONE_OUT.testImages(inShop).queries().size())
                .isEqualTo(8);
        assertThat(EvaluationProtocol.LEAVE_ONE_OUT.testImages(inShop).gallery())
                .isEmpty();
    }

    @Test
    void queriesAreSearchedAmongTheGalleryOnlyWithSharedClassIndices() {
        // queries a (class x) and b (class y); gallery c (y), d (x), e (z)
        LabeledImages<float[]> queries = new LabeledImages<>(
                List.of("a", "b"), List.of("x", "y"), List.of(new float[] {1, 0}, new float[] {0, 1}));
        LabeledImages<float[]> gallery = new LabeledImages<>(
                List.of("c", "d", "e"),
                List.of("y", "x", "z"),
                List.of(new float[] {0.9f, 0.1f}, new float[] {0.6f, 0.8f}, new float[] {-1, 0}));
        TestImages<float[]> test = new TestImages<>(queries, Optional.of(gallery));
        // each part in label order: queries a (x), b (y); gallery d (x), c (y), e (z)
        assertThat(test.classIndices()).containsExactly(0, 1, 0, 1, 2);

        // by hand: a's nearest gallery image is c (class y): a miss; b's is d (class x): a miss; each query's own
        // class comes second, so Recall@2 is 1. Leave-one-out over all five would find them differently.
        var scores =
                test.evaluate(new RetrievalEvaluator(), part -> part.images().toArray(float[][]::new));
        assertThat(scores.recallAt1()).isZero();
        assertThat(scores.recallAt2()).isEqualTo(1.0);
        assertThat(test.describe()).isEqualTo("the 2 queries searched among the 3 gallery images");
    }
}
