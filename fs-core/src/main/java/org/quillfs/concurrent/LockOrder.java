package org.quillfs.concurrent;

/**
 * The lock order of docs/CONCURRENCY.md, checked at run time in tests: a thread takes the
 * checkpoint gate, then the cache lock, then a block latch, then the log lock, never the
 * reverse and never one of them twice; and it waits for a page lock, log space or a log flush
 * only while it holds none of them.
 *
 * <p>Checking is on when the system property {@code quillfs.checkLockOrder} is {@code true}, as
 * the build sets it for every unit test; otherwise every method returns at once (the flag is a
 * constant, so the JIT drops the calls). A violation throws {@link IllegalStateException}
 * naming both locks, in the thread that broke the order, at the moment it did.
 */
public final class LockOrder {

    /** The locks in the order a thread may take them. */
    public enum Level { GATE, CACHE, LATCH, LOG, LOG_SPACE }

    private static final boolean CHECKED = Boolean.getBoolean("quillfs.checkLockOrder");
    /** Per thread, a bit per level held; one of each at a time, so a bit is enough. */
    private static final ThreadLocal<int[]> HELD = ThreadLocal.withInitial(() -> new int[1]);

    private LockOrder() {
    }

    /** Records that the thread takes {@code level}; throws if it holds that level or a later one. */
    public static void taking(Level level) {
        if (!CHECKED) {
            return;
        }
        int[] held = HELD.get();
        int laterOrSame = held[0] & ~((1 << level.ordinal()) - 1);
        if (laterOrSame != 0) {
            throw new IllegalStateException("lock order: " + level + " taken while holding "
                    + Level.values()[31 - Integer.numberOfLeadingZeros(laterOrSame)] + " (docs/CONCURRENCY.md)");
        }
        held[0] |= 1 << level.ordinal();
    }

    /** Records that the thread let {@code level} go. */
    public static void released(Level level) {
        if (CHECKED) {
            HELD.get()[0] &= ~(1 << level.ordinal());
        }
    }

    /** Throws if the thread holds any of the ordered locks: it is about to wait for {@code what}. */
    public static void mayWaitFor(String what) {
        if (CHECKED && HELD.get()[0] != 0) {
            int held = HELD.get()[0];
            throw new IllegalStateException("lock order: waits for " + what + " while holding "
                    + Level.values()[31 - Integer.numberOfLeadingZeros(held)] + " (docs/CONCURRENCY.md)");
        }
    }

    /** Whether checking is on (for the test that shows it is). */
    public static boolean checked() {
        return CHECKED;
    }
}
