package io.divastream.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** NNPACK is off once the engine runs, wherever the hardware cannot run it (the case of this project's CI VM). */
class NnpackSwitchTest {

    @Test
    void nnpackIsOffWhereItIsUnsupported() {
        DjlRuntime.engine();
        boolean[] state = NnpackSwitch.state().orElseThrow();
        boolean available = state[0];
        boolean enabled = state[1];
        assertThat(available || !enabled)
                .as("available %s, enabled %s", available, enabled)
                .isTrue();
    }
}
