package org.quillfs.fs;

import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.DeadlockException;
import org.quillfs.txn.LogBudgetExceededException;
import org.quillfs.txn.ReadOnlyTransaction;
import org.quillfs.txn.ReadSet;
import org.quillfs.txn.Transaction;
import org.quillfs.txn.TransactionManager;

/**
 * Runs each facade operation as one transaction, and runs it again when it has to.
 *
 * <h2>Overview</h2>
 * An operation that changes something first <em>plans</em>: in a read-only transaction it reads
 * what sizes its worst case (a directory's depth, a file's extent tree) and returns the update
 * bytes it may log. It then <em>applies</em> in a read-write transaction of that budget. Two
 * things make it run again from the plan, after an abort that leaves nothing behind:
 * <ul>
 * <li>the lock manager chose it as the victim of a deadlock: the other transaction goes on,
 *     and this one replays against the state that transaction left (DESIGN.md, "replay instead
 *     of failing"). The replay first takes again, in block order, every lock the victim held,
 *     and checks whether any of those blocks changed meanwhile: if none did, it replays the
 *     same reads and writes against the same state (counted a replay); if one did, the outcome
 *     may differ — ENOENT where the name has gone, say — and it counts as a real conflict.
 *     Taking the old locks in order first keeps two victims from deadlocking the same way again;
 * <li>the state changed between plan and apply so that the budget no longer covers it (a
 *     directory grew a level): the new plan sees the new state, and the budget at least doubles.
 * </ul>
 * Any other exception (an errno, a damaged block) aborts the transaction and goes to the caller:
 * an operation either happens whole or not at all.
 *
 * <p>Read-only operations run in pooled read-only transactions, which log nothing and take
 * shared locks only; a deadlock makes them, too, run again.
 */
final class Transactions {

    private final TransactionManager manager;

    Transactions(TransactionManager manager) {
        this.manager = manager;
    }

    /** A body run in a read-write transaction; returns its result. */
    interface Body<R> {
        R apply(Transaction txn);
    }

    /** The outcome of a read-write operation: its result and the LSN of its COMMIT (0 if it logged nothing). */
    record Committed<R>(R result, long commitLsn) {
    }

    <R> R read(Function<BlockReader, R> body) {
        while (true) {
            ReadOnlyTransaction txn = manager.beginReadOnly();
            try {
                return body.apply(txn);
            } catch (DeadlockException e) {
                manager.counters().deadlocked(); // the other transaction goes on; read again after it
                manager.counters().replayed(false);
            } finally {
                txn.close();
            }
        }
    }

    /** Plans with {@code plan} (update bytes, read in a read-only transaction), then applies {@code body}. */
    <R> Committed<R> write(ToLongFunction<BlockReader> plan, Body<R> body) {
        return write(-1, plan, body);
    }

    /**
     * Like {@link #write(ToLongFunction, Body)}, but the first attempt takes a budget of
     * {@code guess} update bytes without planning (none if {@code guess} is negative): for the
     * hottest operations, whose worst case seldom depends on what the plan would read, this
     * saves a read-only transaction. A guess too small shows as an overrun, which rolls the
     * attempt back and replays it from the plan.
     */
    <R> Committed<R> write(long guess, ToLongFunction<BlockReader> plan, Body<R> body) {
        boolean planned = guess < 0 || !manager.canBegin(guess);
        long minimum = 0;
        ReadSet victimsLocks = null;
        while (true) {
            long budget;
            try {
                budget = planned ? Math.max(minimum, read(plan::applyAsLong)) : guess;
            } catch (RuntimeException e) {
                if (victimsLocks != null) {
                    manager.counters().replayed(true); // the new plan failed: the state changed under the victim
                }
                throw e;
            }
            Transaction txn = manager.begin(budget);
            R result;
            ReadSet relocking = victimsLocks;
            try {
                if (relocking != null) {
                    boolean changed = txn.relock(relocking);
                    relocking = null;
                    manager.counters().replayed(changed);
                }
                result = body.apply(txn);
                txn.prepareCommit();
            } catch (DeadlockException e) {
                if (relocking != null) {
                    manager.counters().replayed(true); // it could not even take its locks back
                }
                victimsLocks = txn.abortForReplay();
                manager.counters().deadlocked();
                continue;
            } catch (LogBudgetExceededException e) {
                txn.abort();
                manager.counters().replannedForBudget();
                planned = true;
                minimum = Math.max(2 * budget, e.needed());
                continue;
            } catch (RuntimeException | Error e) {
                txn.abort();
                throw e;
            }
            return new Committed<>(result, txn.commit());
        }
    }

    /** Makes the log durable up to {@code lsn}. */
    void force(long lsn) {
        manager.force(lsn);
    }
}
