package org.quillfs.txn;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.quillfs.cache.CachedBlock;
import org.quillfs.format.BlockHeader;
import org.quillfs.journal.LogRecord;
import org.quillfs.journal.LogRecord.Abort;
import org.quillfs.journal.LogRecord.Commit;
import org.quillfs.journal.LogRecord.Compensation;
import org.quillfs.journal.LogRecord.DataBlock;
import org.quillfs.journal.LogRecordCodec;

/**
 * A read-write transaction: changes to metadata blocks that become durable, or vanish,
 * together (docs/JOURNAL.md, "Transactions, locks and commit").
 *
 * <p>Life cycle: {@link TransactionManager#begin} reserves its log space and enters it in the
 * active-transaction table; {@link #update} logs and applies changes under exclusive page locks;
 * {@link #commit} or {@link #abort} ends it, releases its locks and its unused log space. A
 * transaction belongs to one thread; the fields the checkpointer reads ({@code firstLsn},
 * {@code lastLsn}) change only under the checkpoint gate's read side.
 *
 * <p>Objects are reused from the manager's pool, as read-only ones are: once {@link #commit} or
 * {@link #abort} has returned (its end actions run), this object may serve another transaction,
 * so a caller must not keep it. {@link #start} resets everything a transaction leaves behind.
 *
 * <p>Journaled file data ({@link #logData}, data=journal) is redo-only: its blocks go home only
 * after the COMMIT is durable, so {@link #commit} of a transaction that logged data forces the
 * log, writes the blocks home, and only then leaves the active-transaction table (which keeps a
 * checkpoint's tail before its records until they are home) and releases its locks (so no one
 * reads the old contents from the device in between).
 */
public final class Transaction implements BlockReader {

    private enum State { NEW, ACTIVE, COMMITTED, ABORTED }

    /**
     * Unchanged bytes between two changed runs below which one record is cheaper than two: each
     * record costs its fixed part, each byte inside a record costs two (before and after image).
     */
    static final int MERGE_GAP = LogRecordCodec.updateSize(0) / 2 + 1;

    /**
     * Block copies a pooled object keeps between uses: a create or an unlink changes one or two
     * directory blocks; a rare operation that needs more allocates the rest.
     */
    static final int KEPT_COPIES = 4;

    private final TransactionManager manager;
    private long id;
    private long reservedBytes;
    private long updateBudget;
    private final UndoLog undo = new UndoLog();
    private final List<Consumer<Boolean>> endActions = new ArrayList<>();
    private final List<Runnable> beforeCommit = new ArrayList<>();
    /** Data blocks logged by {@link #logData}: block → its newest contents, to go home at commit. */
    private final TreeMap<Long, byte[]> journaledData = new TreeMap<>();
    /**
     * The first blocks this transaction locked exclusive, so that locking one again (an
     * operation touches a few blocks many times) costs no trip to the lock manager.
     */
    private final long[] exclusive = new long[16];
    private int exclusiveCount;
    /** The one run of a whole-range {@link #update}: {@code [0, n)}, its end set per call. */
    private final int[] wholeRun = new int[2];
    /** The LSNs of the records of one {@link #logAndApply}, kept for the next. */
    private long[] runLsns = new long[4];
    /**
     * Block-sized arrays handed out by {@link #copyToChange}; the first {@code copiesInUse} belong
     * to this use, the rest (at most {@link #KEPT_COPIES}) wait for the object's next uses.
     */
    private final List<byte[]> copies = new ArrayList<>();
    private int copiesInUse;
    private State state = State.NEW;
    private long updateBytes;
    private volatile long firstLsn;
    private volatile long lastLsn;

    Transaction(TransactionManager manager) {
        this.manager = manager;
    }

    /**
     * Makes this object transaction {@code newId}: called by {@link TransactionManager#begin}
     * before it enters the transaction in the table. Its collections were emptied when its
     * last use ended ({@link #recycle}).
     */
    void start(long newId, long newUpdateBudget, long newReservedBytes) {
        if (state == State.ACTIVE) {
            throw new IllegalStateException("transaction object " + id + " handed out while in use");
        }
        id = newId;
        updateBudget = newUpdateBudget;
        reservedBytes = newReservedBytes;
        updateBytes = 0;
        firstLsn = 0;
        lastLsn = 0;
        exclusiveCount = 0;
        state = State.ACTIVE;
    }

    public long id() {
        return id;
    }

    long firstLsn() {
        return firstLsn;
    }

    long lastLsn() {
        return lastLsn;
    }

    long reservedBytes() {
        return reservedBytes;
    }

    @Override
    public CachedBlock read(long blockNr) {
        checkActive();
        if (!knownExclusive(blockNr)) {
            manager.locks().lockShared(id, blockNr);
        }
        return manager.cache().pin(blockNr);
    }

    /**
     * Block {@code blockNr} under an exclusive page lock, pinned: for reading a block this
     * transaction is about to change (taking the exclusive lock first avoids two transactions
     * both reading under shared locks and then deadlocking on the upgrade).
     */
    public CachedBlock readForUpdate(long blockNr) {
        checkActive();
        lockExclusive(blockNr);
        return manager.cache().pin(blockNr);
    }

    private void lockExclusive(long blockNr) {
        if (!knownExclusive(blockNr)) {
            manager.locks().lockExclusive(id, blockNr);
            if (exclusiveCount < exclusive.length) {
                exclusive[exclusiveCount++] = blockNr;
            }
        }
    }

    private boolean knownExclusive(long blockNr) {
        for (int i = 0; i < exclusiveCount; i++) {
            if (exclusive[i] == blockNr) {
                return true;
            }
        }
        return false;
    }

    /**
     * Like {@link #update}, but logs only the bytes that really change, and nothing when none
     * does: one record per run of changed bytes, where two runs closer than
     * {@code MERGE_GAP} bytes are one run. A directory leaf insert, say, changes its header,
     * a few slots and one entry at the far end of the block: three small records instead of one
     * spanning the free gap between them. The total is never more than one record spanning the
     * first to the last changed byte, which is what callers reserve for.
     */
    public void updateChanged(long blockNr, int offset, byte[] after) {
        updateChanged(blockNr, offset, after, 0, after.length);
    }

    /**
     * Like {@link #updateChanged(long, int, byte[])} for a whole block image of an existing
     * block: logs what changed after the header's LSN and checksum (which are never logged;
     * the header's other fields do not change for an existing block).
     */
    public void updateBlock(long blockNr, byte[] image) {
        updateChanged(blockNr, BlockHeader.LSN_END, image, BlockHeader.LSN_END, image.length - BlockHeader.LSN_END);
    }

    /**
     * Logs {@code image} as the whole contents of a new block {@code blockNr} (one this
     * transaction allocated or initialises), but for its header's LSN and checksum: the
     * cache stamps the LSN, and write-back seals the checksum.
     */
    public void writeBlock(long blockNr, byte[] image) {
        update(blockNr, 0, image, 0, BlockHeader.LSN_START);
        update(blockNr, BlockHeader.LSN_END, image, BlockHeader.LSN_END, image.length - BlockHeader.LSN_END);
    }

    /**
     * Like {@link #writeBlock}, for a block at a fixed place that only ever holds one structure
     * (an inode-table or bitmap block), initialised for the first time: logs only the bytes that
     * differ from what the block holds, as {@link #updateChanged} does. On a new image such a
     * block reads as zeros, so it costs a record for the header instead of two 4 KiB images
     * (for inode tables, a third of a create's log bytes). The bytes not logged are the
     * device's own, so redo onto the device's block, torn or not, rebuilds the image.
     *
     * <p>Not for a block from the free pool: one that held metadata, was freed and then held
     * file data (written around the cache) may still be cached with its old contents, and bytes
     * equal to those would go unlogged over different bytes on the device.
     */
    public void initialiseFixedBlock(long blockNr, byte[] image) {
        updateChanged(blockNr, 0, image, 0, BlockHeader.LSN_START);
        updateChanged(blockNr, BlockHeader.LSN_END, image, BlockHeader.LSN_END, image.length - BlockHeader.LSN_END);
    }

    private void updateChanged(long blockNr, int offset, byte[] after, int from, int length) {
        checkActive();
        lockExclusive(blockNr);
        try (CachedBlock block = manager.cache().pin(blockNr)) {
            int[] runs = block.differences(offset, after, from, length, MERGE_GAP);
            if (runs.length == 0) {
                return;
            }
            logAndApply(block, offset, after, from, runs);
        }
    }

    /**
     * A copy of {@code block} (pinned, read under this transaction's exclusive lock) for the
     * transaction to change and then log with {@link #updateBlock}, in an array it reuses: the
     * copy is the caller's until the transaction ends, and then serves the object's next uses,
     * so a change of a directory block allocates no block.
     */
    public byte[] copyToChange(CachedBlock block) {
        checkActive();
        if (copiesInUse == copies.size()) {
            copies.add(new byte[block.size()]);
        }
        return block.copyInto(copies.get(copiesInUse++));
    }

    /**
     * Runs {@code action} at the start of {@link #prepareCommit} (or of {@link #commit}), still
     * inside the transaction: for changes to blocks many transactions change, made last so that
     * their exclusive locks are held only from there to the commit.
     */
    public void beforeCommit(Runnable action) {
        checkActive();
        beforeCommit.add(action);
    }

    /**
     * Runs the {@link #beforeCommit} actions. Call it last in the operation, where its
     * exceptions (a deadlock, a budget overrun) abort and replay like any other; {@link #commit}
     * runs whatever is left.
     */
    public void prepareCommit() {
        checkActive();
        while (!beforeCommit.isEmpty()) {
            beforeCommit.remove(0).run();
        }
    }

    /**
     * Block {@code blockNr}, pinned but not locked: only for bytes another page lock this
     * transaction holds guards (a group descriptor's counts, guarded by its bitmap's lock), or
     * as a hint. Read them with {@link CachedBlock#copy}, which takes the block's latch.
     */
    public CachedBlock peek(long blockNr) {
        checkActive();
        return manager.cache().pin(blockNr);
    }

    /**
     * Runs {@code action} when the transaction ends, with {@code true} after a commit and
     * {@code false} after an abort; actions run in the order they were added.
     */
    public void onEnd(Consumer<Boolean> action) {
        checkActive();
        endActions.add(action);
    }

    /**
     * Changes bytes {@code offset .. offset + after.length} of block {@code blockNr} to
     * {@code after}: takes the block's exclusive page lock, logs the before and after images,
     * then applies the change.
     *
     * @throws org.quillfs.txn.DeadlockException if waiting for the lock would deadlock: abort
     *     and run the operation again
     * @throws LogBudgetExceededException if the change would exceed the transaction's reservation
     * @throws IllegalStateException if the transaction has ended
     */
    public void update(long blockNr, int offset, byte[] after) {
        update(blockNr, offset, after, 0, after.length);
    }

    /** Like {@link #update(long, int, byte[])}, with the {@code n} bytes at {@code from} of {@code after}. */
    private void update(long blockNr, int offset, byte[] after, int from, int n) {
        checkActive();
        lockExclusive(blockNr);
        try (CachedBlock block = manager.cache().pin(blockNr)) {
            wholeRun[1] = n;
            logAndApply(block, offset, after, from, wholeRun);
        }
    }

    /**
     * Logs one UPDATE of {@code block} (pinned, locked) per run of {@code runs} (pairs of
     * {@code [start, end)} relative to {@code offset}, and to {@code from} in {@code after}),
     * in one append, and applies them, inside the gate. The before images go straight into
     * the undo log's array and the records straight into the log's buffer: nothing is
     * allocated.
     */
    private void logAndApply(CachedBlock block, int offset, byte[] after, int from, int[] runs) {
        int imageBytes = 0;
        int recordBytes = 0;
        for (int i = 0; i < runs.length; i += 2) {
            int n = runs[i + 1] - runs[i];
            imageBytes += n;
            recordBytes += LogRecordCodec.updateSize(n);
        }
        chargeBudget(recordBytes, "updates");
        byte[] images = undo.room(imageBytes);
        int before = undo.imageEnd();
        int image = before;
        for (int i = 0; i < runs.length; i += 2) {
            int n = runs[i + 1] - runs[i];
            block.copyTo(offset + runs[i], n, images, image);
            image += n;
        }
        if (runLsns.length < runs.length / 2) {
            runLsns = new long[runs.length / 2];
        }
        manager.gate().enter();
        try {
            manager.log().appendUpdates(id, lastLsn, block.blockNr(), offset, runs, images, before, after, from,
                    runLsns);
            for (int i = 0; i < runs.length; i += 2) {
                int n = runs[i + 1] - runs[i];
                long prevLsn = lastLsn;
                block.apply(offset + runs[i], after, from + runs[i], n, becameLast(runLsns[i / 2]));
                undo.push(prevLsn, block.blockNr(), offset + runs[i], n);
            }
        } finally {
            manager.gate().exit();
        }
    }

    /** Appends {@code record} if the budget has room for it; it becomes the transaction's last record. */
    private long appendInBudget(LogRecord record, String what) {
        chargeBudget(LogRecordCodec.size(record), what);
        return becameLast(manager.log().append(record));
    }

    /** Counts {@code bytes} more of {@code what} against the budget, if it has room for them. */
    private void chargeBudget(int bytes, String what) {
        long total = updateBytes + bytes;
        if (total > updateBudget) {
            throw new LogBudgetExceededException("transaction " + id + " would log " + total + " bytes of " + what
                    + ", more than the " + updateBudget + " it reserved", total);
        }
        updateBytes = total;
    }

    /** The record at {@code lsn} is this transaction's newest; returns {@code lsn}. */
    private long becameLast(long lsn) {
        if (firstLsn == 0) {
            firstLsn = lsn;
        }
        lastLsn = lsn;
        return lsn;
    }

    /**
     * Logs the whole new contents of data block {@code blockNr} (data=journal): a redo-only
     * record, counted in the transaction's update budget. The block is written home by
     * {@link #commit}, once the COMMIT is durable; until then {@link #journaledData} is the only
     * place its new contents are. The transaction keeps {@code contents}: do not change it after.
     *
     * @throws LogBudgetExceededException if the record would exceed the transaction's reservation
     */
    public void logData(long blockNr, byte[] contents) {
        checkActive();
        manager.gate().enter();
        try {
            DataBlock record = new DataBlock(id, lastLsn, blockNr, contents);
            appendInBudget(record, "updates and data");
            journaledData.put(blockNr, record.contents());
        } finally {
            manager.gate().exit();
        }
    }

    /** The contents this transaction logged last for data block {@code blockNr}, or null: it is not home yet. */
    public byte[] journaledData(long blockNr) {
        byte[] contents = journaledData.get(blockNr);
        return contents == null ? null : contents.clone();
    }

    /**
     * Commits: appends COMMIT and releases the locks. Returns the COMMIT's LSN, for
     * {@link TransactionManager#force} when the caller needs it durable (fsync); 0 when the
     * transaction changed nothing and so wrote nothing. A transaction that {@linkplain #logData
     * logged data} returns only once the COMMIT is durable and the data home.
     */
    public long commit() {
        prepareCommit();
        boolean dataToWrite = !journaledData.isEmpty();
        long commitLsn = 0;
        try {
            manager.gate().enter();
            try {
                if (lastLsn != 0) {
                    commitLsn = manager.log().append(new Commit(id, lastLsn));
                    lastLsn = commitLsn;
                }
                state = State.COMMITTED;
                if (!dataToWrite) {
                    manager.ended(this);
                }
            } finally {
                manager.gate().exit();
            }
        } catch (RuntimeException e) {
            abort(); // the COMMIT could not be appended (the journal was aborted): nothing remains, the locks go
            throw e;
        }
        try {
            if (dataToWrite) {
                manager.log().force(commitLsn); // no undo for data: home only after the COMMIT is durable
                manager.writeDataHome(journaledData);
            }
        } finally {
            if (dataToWrite) {
                manager.gate().enter();
                try {
                    manager.ended(this);
                } finally {
                    manager.gate().exit();
                }
            }
            manager.release(this);
        }
        runEndActions(true);
        return commitLsn;
    }

    /**
     * Rolls back every change, newest first, each compensated by a CLR, then appends ABORT and
     * releases the locks. Nothing the transaction did remains.
     *
     * <p>If the journal has been aborted (or is aborted by a failure here), the rest of the changes
     * are reverted in memory only, so that readers see what committed; the next mount's recovery
     * rolls the transaction back on disk. The locks are released whatever fails, so that no other
     * operation waits for them for ever.
     */
    public void abort() {
        abort(false);
    }

    /**
     * Aborts a deadlock victim ({@link #abort}), returning what it had locked and the page LSNs
     * those blocks had once its changes were rolled back, for its replay's {@link #relock}.
     */
    public ReadSet abortForReplay() {
        return abort(true);
    }

    /**
     * Takes the locks of an aborted attempt of the same operation again, in block order (so that
     * replays do not deadlock with each other the same way twice), and says whether any of those
     * blocks changed since the attempt gave them up: true if the replay meets a different state,
     * a real conflict.
     *
     * <p>A block may have been freed meanwhile, even reused for file data; locking and caching
     * it is then harmless: page locks on it guard nothing, its cached copy stays clean (it is
     * never written home), and a block that becomes metadata again is written whole first.
     *
     * @throws DeadlockException if taking one of them would deadlock: abort and replay again
     */
    public boolean relock(ReadSet previous) {
        checkActive();
        boolean changed = false;
        for (int i = 0; i < previous.locks().size(); i++) {
            PageLockManager.HeldLock lock = previous.locks().get(i);
            try (CachedBlock block = lock.exclusive() ? readForUpdate(lock.blockNr()) : read(lock.blockNr())) {
                changed |= block.pageLsn() != previous.pageLsns()[i];
            }
        }
        return changed;
    }

    private ReadSet abort(boolean forReplay) {
        checkActive();
        ReadSet readSet = null;
        boolean inMemoryOnly = false;
        try {
            while (!undo.isEmpty()) {
                UndoLog.Entry u = undo.pop();
                try (CachedBlock block = manager.cache().pin(u.block())) {
                    if (inMemoryOnly || manager.log().aborted()) {
                        block.revert(u.offset(), u.before());
                        continue;
                    }
                    manager.gate().enter();
                    try {
                        long lsn = manager.log().append(
                                new Compensation(id, lastLsn, u.block(), u.offset(), u.prevLsn(), u.before()));
                        block.apply(u.offset(), u.before(), lsn);
                        lastLsn = lsn;
                    } catch (RuntimeException e) { // the journal was aborted meanwhile
                        block.revert(u.offset(), u.before());
                        manager.log().abort("rolling back transaction " + id + " failed: " + e.getMessage(), e);
                        inMemoryOnly = true;
                    } finally {
                        manager.gate().exit();
                    }
                } catch (RuntimeException e) {
                    // The block could not be read back to undo: the log still holds the change
                    // and its undo image, so recovery rolls it back; nothing more may be written.
                    manager.log().abort("rolling back transaction " + id + " failed: " + e.getMessage(), e);
                    inMemoryOnly = true;
                }
            }
        } finally {
            manager.gate().enter();
            try {
                if (lastLsn != 0 && !manager.log().aborted()) {
                    lastLsn = manager.log().append(new Abort(id, lastLsn));
                }
            } catch (RuntimeException e) {
                // The journal was aborted: recovery rolls the transaction back without its ABORT.
            } finally {
                state = State.ABORTED;
                manager.ended(this);
                manager.gate().exit();
            }
            try {
                if (forReplay) {
                    readSet = readSet();
                }
            } finally {
                manager.release(this);
            }
        }
        runEndActions(false);
        return readSet;
    }

    /** Runs the {@link #onEnd} actions, then {@link #recycle}s this object. */
    private void runEndActions(boolean committed) {
        endActions.forEach(action -> action.accept(committed));
        recycle();
    }

    /**
     * Drops what this use held (end actions, journaled data, an undo list an abort left
     * unfinished, block copies past {@link #KEPT_COPIES}) and returns the object to the pool. The state stays COMMITTED or ABORTED, so
     * a caller that kept the object fails until its next {@link #start}.
     */
    private void recycle() {
        undo.clear();
        endActions.clear();
        beforeCommit.clear();
        journaledData.clear();
        if (copies.size() > KEPT_COPIES) {
            copies.subList(KEPT_COPIES, copies.size()).clear();
        }
        copiesInUse = 0;
        manager.recycle(this);
    }

    /** The blocks this transaction holds and their page LSNs now; called while it still holds them. */
    private ReadSet readSet() {
        List<PageLockManager.HeldLock> held = manager.locks().held(id);
        long[] pageLsns = new long[held.size()];
        for (int i = 0; i < held.size(); i++) {
            try (CachedBlock block = manager.cache().pin(held.get(i).blockNr())) {
                pageLsns[i] = block.pageLsn();
            }
        }
        return new ReadSet(held, pageLsns);
    }

    private void checkActive() {
        if (state != State.ACTIVE) {
            throw new IllegalStateException("transaction " + id + " is used after it " + state.name().toLowerCase());
        }
    }
}
