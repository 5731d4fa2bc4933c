package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallerMixTest {

    private final CallerMix mix = new CallerMix();

    @Test
    void oneCallerCallingAfterItselfIsNotSeveral() {
        for (long now = 0; now < 100; now++) {
            assertThat(mix.note(42, now)).isFalse();
        }
        assertThat(mix.several(100)).isFalse();
    }

    @Test
    void aSecondCallerMakesSeveralForTheWindow() {
        mix.note(42, 0);
        assertThat(mix.note(43, 10)).isTrue();
        assertThat(mix.note(43, 10 + CallerMix.WINDOW_NANOS - 1)).as("same caller again, inside the window").isTrue();
        assertThat(mix.several(10 + CallerMix.WINDOW_NANOS)).as("window over").isFalse();
    }

    @Test
    void requestsTheKernelSendsOnItsOwnDoNotCount() {
        mix.note(42, 0);
        assertThat(mix.note(0, 1)).as("a release (caller 0)").isFalse();
        assertThat(mix.note(42, 2)).as("the same caller after it").isFalse();
    }
}
