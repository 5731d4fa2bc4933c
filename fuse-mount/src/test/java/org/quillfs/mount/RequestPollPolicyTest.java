package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestPollPolicyTest {

    private static final long EARLY = RequestPoll.SPIN_NANOS / 10;
    private static final long LATE = RequestPoll.SPIN_NANOS * 10;

    private final RequestPoll.Policy policy = new RequestPoll.Policy();

    @Test
    void pollsWhileRequestsComeOneByOneAndClose() {
        for (int i = 0; i < 100; i++) {
            assertThat(policy.pollNow()).isTrue();
            policy.received(EARLY, false);
        }
    }

    @Test
    void aFewLateRequestsDoNotStopPolling() {
        for (int i = 0; i < RequestPoll.MISSES_TO_STOP - 1; i++) {
            policy.received(LATE, false);
        }
        assertThat(policy.pollNow()).isTrue();
    }

    @Test
    void aRunOfLateRequestsStopsPollingButForProbesAndATimelyRequestResumesIt() {
        for (int i = 0; i < RequestPoll.MISSES_TO_STOP; i++) {
            policy.received(LATE, false);
        }
        int polls = 0;
        for (int i = 0; i < 10 * RequestPoll.PROBE_EVERY; i++) {
            polls += policy.pollNow() ? 1 : 0;
        }
        assertThat(polls).as("probes only").isEqualTo(10);

        policy.received(EARLY, false);
        assertThat(policy.pollNow()).isTrue();
        assertThat(policy.pollNow()).isTrue();
    }

    @Test
    void nobodyPollsWhileRequestsComeSeveralAtATime() {
        policy.received(EARLY, true);
        for (int i = 0; i < 2 * RequestPoll.PROBE_EVERY; i++) {
            assertThat(policy.pollNow()).isFalse();
        }
        policy.received(EARLY, false);
        assertThat(policy.pollNow()).isTrue();
    }
}
