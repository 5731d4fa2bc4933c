package org.quillfs.mount;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Whether {@code /dev/fuse} has a request queued, asked without sleeping ({@code poll(2)} with
 * a zero timeout), and the reader's short busy wait for the next one.
 *
 * <p>A program that makes one call after another (tar, cp) sends its next request a few
 * microseconds after our reply; the reader that polls for it meanwhile takes it without a
 * sleep and a wake-up, which here cost more than serving it (docs/MOUNT.md, "The request loop").
 * Polling pays only while requests come that close together: after {@value #MISSES_TO_STOP}
 * requests in a row that came later, the reader polls only before every
 * {@value #PROBE_EVERY}th request, and polls always again once one comes in time. One late
 * request must not stop the polling: a first version stopped at every miss and resumed when a
 * request read after a sleep came within the limit, which it seldom seems to (the wake-up takes
 * time too), so it often stayed stopped (untar 3.22–3.90 s, where polling always took
 * 3.16–3.41 s).
 */
final class RequestPoll {

    /** How long the reader polls before it sleeps in {@code read}. */
    static final long SPIN_NANOS = 50_000;
    /** Requests in a row that came too late for the poll, after which the reader stops polling. */
    static final int MISSES_TO_STOP = 16;
    /** While stopped, the reader still polls before one request in this many. */
    static final int PROBE_EVERY = 8;
    private static final short POLLIN = 1;
    private static final int POLLFD_SIZE = 8;

    private final Pointer pollfd;
    /** Shared by the workers. */
    private final Policy policy;

    /** One per worker; {@code policy} is shared by all of a session's workers. */
    RequestPoll(int fd, Runtime runtime, Policy policy) {
        this.pollfd = Memory.allocateDirect(runtime, POLLFD_SIZE, true);
        pollfd.putInt(0, fd);
        pollfd.putShort(4, POLLIN); // poll(2) writes only revents, which is not read
        this.policy = policy;
    }

    /** A request is queued now. */
    boolean ready() {
        return LibC.INSTANCE.poll(pollfd, 1, 0) > 0;
    }

    /**
     * Polls for up to {@link #SPIN_NANOS} unless requests come several at a time or polling
     * has stopped paying; the caller then reads (at once, if a request came). Returns when the
     * wait began, for {@link #received}.
     */
    long awaitBriefly() {
        long start = System.nanoTime();
        if (policy.pollNow()) {
            while (!ready() && System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            }
        }
        return start;
    }

    /**
     * A request was read after a wait that began at {@code start}; {@code several}: requests
     * come several at a time ({@link RequestMix}), so nobody polls until they come one by one.
     */
    void received(long start, boolean several) {
        policy.received(System.nanoTime() - start, several);
    }

    /**
     * When the reader polls, shared by a session's workers; its fields are hints (a stale read
     * only costs one poll too many or too few).
     */
    static final class Policy {
        private volatile boolean several;
        /** Requests in a row that came {@link #SPIN_NANOS} or later after the wait began. */
        private volatile int misses;
        /** Waits begun while polling was stopped. */
        private volatile int probes;

        /** Whether the reader should poll before it sleeps. */
        boolean pollNow() {
            if (several) {
                return false;
            }
            if (misses < MISSES_TO_STOP) {
                return true;
            }
            int probe = probes + 1;
            probes = probe;
            return probe % PROBE_EVERY == 0;
        }

        /** A request came {@code waitedNanos} after the wait began; {@code several}: see {@link RequestMix}. */
        void received(long waitedNanos, boolean several) {
            this.several = several;
            misses = waitedNanos < SPIN_NANOS ? 0 : Math.min(misses + 1, MISSES_TO_STOP);
        }
    }
}
