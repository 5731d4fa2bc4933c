package org.quillfs.journal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.quillfs.concurrent.LockOrder;
import org.quillfs.concurrent.Spinner;

/**
 * The log's space: the bytes between the tail and the head are in use, and running transactions
 * hold reservations on the rest ({@link LogWriter}, "Log space", for what is counted and why).
 *
 * <h2>Overview</h2>
 * {@link #reserve} waits until the log has room for a transaction's worst case and counts it;
 * {@link #release} gives it back when the transaction has appended its last record; {@link
 * #moveTail} frees what a checkpoint made unnecessary. The head is the log writer's: it moves
 * under the log lock as records are appended, and is read here through {@code head}.
 *
 * <h2>Implementation notes</h2>
 * These counters have a lock of their own, not the log lock: every transaction reserves when it
 * begins and releases when it ends, and under the log lock those were two of the eight or so
 * holds per create of the lock every append serialises on (docs/BENCHMARKS.md, "Concurrency").
 * The head is read without the log lock, once per computation of free space, and may be behind
 * the true head; it never over-reports free space. Every byte appended was reserved first and
 * stays counted in {@code reserved} until its transaction releases it, after its last
 * append; so a release this lock has seen happened after those appends, and the volatile read
 * of the head that follows it sees them. Bytes appended by transactions that still hold their
 * reservations are counted twice meanwhile, in the head and in the reservation: the safe way.
 * Whatever frees space (a release, a tail move, an abort) signals under this lock, so a
 * reservation that waits misses no wake-up. Lock order: the log lock before this one, never
 * the reverse (an abort, under the log lock, wakes the waiters here).
 */
final class LogSpace {

    private final LogRegion region;
    private final long paddingReserve;
    private final long checkpointReserve;
    private final LongSupplier head;
    private final Runnable onSpaceWanted;
    private final Spinner spinner;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition spaceFreed = lock.newCondition();

    /** Written under the lock; volatile so that an append's overrun check reads it without. */
    private volatile long tailLsn;
    private long reserved;
    /** Reservations given back so far (transactions ended): a waiter for space asks for a checkpoint after each. */
    private long transactionsEnded;
    /** Set when the journal is aborted: waiting reservations throw it. */
    private RuntimeException failure;

    /**
     * @param head          the LSN the next record will get (read without the log lock)
     * @param onSpaceWanted called (without locks held) when a reservation has to wait
     * @param spinner       how a waiter for this lock spins before it sleeps: the log lock's
     */
    LogSpace(LogRegion region, long tailLsn, LongSupplier head, Runnable onSpaceWanted, Spinner spinner) {
        this.region = region;
        this.tailLsn = tailLsn;
        this.head = head;
        this.onSpaceWanted = onSpaceWanted;
        this.spinner = spinner;
        this.paddingReserve = Math.min(16, Math.max(2, region.blocks() / 8)) * region.payload();
        this.checkpointReserve = region.capacity() / 8;
    }

    /** See {@link LogWriter#reserve}. */
    void reserve(long bytes) {
        if (bytes > region.capacity() / 2) {
            throw new IllegalArgumentException(bytes + " bytes of log space asked, at most half the log ("
                    + region.capacity() / 2 + ") can be reserved at once");
        }
        LockOrder.mayWaitFor("log space");
        long askedAt = -1;
        lock();
        try {
            while (free() < bytes) {
                if (failure != null) {
                    throw failure;
                }
                // Ask at first, and again whenever a transaction has ended since: a checkpoint that
                // ran while it held the tail back freed too little, and a log less than half full
                // starts none of its own accord.
                if (askedAt != transactionsEnded) {
                    askedAt = transactionsEnded;
                    unlock();
                    try {
                        onSpaceWanted.run();
                    } finally {
                        lock();
                    }
                    continue;
                }
                spaceFreed.awaitUninterruptibly();
            }
            reserved += bytes;
        } finally {
            unlock();
        }
    }

    /** See {@link LogWriter#release}. */
    void release(long bytes) {
        lock();
        try {
            if (bytes > reserved) {
                throw new IllegalStateException("releasing " + bytes + " bytes of log space, only " + reserved
                        + " are reserved");
            }
            reserved -= bytes;
            transactionsEnded++;
            spaceFreed.signalAll();
        } finally {
            unlock();
        }
    }

    /** See {@link LogWriter#moveTail}. */
    void moveTail(long newTail) {
        lock();
        try {
            long headLsn = head.getAsLong();
            if (newTail < tailLsn || newTail > headLsn) {
                throw new IllegalStateException("tail may only move forward, up to the head: " + tailLsn + " -> "
                        + newTail + " (head " + headLsn + ")");
            }
            tailLsn = newTail;
            spaceFreed.signalAll();
        } finally {
            unlock();
        }
    }

    /** The journal is aborted: reservations waiting now or later for space throw {@code why}. */
    void abort(RuntimeException why) {
        lock();
        try {
            failure = why;
            spaceFreed.signalAll();
        } finally {
            unlock();
        }
    }

    /** The oldest LSN recovery still needs. */
    long tail() {
        return tailLsn;
    }

    /** Bytes between the tail and the end of the head's block: what a checkpoint would free. */
    long used() {
        return region.alignUp(head.getAsLong()) - region.lsnOf(region.sequenceOf(tailLsn));
    }

    /** See {@link LogWriter#checkpointReserve}. */
    long checkpointReserve() {
        return checkpointReserve;
    }

    /** Under the lock. */
    private long free() {
        return region.capacity() - used() - reserved - paddingReserve - checkpointReserve;
    }

    private void lock() {
        LockOrder.taking(LockOrder.Level.LOG_SPACE);
        spinner.lock(lock);
    }

    private void unlock() {
        lock.unlock();
        LockOrder.released(LockOrder.Level.LOG_SPACE);
    }
}
