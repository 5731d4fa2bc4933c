package org.quillfs.mount;

/**
 * Whether requests have lately come from more than one caller (thread) at once — a parallel
 * build, two copies — or from one calling after another.
 *
 * <p>One caller waits for each reply before it sends its next request, so one worker polling
 * for it serves it best ({@link ReaderRole}, {@link RequestPoll}). Several callers send
 * requests while others are being served; then a worker should be waiting in {@code read} at
 * all times and nobody should poll (the callers need the processors). A request whose caller
 * differs from the previous request's marks the mix as several for {@link #WINDOW_NANOS};
 * requests the kernel sends on its own (release, forget: caller 0) do not count.
 */
final class CallerMix {

    /** How long one change of caller counts as callers running at once. */
    static final long WINDOW_NANOS = 10_000_000;

    private int lastCaller;
    /** Whether the caller has ever changed, and when it last did (nanoTime: only differences count). */
    private boolean changed;
    private long changedAt;

    /**
     * Notes a request from {@code caller} (the thread id in its FUSE header) received at
     * {@code now}, and says whether several callers are active.
     */
    synchronized boolean note(int caller, long now) {
        if (caller != 0) {
            if (lastCaller != 0 && caller != lastCaller) {
                changed = true;
                changedAt = now;
            }
            lastCaller = caller;
        }
        return several(now);
    }

    /** Whether several callers were active at {@code now}. */
    synchronized boolean several(long now) {
        return changed && now - changedAt < WINDOW_NANOS;
    }
}
