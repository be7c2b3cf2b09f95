package io.divastream.model.loss.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.divastream.model.DjlRuntime;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BaselineSpecTest {

    @Test
    void kindsParseFromTheirIdsAndUnknownNamesListTheValidOnes() {
        assertThat(BaselineKind.values())
                .extracting(BaselineKind::id)
                .containsExactly("triplet", "contrastive", "multisimilarity", "proxyanchor", "npair", "arcface");
        for (BaselineKind kind : BaselineKind.values()) {
            assertThat(BaselineKind.parse(kind.id())).isSameAs(kind);
        }
        assertThat(BaselineKind.parse(" ProxyAnchor ")).isSameAs(BaselineKind.PROXY_ANCHOR);
        assertThatThrownBy(() -> BaselineKind.parse("margin"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'margin'")
                .hasMessageContaining("triplet, contrastive, multisimilarity, proxyanchor, npair, arcface");
        assertThatThrownBy(() -> BaselineKind.parse(null)).hasMessageContaining("unknown baseline loss 'null'");
    }

    @Test
    void defaultsAreThePapersValues() {
        BaselineSpec s = BaselineSpec.defaults(BaselineKind.MULTI_SIMILARITY);
        assertThat(s.kind()).isSameAs(BaselineKind.MULTI_SIMILARITY);
        assertThat(s.tripletMargin()).isEqualTo(0.2);
        assertThat(s.contrastivePositiveMargin()).isEqualTo(0.0);
        assertThat(s.contrastiveNegativeMargin()).isEqualTo(0.5);
        assertThat(new double[] {s.msAlpha(), s.msBeta(), s.msLambda(), s.msEpsilon()})
                .containsExactly(2, 50, 0.5, 0.1);
        assertThat(new double[] {s.proxyAlpha(), s.proxyDelta(), s.proxyLearningRateMultiplier()})
                .containsExactly(32, 0.1, 100);
        assertThat(s.npairL2Weight()).isEqualTo(0.002);
        assertThat(new double[] {s.arcFaceScale(), s.arcFaceMargin()}).containsExactly(64, 0.5);
    }

    @Test
    void invalidValuesAreRejectedByName() {
        BaselineSpec d = BaselineSpec.defaults(BaselineKind.TRIPLET_SEMIHARD);
        assertThatThrownBy(() -> new BaselineSpec(d.kind(), 0, 0, 0.5, 2, 50, 0.5, 0.1, 32, 0.1, 100, 0.002, 64, 0.5))
                .hasMessageContaining("tripletMargin");
        assertThatThrownBy(
                        () -> new BaselineSpec(d.kind(), 0.2, 0.6, 0.5, 2, 50, 0.5, 0.1, 32, 0.1, 100, 0.002, 64, 0.5))
                .hasMessageContaining("contrastivePositiveMargin (0.6) must be below");
        assertThatThrownBy(() ->
                        new BaselineSpec(d.kind(), 0.2, 0, 0.5, 2, Double.NaN, 0.5, 0.1, 32, 0.1, 100, 0.002, 64, 0.5))
                .hasMessageContaining("msBeta");
        assertThatThrownBy(() -> new BaselineSpec(d.kind(), 0.2, 0, 0.5, 2, 50, 1.5, 0.1, 32, 0.1, 100, 0.002, 64, 0.5))
                .hasMessageContaining("msLambda");
        assertThatThrownBy(
                        () -> new BaselineSpec(d.kind(), 0.2, 0, 0.5, 2, 50, 0.5, 0.1, 32, -0.1, 100, 0.002, 64, 0.5))
                .hasMessageContaining("proxyDelta");
        assertThatThrownBy(() -> new BaselineSpec(d.kind(), 0.2, 0, 0.5, 2, 50, 0.5, 0.1, 32, 0.1, 0, 0.002, 64, 0.5))
                .hasMessageContaining("proxyLearningRateMultiplier");
        assertThatThrownBy(() -> new BaselineSpec(d.kind(), 0.2, 0, 0.5, 2, 50, 0.5, 0.1, 32, 0.1, 100, 0.002, 64, 2.0))
                .hasMessageContaining("arcFaceMargin");
        assertThatThrownBy(() -> new BaselineSpec(null, 0.2, 0, 0.5, 2, 50, 0.5, 0.1, 32, 0.1, 100, 0.002, 64, 0.5))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("kind");
    }

    @Test
    void specsSurviveJavaSerialization() throws Exception {
        BaselineSpec spec = BaselineSpec.defaults(BaselineKind.ARCFACE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(spec);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(spec);
        }
    }

    @Test
    void theFactoryBuildsEachKindWithItsParametersAndChecksInputs() {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            for (BaselineKind kind : BaselineKind.values()) {
                int before = m.getManagedArrays().size();
                try (NDManager inputs = m.newSubManager();
                        BaselineLoss loss = BaselineLosses.create(BaselineSpec.defaults(kind), m, 12, 8, 1)) {
                    boolean proxyLike = kind == BaselineKind.PROXY_ANCHOR || kind == BaselineKind.ARCFACE;
                    assertThat(loss.parameters()).as(kind.id()).hasSize(proxyLike ? 1 : 0);
                    if (proxyLike) {
                        assertThat(loss.parameters().get(0).getShape().getShape())
                                .containsExactly(12, 8);
                        assertThat(loss.parameters().get(0).hasGradient()).isTrue();
                    }
                    assertThat(loss.parameterLearningRateMultiplier())
                            .isEqualTo(kind == BaselineKind.PROXY_ANCHOR ? 100.0 : 1.0);
                    var e = inputs.create(BaselineTesting.randomUnit(new SplittableRandom(1), 4, 8));
                    assertThatThrownBy(() -> loss.compute(e, new int[] {0, 1, 2}, new SplittableRandom(0)))
                            .hasMessageContaining("3 class indices for 4 embeddings");
                    assertThatThrownBy(() -> loss.compute(e, new int[] {0, 1, 12, 1}, new SplittableRandom(0)))
                            .hasMessageContaining("class index 12 of row 2 is outside 0..11");
                    var wrongDim = inputs.create(BaselineTesting.randomUnit(new SplittableRandom(1), 4, 5));
                    assertThatThrownBy(() -> loss.compute(wrongDim, new int[] {0, 0, 1, 1}, new SplittableRandom(0)))
                            .hasMessageContaining("shape (B, 8)");
                }
                assertThat(m.getManagedArrays())
                        .as("%s releases its parameters", kind.id())
                        .hasSize(before);
            }
            assertThatThrownBy(() -> BaselineLosses.create(BaselineSpec.defaults(BaselineKind.NPAIR), m, 0, 8, 1))
                    .hasMessageContaining("classCapacity");
            assertThatThrownBy(() -> BaselineLosses.create(BaselineSpec.defaults(BaselineKind.NPAIR), m, 4, 0, 1))
                    .hasMessageContaining("embeddingDim");
        }
    }
}
