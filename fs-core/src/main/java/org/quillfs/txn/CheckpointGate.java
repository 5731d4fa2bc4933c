package org.quillfs.txn;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The quiesce gate: every change to the log-and-cache state (an update, a commit, a
 * transaction's start or end) passes through its read side; a checkpoint's table snapshot takes
 * the write side for the few microseconds it needs to see that state whole.
 *
 * <p>A read-write lock for now; issue 8 replaces it with one whose read side touches no shared
 * cache line, behind this same interface.
 */
public final class CheckpointGate {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    public void enter() {
        lock.readLock().lock();
    }

    public void exit() {
        lock.readLock().unlock();
    }

    /** Waits for changes in flight, then holds every new one back until {@link #resume}. */
    public void pause() {
        lock.writeLock().lock();
    }

    public void resume() {
        lock.writeLock().unlock();
    }
}
