package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.divastream.model.DivaHead;
import io.divastream.model.config.DivaConfig;
import io.divastream.model.config.ObjectiveSpec;
import io.divastream.model.config.OptimizerSpec;
import io.divastream.model.loss.baseline.BaselineKind;
import io.divastream.model.loss.baseline.BaselineSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParameterGroupsTest {

    private static TrainerState state(DivaConfig config) {
        return new TrainerState(config, 64, Device.cpu());
    }

    private static List<ParamGroupAdam.Group> groups(TrainerState s, OptimizerSpec o) {
        return ParameterGroups.of(o, s.spec(), s.queryNet(), s.betas(), s.regressors(), s.baseline());
    }

    private static List<String> names(List<ParamGroupAdam.Group> groups) {
        return groups.stream().map(ParamGroupAdam.Group::name).toList();
    }

    private static Set<NDArray> identities(List<NDArray> arrays) {
        Set<NDArray> out = Collections.newSetFromMap(new IdentityHashMap<>());
        out.addAll(arrays);
        return out;
    }

    /** The query network's trainable parameters, split by a naive reading of their names. */
    private static List<NDArray> trainable(TrainerState s, boolean heads) {
        List<NDArray> out = new ArrayList<>();
        for (Pair<String, Parameter> p : s.queryNet().getParameters()) {
            if (p.getValue().requiresGradient() && p.getKey().contains("head_") == heads) {
                out.add(p.getValue().getArray());
            }
        }
        return out;
    }

    @Test
    void oneNetworkGroupThenABetaGroupPerMarginLossThenTheRegressors() {
        DivaConfig config = DivaTrainerTest.smallConfig();
        OptimizerSpec o = config.optimizer();
        try (TrainerState s = state(config)) {
            List<ParamGroupAdam.Group> groups = groups(s, o);
            assertThat(names(groups))
                    .containsExactly("network", "beta_discriminative", "beta_shared", "beta_intra", "decorrelation");
            List<NDArray> all = new ArrayList<>(trainable(s, false));
            all.addAll(trainable(s, true));
            assertThat(identities(groups.get(0).parameters())).isEqualTo(identities(all));
            assertThat(groups.get(0).parameters()).hasSameSizeAs(all);
            assertThat(groups.get(0).learningRate()).isEqualTo(o.learningRate());
            assertThat(groups.get(0).weightDecay()).isEqualTo(o.weightDecay());
            for (int i = 1; i <= 3; i++) {
                DivaHead head = List.of(DivaHead.DISCRIMINATIVE, DivaHead.SHARED, DivaHead.INTRA)
                        .get(i - 1);
                assertThat(groups.get(i).parameters()).hasSize(1);
                assertThat(groups.get(i).parameters().get(0)).isSameAs(s.betas().get(head));
                assertThat(groups.get(i).learningRate()).isEqualTo(o.betaLearningRate());
                assertThat(groups.get(i).weightDecay()).isZero();
            }
            ParamGroupAdam.Group decorrelation = groups.get(4);
            assertThat(decorrelation.parameters()).hasSize(4 * 3); // three regressors of two Linear layers
            assertThat(decorrelation.learningRate()).isEqualTo(o.decorrelationLearningRate());
            assertThat(decorrelation.weightDecay()).isZero();
        }
    }

    @Test
    void aHeadLearningRateFactorSplitsTheNetworkIntoDisjointBackboneAndHeadGroups() {
        DivaConfig base = DivaTrainerTest.smallConfig();
        OptimizerSpec o = base.optimizer().withHeadLearningRateFactor(10);
        try (TrainerState s = state(base)) {
            List<ParamGroupAdam.Group> groups = groups(s, o);
            assertThat(names(groups).subList(0, 2)).containsExactly("backbone", "heads");
            assertThat(identities(groups.get(0).parameters())).isEqualTo(identities(trainable(s, false)));
            assertThat(identities(groups.get(1).parameters())).isEqualTo(identities(trainable(s, true)));
            assertThat(groups.get(1).parameters()).hasSize(2 * DivaHead.values().length); // weight, bias
            Set<NDArray> both = identities(groups.get(0).parameters());
            both.retainAll(identities(groups.get(1).parameters()));
            assertThat(both).isEmpty();
            assertThat(groups.get(0).learningRate()).isEqualTo(o.learningRate());
            assertThat(groups.get(1).learningRate()).isEqualTo(o.learningRate() * 10);
            assertThat(groups.get(1).weightDecay()).isEqualTo(o.weightDecay());
        }
    }

    @Test
    void theKeyEncoderAndTheBatchNormStatisticsJoinNoGroup() {
        try (TrainerState s = state(DivaTrainerTest.smallConfig())) {
            Set<NDArray> grouped = Collections.newSetFromMap(new IdentityHashMap<>());
            for (ParamGroupAdam.Group g : groups(s, s.config().optimizer())) {
                grouped.addAll(g.parameters());
            }
            for (Parameter p : s.keyEncoder().getParameters().values()) {
                assertThat(grouped.contains(p.getArray())).isFalse();
            }
            for (Parameter p : s.queryNet().getParameters().values()) {
                assertThat(grouped.contains(p.getArray())).isEqualTo(p.requiresGradient());
            }
        }
    }

    @Test
    void aBaselineWithProxiesHasItsOwnGroupAndNoBetas() {
        DivaConfig base = DivaTrainerTest.smallConfig().withHeads(List.of(DivaHead.DISCRIMINATIVE));
        DivaConfig config =
                base.withObjective(ObjectiveSpec.baseline(BaselineSpec.defaults(BaselineKind.PROXY_ANCHOR)));
        try (TrainerState s = state(config)) {
            List<ParamGroupAdam.Group> groups = groups(s, config.optimizer());
            assertThat(names(groups)).containsExactly("network", "baseline");
            assertThat(groups.get(1).parameters()).isEqualTo(s.baseline().parameters());
            assertThat(groups.get(1).learningRate())
                    .isEqualTo(config.optimizer().learningRate() * s.baseline().parameterLearningRateMultiplier());
        }
    }

    @Test
    void aParameterBelongsToTheHeadNamedInIt() {
        var spec = DivaTrainerTest.smallConfig().network();
        assertThat(ParameterGroups.partOf(spec, "02head_discriminative_weight")).isEqualTo("head_discriminative");
        assertThat(ParameterGroups.partOf(spec, "05head_intra_bias")).isEqualTo("head_intra");
        assertThat(ParameterGroups.partOf(spec, "01backbone_01conv_weight")).isEqualTo(ParameterGroups.BACKBONE);
        var one = spec.withHeads(List.of(DivaHead.DISCRIMINATIVE));
        assertThat(ParameterGroups.partOf(one, "05head_intra_bias")).isEqualTo(ParameterGroups.BACKBONE);
    }
}
