package org.quillfs.txn;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;

/**
 * The quiesce gate: every change to the log-and-cache state (an update, a commit, a
 * transaction's start or end) passes through its read side; a checkpoint's table snapshot takes
 * the write side ({@link #pause}) for the few microseconds it needs to see that state whole.
 *
 * <h2>Overview</h2>
 * Every operation enters the gate several times and a checkpoint pauses it rarely, so the read
 * side is built to touch no cache line that other threads write ("cheap readers, rare writers",
 * DESIGN.md): a thread counts itself in and out on its own stripe of a padded counter array
 * (chosen by its thread id) and reads one flag that changes only when a pause begins or ends.
 * {@link #pause} raises the flag, then waits until every stripe is zero; readers that arrive
 * meanwhile step back out and wait for {@link #resume}. Waits block; nothing spins.
 *
 * <h2>Implementation notes</h2>
 * Entry is "count in, then read the flag"; a pause is "raise the flag, then read the counts".
 * Both counts and flag are volatile, so (as in Dekker's algorithm) either the reader sees the
 * flag or the pauser sees the reader's count, never neither. A reader leaving during a pause
 * wakes the pauser under {@link #room}'s monitor, where the pauser re-reads the counts before it
 * waits, so no wake-up is lost; resume lowers the flag before it wakes the readers waiting in
 * the same room. Entries do not nest (a reader that entered twice would wait for a pause that
 * waits for it). Two threads whose ids share a stripe share its cache line; with
 * {@value #STRIPES} stripes that is rare and costs speed, not correctness.
 */
public final class CheckpointGate {

    /** Stripes of the counter array; a power of two, well above the threads FUSE runs. */
    private static final int STRIPES = 64;
    /** Longs per stripe: 128 bytes, so two stripes never share a line or an adjacent-line prefetch pair. */
    private static final int PAD = 16;

    private final AtomicLongArray inside = new AtomicLongArray(STRIPES * PAD);
    private volatile boolean paused;
    /** Where readers wait out a pause and the pauser waits for readers in flight. */
    private final Object room = new Object();
    /** One pause at a time (a permit, not a lock: a pause may end on another thread). */
    private final Semaphore pauser = new Semaphore(1);

    /** Enters the read side, waiting while a pause is on. */
    public void enter() {
        int stripe = stripe();
        for (;;) {
            inside.getAndIncrement(stripe);
            if (!paused) {
                return;
            }
            leave(stripe);
            awaitInRoom(() -> paused);
        }
    }

    /** Leaves the read side. */
    public void exit() {
        leave(stripe());
    }

    /** Waits for changes in flight, then holds every new one back until {@link #resume}. */
    public void pause() {
        pauser.acquireUninterruptibly();
        paused = true;
        awaitInRoom(this::anyInside);
    }

    public void resume() {
        paused = false;
        synchronized (room) {
            room.notifyAll();
        }
        pauser.release();
    }

    private void leave(int stripe) {
        inside.getAndDecrement(stripe);
        if (paused) {
            synchronized (room) {
                room.notifyAll();
            }
        }
    }

    private boolean anyInside() {
        for (int s = 0; s < STRIPES * PAD; s += PAD) {
            if (inside.get(s) != 0) {
                return true;
            }
        }
        return false;
    }

    private static int stripe() {
        return (int) (Thread.currentThread().getId() & (STRIPES - 1)) * PAD;
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
