package org.quillfs.concurrent;

import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full memory barrier on every processor that is running a thread of this process, run at
 * the request of one thread: Linux {@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)}. It lets
 * a rarely run side of a synchronization pay for the fence that a frequently run side would
 * otherwise need (an asymmetric fence: the frequent side orders its accesses only against the
 * compiler, see {@link org.quillfs.txn.CheckpointGate}).
 *
 * <h2>Overview</h2>
 * {@link #available()} says whether the barrier can be run here; it is decided once, when the
 * class loads, and does not change. {@link #run()} runs it; it takes a few microseconds (a system
 * call and an inter-processor interrupt to each processor running one of our threads), so it is
 * for the rare side only. Where it is not available (not Linux on x86_64 or aarch64, a kernel
 * before 4.14, a seccomp filter, no native access) callers must fence on their frequent side
 * instead; {@link #unavailableReason()} says why, for a test's message or a debug log.
 *
 * <h2>Implementation notes</h2>
 * glibc has no wrapper for membarrier, so it is called through {@code syscall(2)} by number (x86_64: 324, aarch64: 283), with jnr-ffi, which jnr-fuse brings
 * in anyway. {@code syscall} is variadic; declaring it with fixed {@code long} parameters is safe
 * on both architectures because integer arguments travel in the same registers either way (on
 * x86_64 the variadic convention only adds a count of vector registers in {@code %al}, which
 * glibc's {@code syscall}, written in assembly, does not read). The class registers the process
 * for the expedited command once ({@code MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED}, required
 * since Linux 4.14 before the first use) and then runs the command once, so that a kernel or
 * filter that accepts registration but refuses the command is found here and not in the middle
 * of a checkpoint.
 */
public final class ProcessBarrier {

    private static final Logger log = LoggerFactory.getLogger(ProcessBarrier.class);

    private static final long CMD_QUERY = 0;
    private static final long CMD_PRIVATE_EXPEDITED = 8;
    private static final long CMD_REGISTER_PRIVATE_EXPEDITED = 16;

    /** libc's {@code syscall(2)}, with as many arguments as membarrier takes. */
    public interface Syscall {
        long syscall(long number, long cmd, long flags, long cpuId);
    }

    private static final Syscall LIBC;
    private static final long MEMBARRIER;
    private static final String UNAVAILABLE;

    static {
        Syscall libc = null;
        long number = -1;
        String why;
        try {
            number = syscallNumber();
            if (number < 0) {
                why = "no membarrier system call number for " + System.getProperty("os.name") + " on "
                        + System.getProperty("os.arch");
            } else {
                libc = LibraryLoader.create(Syscall.class).load("c");
                why = register(libc, number);
            }
        } catch (LinkageError | RuntimeException e) {
            why = "cannot call libc: " + e;
        }
        LIBC = why == null ? libc : null;
        MEMBARRIER = number;
        UNAVAILABLE = why;
        if (why != null) {
            log.debug("membarrier not available, fencing on the frequent side instead: {}", why);
        }
    }

    private ProcessBarrier() {
    }

    /** Whether {@link #run()} can be called. */
    public static boolean available() {
        return LIBC != null;
    }

    /** Why the barrier is not available, or {@code null} if it is. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * Makes every processor running a thread of this process execute a full memory barrier before
     * this returns; the calling thread's own accesses are ordered around the call as by a full
     * fence. Threads not running at that moment have passed a context switch since their last
     * access, which orders their accesses as a full barrier would.
     *
     * @throws IllegalStateException if the barrier is not {@linkplain #available() available}, or
     *     the kernel refused it after accepting it when the class loaded
     */
    public static void run() {
        if (LIBC == null) {
            throw new IllegalStateException("membarrier not available: " + UNAVAILABLE);
        }
        long result = LIBC.syscall(MEMBARRIER, CMD_PRIVATE_EXPEDITED, 0, 0);
        if (result != 0) {
            throw new IllegalStateException("membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) returned " + result
                    + " after it had worked");
        }
    }

    private static long syscallNumber() {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return -1;
        }
        switch (System.getProperty("os.arch", "")) {
            case "amd64":
            case "x86_64":
                return 324;
            case "aarch64":
                return 283;
            default:
                return -1;
        }
    }

    /** Registers the process and tries the command once; returns why that failed, or null. */
    private static String register(Syscall libc, long number) {
        long commands = libc.syscall(number, CMD_QUERY, 0, 0);
        if (commands < 0) {
            return "membarrier(MEMBARRIER_CMD_QUERY) failed (kernel before 4.3, or a seccomp filter)";
        }
        if ((commands & CMD_PRIVATE_EXPEDITED) == 0 || (commands & CMD_REGISTER_PRIVATE_EXPEDITED) == 0) {
            return "the kernel offers no private expedited membarrier (commands " + commands + ")";
        }
        if (libc.syscall(number, CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0) {
            return "membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) failed";
        }
        if (libc.syscall(number, CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
            return "membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) failed after registering";
        }
        return null;
    }
}
