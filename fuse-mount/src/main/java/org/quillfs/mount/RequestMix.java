package org.quillfs.mount;

/**
 * Whether requests have lately come several at a time — from several callers (threads) at
 * once, a parallel build, two copies; or from one caller with several outstanding, the kernel's
 * readahead — or one after another, each sent after the previous one's reply.
 *
 * <p>Requests one after another are served best by one worker that polls for the next
 * ({@link ReaderRole}, {@link RequestPoll}). Requests several at a time want every idle worker
 * waiting in {@code read}, and nobody polling (the callers and the I/O need the processors). A
 * request whose caller differs from the previous request's, that has more requests queued
 * behind it, or that is a read, marks the mix as several for {@link #WINDOW_NANOS}. Reads count
 * because the kernel's readahead sends them ahead of the caller, in batches that are not always
 * queued yet when the reader looks, and each may wait for the device. Requests the kernel
 * sends on its own (release, forget: caller 0) do not count: a program that closes a file and
 * goes on has its release queued ahead of its next request, one after another all the same.
 */
final class RequestMix {

    /** How long one sign of requests several at a time counts. */
    static final long WINDOW_NANOS = 10_000_000;
    /** FUSE_READ, the opcode of a read. */
    static final int READ = 15;

    private int lastCaller;
    /** Whether there has been a sign yet, and when the last was (nanoTime: only differences count). */
    private boolean seen;
    private long seenAt;

    /**
     * Notes a request with {@code opcode} from {@code caller} (both from its FUSE header)
     * received at {@code now}, {@code queued}: with more requests queued behind it; says whether
     * requests come several at a time.
     */
    synchronized boolean note(int opcode, int caller, boolean queued, long now) {
        if (caller != 0) {
            if (queued || opcode == READ || lastCaller != 0 && caller != lastCaller) {
                seen = true;
                seenAt = now;
            }
            lastCaller = caller;
        }
        return seen && now - seenAt < WINDOW_NANOS;
    }
}
