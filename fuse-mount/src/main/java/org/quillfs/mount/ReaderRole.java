package org.quillfs.mount;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which of the mount's workers reads the next request from {@code /dev/fuse}.
 *
 * <h2>Why</h2>
 * When workers wait for requests inside {@code read(2)} of {@code /dev/fuse}, the kernel wakes
 * one of them for every request, and on this machine's virtual CPUs a wake-up and the switches
 * around it cost more than serving a typical request: a third of the daemon's samples in an
 * untar were {@code finish_task_switch}. So only one worker at a time reads (the reader); the
 * others wait here, where the kernel does not wake them for each request.
 *
 * <h2>How</h2>
 * The reader gives the role up as soon as it has a request, without waking anyone, and serves
 * it; the first worker to finish serving takes the role again. For one program making one call
 * after another that is always the same worker, which (see {@link FuseLoop}) polls for the next
 * request for a few microseconds before it sleeps in {@code read}. A waiting worker is woken
 * only when there is work it can do that the others cannot:
 * <ul>
 * <li>more requests are already queued when the reader takes one ({@link #received} with
 *     {@code more});
 * <li>no worker has taken the role for a whole tick of the {@link #watch watchdog}: every worker
 *     is busy with a slow request (an fsync, a wait for a page lock), so a request that came
 *     meanwhile waits at most about two ticks, never for the slow one to finish.
 * </ul>
 * While requests come several at a time ({@link RequestMix}: several callers, or readahead)
 * there is no single reader: every idle worker takes the role at once and waits in
 * {@code read}, as in libfuse's own loop.
 * The watchdog ticks only while requests come; after {@value #IDLE_TICKS} quiet ticks with a
 * reader waiting in {@code read} it sleeps until the next request.
 */
final class ReaderRole {

    /** Quiet ticks after which the watchdog sleeps until the next request. */
    static final int IDLE_TICKS = 100;

    private final ReentrantLock lock = new ReentrantLock();
    /** Workers waiting to read. */
    private final Condition turn = lock.newCondition();
    /** The watchdog, sleeping while the mount is idle. */
    private final Condition activity = lock.newCondition();
    /**
     * Workers holding the role: 1 while one reads, 0 while all serve, more after a watchdog
     * wake-up or while requests come several at a time.
     */
    private int readers;
    private int waiting;
    /** Requests received so far: the watchdog's measure of progress. */
    private long received;
    /** As the last {@link #received} said: every worker may read. */
    private boolean several;
    private boolean watchdogAsleep;
    private boolean closed;

    /**
     * Waits until no other worker holds the role, then takes it; while requests come several at
     * a time (see {@link #received}) takes it at once, beside the others: then every idle worker
     * waits in {@code read}, as in libfuse's own loop.
     *
     * @return false when the session is over ({@link #close}): the worker stops
     */
    boolean take() {
        lock.lock();
        try {
            while (readers > 0 && !several && !closed) {
                waiting++;
                turn.awaitUninterruptibly();
                waiting--;
            }
            if (closed) {
                return false;
            }
            readers++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The reader has a request and gives the role up. {@code more}: further requests are queued
     * already, so a waiting worker is woken to read them. {@code several}: requests come several
     * at a time ({@link RequestMix}), so until a call says otherwise every worker takes the role
     * at once, and those waiting are woken to.
     */
    void received(boolean more, boolean several) {
        lock.lock();
        try {
            readers--;
            received++;
            this.several = several;
            if (several && waiting > 0) {
                turn.signalAll();
            } else if (more && readers == 0 && waiting > 0) {
                turn.signal();
            }
            if (watchdogAsleep) {
                watchdogAsleep = false;
                activity.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends the session: waiting workers and the watchdog return. */
    void close() {
        lock.lock();
        try {
            closed = true;
            turn.signalAll();
            activity.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The watchdog's loop, until {@link #close}: every {@code tickNanos} it wakes a waiting
     * worker if nobody has received a request since the previous tick and nobody reads (all
     * workers are busy serving).
     */
    void watch(long tickNanos) {
        lock.lock();
        try {
            long seen = received;
            int quiet = 0;
            while (!closed) {
                awaitNanosUninterruptibly(activity, tickNanos);
                boolean progress = received != seen;
                seen = received;
                if (progress) {
                    quiet = 0;
                } else if (readers == 0 && waiting > 0) {
                    turn.signal();
                } else if (readers > 0 && ++quiet >= IDLE_TICKS) {
                    watchdogAsleep = true;
                    while (watchdogAsleep && !closed) {
                        activity.awaitUninterruptibly();
                    }
                    quiet = 0;
                    seen = received;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Workers holding the role now (for tests). */
    int readers() {
        lock.lock();
        try {
            return readers;
        } finally {
            lock.unlock();
        }
    }

    /** Nobody interrupts the watchdog's private thread; if something did, the tick just ends early. */
    private static void awaitNanosUninterruptibly(Condition condition, long nanos) {
        try {
            condition.awaitNanos(nanos);
        } catch (InterruptedException e) {
            // not restored: the loop would spin on it
        }
    }
}
