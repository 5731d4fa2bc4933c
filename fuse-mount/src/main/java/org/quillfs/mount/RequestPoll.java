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
 * Polling pays only while requests come that close together, so the wait is skipped after a
 * request that came later than {@link #SPIN_NANOS}, until one comes that close again.
 */
final class RequestPoll {

    /** How long the reader polls before it sleeps in {@code read}. */
    static final long SPIN_NANOS = 50_000;
    private static final short POLLIN = 1;
    private static final int POLLFD_SIZE = 8;

    private final int fd;
    private final Pointer pollfd;
    /** Whether the last request came within {@link #SPIN_NANOS}; a hint, shared by the workers. */
    private final Hint spinPays;

    /** One per worker; {@code spinPays} is shared by all of a session's workers. */
    RequestPoll(int fd, Runtime runtime, Hint spinPays) {
        this.fd = fd;
        this.pollfd = Memory.allocateDirect(runtime, POLLFD_SIZE, true);
        this.spinPays = spinPays;
    }

    /** A request is queued now. */
    boolean ready() {
        pollfd.putInt(0, fd);
        pollfd.putShort(4, POLLIN);
        pollfd.putShort(6, (short) 0);
        return LibC.INSTANCE.poll(pollfd, 1, 0) > 0;
    }

    /**
     * Polls for up to {@link #SPIN_NANOS} while requests have been coming that close together;
     * the caller then reads (at once, if a request came). Returns when the wait began, for
     * {@link #received}.
     */
    long awaitBriefly() {
        long start = System.nanoTime();
        if (spinPays.value) {
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
        spinPays.value = !several && System.nanoTime() - start <= SPIN_NANOS;
    }

    /** The shared "polling pays" flag; a stale read only costs one poll too many or too few. */
    static final class Hint {
        volatile boolean value = true;
    }
}
