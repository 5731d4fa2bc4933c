package org.quillfs.concurrent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Busy-waiting for waits that are usually shorter than a sleep and the wake-up that ends it (on
 * these machines a park and unpark cost tens of microseconds): retries an attempt until it
 * succeeds or a time budget is spent, so that the caller sleeps only when the wait is long.
 *
 * <p>At most one thread fewer than the processors spins at a time, counted over every spinner
 * of the process (the log lock's and the page locks' waiters share the processors), so that a
 * processor is always left for the thread being waited for; the others get {@code false} at once
 * and sleep. Spinning for every waiter made eight threads on two processors slower.
 */
public final class Spinner {

    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    /** Threads spinning now, on any spinner. */
    private static final AtomicInteger SPINNING = new AtomicInteger();

    private final long budgetNanos;

    /** @param budgetNanos how long one wait may spin */
    public Spinner(long budgetNanos) {
        this.budgetNanos = budgetNanos;
    }

    /** Takes {@code lock}: at once if free, else spinning for it within the budget, else sleeping until it is free. */
    public void lock(ReentrantLock lock) {
        if (!lock.tryLock() && !spinUntil(lock::tryLock)) {
            lock.lock();
        }
    }

    /**
     * Runs {@code attempt} until it returns true or the budget is spent.
     *
     * @return whether an attempt succeeded; false at once if too many threads spin already
     */
    public boolean spinUntil(BooleanSupplier attempt) {
        if (SPINNING.incrementAndGet() >= PROCESSORS) {
            SPINNING.decrementAndGet();
            return false;
        }
        try {
            long until = System.nanoTime() + budgetNanos;
            do {
                if (attempt.getAsBoolean()) {
                    return true;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() < until);
            return attempt.getAsBoolean();
        } finally {
            SPINNING.decrementAndGet();
        }
    }
}
