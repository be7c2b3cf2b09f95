package io.divastream.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The published constants of the objective (DIVA_SPEC sections 2 and 3) and the variants built from them. */
class LossSpecTest {

    @Test
    void thePublishedObjectiveHasThePapersConstants() {
        assertThat(LossSpec.published()).isEqualTo(new LossSpec(0.2, 1.2, 0.5, 0.3, 0.3, 0.3, 1500, 0.01, 1.4, false));
    }

    @Test
    void eachVariantChangesOnlyWhatItNames() {
        LossSpec base = LossSpec.published();
        assertThat(base.withAlphas(1, 2, 3)).isEqualTo(new LossSpec(0.2, 1.2, 0.5, 1, 2, 3, 1500, 0.01, 1.4, false));
        assertThat(base.withRho(10)).isEqualTo(new LossSpec(0.2, 1.2, 0.5, 0.3, 0.3, 0.3, 10, 0.01, 1.4, false));
        assertThat(base.withDanceFixed(true))
                .isEqualTo(new LossSpec(0.2, 1.2, 0.5, 0.3, 0.3, 0.3, 1500, 0.01, 1.4, true));
        assertThatThrownBy(() -> base.withRho(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
