package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestMixTest {

    private static final int WRITE = 16;

    private final RequestMix mix = new RequestMix();

    @Test
    void oneCallerCallingAfterItselfIsOneAtATime() {
        for (long now = 0; now < 100; now++) {
            assertThat(mix.note(WRITE, 42, false, now)).isFalse();
        }
    }

    @Test
    void aSecondCallerMakesSeveralForTheWindow() {
        mix.note(WRITE, 42, false, 0);
        assertThat(mix.note(WRITE, 43, false, 10)).isTrue();
        assertThat(mix.note(WRITE, 43, false, 10 + RequestMix.WINDOW_NANOS - 1)).as("same caller again, inside the window").isTrue();
        assertThat(mix.note(WRITE, 43, false, 10 + RequestMix.WINDOW_NANOS)).as("window over").isFalse();
    }

    @Test
    void requestsQueuedBehindACallersRequestMakeSeveral() {
        mix.note(WRITE, 42, false, 0);
        assertThat(mix.note(WRITE, 42, true, 1)).as("readahead: more reads queued").isTrue();
    }

    @Test
    void aReadMakesSeveral() {
        mix.note(WRITE, 42, false, 0);
        assertThat(mix.note(RequestMix.READ, 42, false, 1)).as("the readahead's reads come ahead of the caller").isTrue();
    }

    @Test
    void requestsTheKernelSendsOnItsOwnDoNotCount() {
        mix.note(WRITE, 42, false, 0);
        assertThat(mix.note(WRITE, 0, true, 1)).as("a release (caller 0), the caller's next request queued behind it").isFalse();
        assertThat(mix.note(WRITE, 42, false, 2)).as("the same caller after it").isFalse();
    }
}
