package org.quillfs.txn;

import java.util.concurrent.atomic.LongAdder;

/**
 * What concurrency cost since the filesystem was opened: page-lock waits, deadlocks, and the
 * replays they caused (docs/CONCURRENCY.md, "Replay"). Counted with {@link LongAdder}s, which
 * threads add to without sharing a cache line.
 */
public final class ConcurrencyCounters {

    private final LongAdder lockWaits = new LongAdder();
    private final LongAdder deadlocks = new LongAdder();
    private final LongAdder replays = new LongAdder();
    private final LongAdder conflicts = new LongAdder();
    private final LongAdder budgetReplays = new LongAdder();

    /** The counts at one moment. */
    public record Snapshot(long lockWaits, long deadlocks, long replays, long conflicts, long budgetReplays) {

        /** The counts that grew from {@code earlier} to this. */
        public Snapshot since(Snapshot earlier) {
            return new Snapshot(lockWaits - earlier.lockWaits, deadlocks - earlier.deadlocks,
                    replays - earlier.replays, conflicts - earlier.conflicts, budgetReplays - earlier.budgetReplays);
        }
    }

    /** A page-lock request that had to wait. */
    void lockWaited() {
        lockWaits.increment();
    }

    /** A transaction chosen as a deadlock's victim. */
    public void deadlocked() {
        deadlocks.increment();
    }

    /**
     * A victim's replay: {@code conflict} when a block it had read changed before it got its
     * locks back (the replay sees a different state), else a replay of the same state.
     */
    public void replayed(boolean conflict) {
        (conflict ? conflicts : replays).increment();
    }

    /** An operation that ran again from a new plan because the state outgrew its log budget. */
    public void replannedForBudget() {
        budgetReplays.increment();
    }

    public Snapshot snapshot() {
        return new Snapshot(lockWaits.sum(), deadlocks.sum(), replays.sum(), conflicts.sum(), budgetReplays.sum());
    }
}
