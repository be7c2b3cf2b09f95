package io.divastream.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.divastream.model.DivaHead;
import io.divastream.model.DjlRuntime;
import io.divastream.model.config.NetworkSpec;
import io.divastream.model.net.DecorrelationRegressor;
import io.divastream.model.net.DivaNetwork;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MomentumUpdateTest {

    private static List<float[]> values(Block block) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            out.add(p.getArray().toFloatArray());
        }
        return out;
    }

    @Test
    void keyParametersBecomeTheExponentialMovingAverageWithMomentum0point9() {
        DjlRuntime.disableGradientRecording();
        NetworkSpec spec = new NetworkSpec(28, List.of(4), 8, List.of(DivaHead.DISCRIMINATIVE, DivaHead.SELFSIM), 8);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            DivaNetwork key = DivaNetwork.create(spec, m);
            DivaNetwork query = DivaNetwork.create(spec, m);
            // BatchNorm running statistics start equal in both nets; make them differ as well
            for (Parameter p : query.getParameters().values()) {
                if (!p.requiresGradient()) {
                    p.getArray().addi(0.5f);
                }
            }
            List<float[]> k0 = values(key);
            List<float[]> q0 = values(query);
            MomentumUpdate.apply(key, query, 0.9, true);
            List<float[]> k1 = values(key);
            assertThat(values(query))
                    .as("query untouched")
                    .usingRecursiveComparison()
                    .isEqualTo(q0);
            int differing = 0;
            for (int i = 0; i < k0.size(); i++) {
                for (int j = 0; j < k0.get(i).length; j++) {
                    assertThat(k1.get(i)[j]).isCloseTo(0.9f * k0.get(i)[j] + 0.1f * q0.get(i)[j], within(1e-6f));
                    differing += k0.get(i)[j] != q0.get(i)[j] ? 1 : 0;
                }
            }
            assertThat(differing).isGreaterThan(100);
        }
    }

    @Test
    void withoutStatisticsTheKeyBatchNormStatisticsStayBitEqualWhileTheParametersAreAveraged() {
        DjlRuntime.disableGradientRecording();
        NetworkSpec spec = new NetworkSpec(28, List.of(4), 8, List.of(DivaHead.DISCRIMINATIVE, DivaHead.SELFSIM), 8);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            DivaNetwork key = DivaNetwork.create(spec, m);
            DivaNetwork query = DivaNetwork.create(spec, m);
            List<Parameter> queryParameters = query.getParameters().values();
            for (Parameter p : queryParameters) {
                if (!p.requiresGradient()) {
                    p.getArray().addi(0.5f);
                }
            }
            List<float[]> k0 = values(key);
            List<float[]> q0 = values(query);
            MomentumUpdate.apply(key, query, 0.9, false);
            List<float[]> k1 = values(key);
            int statistics = 0;
            for (int i = 0; i < k0.size(); i++) {
                if (!queryParameters.get(i).requiresGradient()) {
                    statistics++;
                    assertThat(k1.get(i)).as("statistic %d", i).containsExactly(k0.get(i));
                    assertThat(k1.get(i)).isNotEqualTo(q0.get(i));
                } else {
                    for (int j = 0; j < k0.get(i).length; j++) {
                        assertThat(k1.get(i)[j]).isCloseTo(0.9f * k0.get(i)[j] + 0.1f * q0.get(i)[j], within(1e-6f));
                    }
                }
            }
            assertThat(statistics)
                    .as("running mean and variance of the BatchNorm layer")
                    .isEqualTo(2);
        }
    }

    @Test
    void networksOfDifferentStructureAreRejected() {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            Block a = DecorrelationRegressor.create(4, 8, m);
            NetworkSpec spec = new NetworkSpec(28, List.of(4), 8, List.of(DivaHead.DISCRIMINATIVE), 8);
            Block b = DivaNetwork.create(spec, m);
            assertThatThrownBy(() -> MomentumUpdate.apply(a, b, 0.9, true))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
