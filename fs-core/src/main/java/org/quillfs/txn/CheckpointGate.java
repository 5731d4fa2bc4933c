package org.quillfs.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.quillfs.concurrent.LockOrder;
import org.quillfs.concurrent.ProcessBarrier;

/**
 * The quiesce gate: every change to the log-and-cache state (an update, a commit, a
 * transaction's start or end) passes through its read side; a checkpoint's table snapshot takes
 * the write side ({@link #pause}) for the few microseconds it needs to see that state whole.
 *
 * <h2>Overview</h2>
 * Every operation enters the gate several times and a checkpoint pauses it rarely, so the read
 * side is built to touch no cache line that other threads write and to run no fence ("cheap
 * readers, rare writers", DESIGN.md). A thread counts itself in and out on a slot of its own
 * (chosen by its thread id, claimed by the first thread to use it) with plain stores, and reads
 * one flag that changes only when a pause begins or ends. {@link #pause} raises the flag, makes
 * every running thread of the process execute a memory barrier ({@link ProcessBarrier}, Linux
 * {@code membarrier}), then waits until every count is zero; readers that arrive meanwhile step
 * back out and wait for {@link #resume}. Waits block; nothing spins.
 *
 * <h2>Implementation notes</h2>
 * Entry is "count in, then read the flag"; a pause is "raise the flag, then read the counts".
 * As in Dekker's algorithm, it is correct only if either the reader sees the flag or the pauser
 * sees the reader's count, never neither, which needs a store-load fence between each side's
 * store and load. The reader's side has none (a fence is a locked instruction on x86, a few
 * nanoseconds, more than the rest of the read side); the pauser runs one on the reader's behalf
 * ({@link ProcessBarrier#run}, after raising the flag and before reading the counts): the kernel
 * interrupts every processor running one of our threads and executes a full barrier there, and
 * returns only when all have. Take a reader R and the point P of its program where the barrier
 * met it. If R's count store comes before P, the barrier has made it visible before the pauser
 * reads the counts, and the pauser waits for R. If it comes after P, then so does R's later read
 * of the flag, which therefore sees the flag the pauser raised before the barrier, and R steps
 * back out. A thread not running when the barrier is run has been switched out since its last
 * access and will be switched in before its next, and the kernel's context switch orders
 * accesses as a full barrier does: the same two cases. This is the asymmetric fence of liburcu's
 * {@code urcu-memb} flavour and folly's {@code asymmetricHeavyBarrier}.
 *
 * <p>The processor's reordering is dealt with by the barrier; the JIT's is not, and a plain
 * store followed by a plain load of another variable may legally be swapped by it. So the count
 * store and the flag load are {@link VarHandle} accesses with ordering stronger than plain
 * (opaque, release, acquire): C2 compiles those as unsafe accesses and wraps every unsafe access
 * that is not unordered in {@code MemBarCPUOrder} nodes, compiler-only barriers that nothing
 * moves across and that emit no instruction ({@code C2Access::needs_cpu_membar} and
 * {@code C2AccessFence} in HotSpot's {@code gc/shared/c2/barrierSetC2.cpp}). Never replace them
 * with plain field or array accesses. The leaving store is a release store and the pauser reads
 * counts with volatile loads, so what a reader did inside happens-before the snapshot.
 *
 * <p>A slot belongs to the first thread that enters through it (its id, claimed once by CAS next
 * to its count); only that thread writes its count, so counting needs no atomic instruction.
 * A thread whose slot another thread owns (ids equal modulo {@value #SLOTS}) counts on that
 * slot's second, shared counter with an atomic add, which is itself a full fence: correct with
 * or without the barrier, as fast as the gate was before, and it reads the owner's line, which
 * slows the owner a little. Thread ids are never reused, so a slot whose owner died stays
 * claimed: a process that keeps creating threads slowly moves the new ones to shared counters
 * (speed, not correctness). Where the barrier is not available ({@link
 * ProcessBarrier#available}, decided once per process) no thread owns a slot: every reader
 * counts with the atomic add ({@link Mode#FENCE}). The mode is a constant of the gate, and the
 * read side does not look at it: in that mode every slot's owner is an id no thread has.
 *
 * <p>A reader leaving during a pause wakes the pauser under {@link #room}'s monitor, where the
 * pauser re-reads the counts before it waits, so no wake-up is lost (the same barrier argument
 * applies to "count out, then read the flag"); resume lowers the flag before it wakes the readers
 * waiting in the same room. Entries do not nest (a reader that entered twice would wait for a
 * pause that waits for it, and an owner's count is 1 or 0, not a sum); {@link LockOrder}, on in
 * every unit test, throws when a thread takes the gate it holds.
 */
public final class CheckpointGate {

    /** How a reader orders its count store before its read of the flag. */
    enum Mode {
        /** The pauser runs {@link ProcessBarrier#run}; readers order their accesses only for the JIT. */
        MEMBARRIER,
        /**
         * Where the barrier is not available: no thread owns a slot, so every reader counts with
         * an atomic add, itself a full fence (the gate as it was before the barrier).
         */
        FENCE
    }

    /** Slots; a power of two, well above the threads FUSE runs. */
    static final int SLOTS = 256;
    /** Longs per slot: 128 bytes, so two slots never share a line or an adjacent-line prefetch pair. */
    private static final int PAD = 16;
    /** Where in a slot the owner's thread id is, on the line of its count: one line to check and count. */
    private static final int OWNER = 1;
    /** An owner no thread has: set on every slot in {@link Mode#FENCE}. */
    private static final long NO_THREAD = -1;
    /** Where in a slot the shared counter is, 64 bytes from the owner's, off the owner's line. */
    private static final int SHARED = 8;
    /** The mode where the barrier can be run, chosen once per process. */
    private static final Mode DEFAULT_MODE = ProcessBarrier.available() ? Mode.MEMBARRIER : Mode.FENCE;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle PAUSED;

    static {
        try {
            PAUSED = MethodHandles.lookup().findVarHandle(CheckpointGate.class, "paused", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Per slot, from index {@code PAD * (slot + 1)}: the owner's count (0 or 1); next to it the
     * owner's thread id (0 until a thread claims the slot, then set once); and {@link #SHARED}
     * longs on, the count of the threads that share the slot. Slot 0 starts a slot's width in,
     * off the line with the array's length, which every access reads.
     */
    private final long[] counts;
    private final int slotMask;
    private final Mode mode;
    private volatile boolean paused;
    /** Where readers wait out a pause and the pauser waits for readers in flight. */
    private final Object room = new Object();
    /** One pause at a time (a permit, not a lock: a pause may end on another thread). */
    private final Semaphore pauser = new Semaphore(1);

    public CheckpointGate() {
        this(SLOTS, DEFAULT_MODE);
    }

    /** For tests: {@code slots} (a power of two; few make threads share), and the mode. */
    CheckpointGate(int slots, Mode mode) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots not a power of two: " + slots);
        }
        if (mode == Mode.MEMBARRIER && !ProcessBarrier.available()) {
            throw new IllegalArgumentException("membarrier not available: " + ProcessBarrier.unavailableReason());
        }
        this.counts = new long[(slots + 1) * PAD];
        this.slotMask = slots - 1;
        this.mode = mode;
        if (mode == Mode.FENCE) {
            // no thread can own a slot: every reader counts with an atomic add, which fences
            for (int i = PAD; i < counts.length; i += PAD) {
                counts[i + OWNER] = NO_THREAD;
            }
        }
    }

    /** How readers are ordered against a pause in this gate. */
    Mode mode() {
        return mode;
    }

    /** Enters the read side, waiting while a pause is on. */
    public void enter() {
        LockOrder.taking(LockOrder.Level.GATE);
        long id = Thread.currentThread().getId();
        int i = PAD * (((int) id & slotMask) + 1);
        long owner = counts[i + OWNER]; // plain: set once, and a thread sees its own claim
        if (owner == id || owner == 0 && LONGS.compareAndSet(counts, i + OWNER, 0L, id)) {
            enterOwned(i);
        } else {
            enterShared(i + SHARED);
        }
    }

    /** Leaves the read side. */
    public void exit() {
        long id = Thread.currentThread().getId();
        int i = PAD * (((int) id & slotMask) + 1);
        if (counts[i + OWNER] == id) {
            // release: what the reader did inside is visible to a pauser that sees the 0
            LONGS.setRelease(counts, i, 0L);
        } else {
            long ignored = (long) LONGS.getAndAdd(counts, i + SHARED, -1L);
        }
        if ((boolean) PAUSED.getAcquire(this)) {
            wakeRoom();
        }
        LockOrder.released(LockOrder.Level.GATE);
    }

    /** Waits for changes in flight, then holds every new one back until {@link #resume}. */
    public void pause() {
        pauser.acquireUninterruptibly();
        paused = true;
        if (mode == Mode.MEMBARRIER) {
            ProcessBarrier.run();
        } else {
            VarHandle.fullFence();
        }
        awaitInRoom(this::anyInside);
    }

    public void resume() {
        paused = false;
        wakeRoom();
        pauser.release();
    }

    /**
     * Counts in on the thread's own slot. Only this thread writes {@code counts[i]}, and entries
     * do not nest, so the count is 0 or 1 and entering stores 1: no atomic instruction, and no
     * load of the count that would wait for the last exit's store. The opaque store and the
     * acquire load of the flag are VarHandle accesses so that the JIT keeps them in this order
     * (see the class comment; a plain store could sink below the load).
     */
    private void enterOwned(int i) {
        for (;;) {
            LONGS.setOpaque(counts, i, 1L);
            if (!(boolean) PAUSED.getAcquire(this)) {
                return;
            }
            LONGS.setRelease(counts, i, 0L);
            wakeRoom();
            awaitInRoom(() -> paused);
        }
    }

    /** Counts in on a slot another thread owns: an atomic add, a full fence in itself. */
    private void enterShared(int i) {
        for (;;) {
            long ignored = (long) LONGS.getAndAdd(counts, i, 1L);
            if (!(boolean) PAUSED.getAcquire(this)) {
                return;
            }
            ignored = (long) LONGS.getAndAdd(counts, i, -1L);
            wakeRoom();
            awaitInRoom(() -> paused);
        }
    }

    /** Wakes whoever waits in the room: a pauser waiting for readers, readers waiting for a resume. */
    private void wakeRoom() {
        synchronized (room) {
            room.notifyAll();
        }
    }

    /**
     * Whether any reader is inside. A slot with no owner has never been used (a thread claims it
     * before it counts on it, and the claim is a full fence), so its counts are not read.
     */
    private boolean anyInside() {
        for (int i = PAD; i < counts.length; i += PAD) {
            if ((long) LONGS.getVolatile(counts, i + OWNER) == 0) {
                continue;
            }
            if ((long) LONGS.getVolatile(counts, i) != 0 || (long) LONGS.getVolatile(counts, i + SHARED) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits in the room while {@code condition} holds. An interrupt does not end the wait (a
     * change half made cannot stop); the interrupt status is restored afterwards.
     */
    private void awaitInRoom(BooleanSupplier condition) {
        boolean interrupted = false;
        synchronized (room) {
            while (condition.getAsBoolean()) {
                try {
                    room.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
