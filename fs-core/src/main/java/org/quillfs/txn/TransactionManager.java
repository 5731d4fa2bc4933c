package org.quillfs.txn;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicLong;
import org.quillfs.cache.BufferCache;
import org.quillfs.cache.WriteBackFailedException;
import org.quillfs.journal.LogRecord.ActiveTransaction;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.journal.LogWriter;
import org.quillfs.volume.BlockDevice;

/**
 * Starts transactions and keeps the active-transaction table.
 *
 * <p>A read-write transaction reserves, before it starts, the log space of its worst case:
 * its updates, as much again for the compensation records an abort would write, its COMMIT or
 * ABORT, and one block of padding for the flush that makes it durable. A full log makes
 * {@link #begin} wait for a checkpoint; nothing ever fails for lack of log space.
 *
 * <p>A transaction that journaled file data writes it home through this manager once its COMMIT
 * is durable ({@link Transaction#commit}).
 *
 * <p>A read-only transaction takes the short path: it is not entered in the table and appends
 * nothing. Transaction objects of both kinds come from pools claimed with compare-and-swap, so
 * that an operation makes no transaction object and its lists and arrays are reused.
 */
public final class TransactionManager {

    /** Journaled data blocks written home by one device call at most. */
    private static final int MAX_IO_BLOCKS = 256;

    private final BlockDevice device;
    private final LogWriter log;
    private final BufferCache cache;
    private final PageLockManager locks;
    private final CheckpointGate gate;
    private final AtomicLong ids;
    private final ActiveTransactions active = new ActiveTransactions();
    private final ObjectPool<ReadOnlyTransaction> readOnlyPool;
    private final ObjectPool<Transaction> readWritePool;

    /**
     * @param firstId the first transaction id; ids never repeat within a log, so recovery's
     *     caller passes one above every id in it
     */
    public TransactionManager(BlockDevice device, LogWriter log, BufferCache cache, PageLockManager locks,
            CheckpointGate gate, long firstId) {
        this.device = device;
        this.log = log;
        this.cache = cache;
        this.locks = locks;
        this.gate = gate;
        this.ids = new AtomicLong(firstId);
        this.readOnlyPool = new ObjectPool<>(64, () -> new ReadOnlyTransaction(this));
        this.readWritePool = new ObjectPool<>(64, () -> new Transaction(this));
    }

    /**
     * Starts a read-write transaction whose UPDATE records will total at most
     * {@code updateBytes} (sum {@link LogRecordCodec#updateSize} over its changes).
     */
    public Transaction begin(long updateBytes) {
        long reserved = reservationFor(updateBytes);
        log.reserve(reserved);
        Transaction txn = readWritePool.claim();
        txn.start(ids.getAndIncrement(), updateBytes, reserved);
        gate.enter();
        try {
            active.add(txn);
        } finally {
            gate.exit();
        }
        return txn;
    }

    /** Whether {@link #begin} can take a transaction of {@code updateBytes}: one may reserve up to half the log. */
    public boolean canBegin(long updateBytes) {
        return reservationFor(updateBytes) <= log.region().capacity() / 2;
    }

    /** Log space a transaction of {@code updateBytes} reserves: its updates, as many for their undo, COMMIT or ABORT, padding. */
    private long reservationFor(long updateBytes) {
        return 2 * updateBytes + 2L * LogRecordCodec.HEADER_SIZE + log.region().payload();
    }

    /** Starts a read-only transaction; close it when done. */
    public ReadOnlyTransaction beginReadOnly() {
        ReadOnlyTransaction txn = readOnlyPool.claim();
        txn.start(ids.getAndIncrement());
        return txn;
    }

    /** Makes the log durable up to {@code lsn} (a COMMIT's, for fsync); 0 returns at once. */
    public void force(long lsn) {
        if (lsn != 0) {
            log.force(lsn);
        }
    }

    /**
     * The active-transaction table: every transaction that has logged something and not ended.
     * Call under the gate's write side for a consistent snapshot.
     */
    public List<ActiveTransaction> activeTable() {
        List<ActiveTransaction> table = new ArrayList<>();
        for (Transaction txn : active) {
            if (txn.firstLsn() != 0) {
                table.add(new ActiveTransaction(txn.id(), txn.lastLsn(), txn.firstLsn()));
            }
        }
        return table;
    }

    /** The first LSN of the oldest active transaction, {@code Long.MAX_VALUE} when none has logged. */
    public long minFirstLsn() {
        long min = Long.MAX_VALUE;
        for (Transaction txn : active) {
            long first = txn.firstLsn();
            if (first != 0) {
                min = Math.min(min, first);
            }
        }
        return min;
    }

    /** Read-only transaction objects ever made: the pool keeps this small. */
    public long readOnlyObjectsCreated() {
        return readOnlyPool.created();
    }

    /** Read-write transaction objects ever made: the pool keeps this small, too. */
    public long readWriteObjectsCreated() {
        return readWritePool.created();
    }

    public int activeCount() {
        return active.size();
    }

    /**
     * Writes a committed transaction's journaled data blocks home, a run of consecutive blocks per
     * device call, without a flush: the log holds them until a checkpoint has flushed the device
     * ({@link LogWriter#flushDevice}) and moved the tail past them.
     */
    void writeDataHome(SortedMap<Long, byte[]> blocks) {
        try {
            long runStart = -1;
            List<ByteBuffer> run = new ArrayList<>();
            for (Map.Entry<Long, byte[]> block : blocks.entrySet()) {
                if (!run.isEmpty() && (block.getKey() != runStart + run.size() || run.size() == MAX_IO_BLOCKS)) {
                    device.write(runStart, run.toArray(ByteBuffer[]::new));
                    run.clear();
                }
                if (run.isEmpty()) {
                    runStart = block.getKey();
                }
                run.add(ByteBuffer.wrap(block.getValue()));
            }
            if (!run.isEmpty()) {
                device.write(runStart, run.toArray(ByteBuffer[]::new));
            }
        } catch (RuntimeException e) {
            // The log holds the data, but once the transaction ends a checkpoint could move the
            // tail past it: nothing more may be written.
            log.abort("writing journaled data home failed: " + e.getMessage(), e);
            throw new WriteBackFailedException("writing journaled data home failed: " + e.getMessage(), e);
        }
    }

    void ended(Transaction txn) {
        active.remove(txn);
    }

    void release(Transaction txn) {
        locks.releaseAll(txn.id());
        log.release(txn.reservedBytes());
    }

    /** A read-write transaction has ended and run its end actions: its object may serve the next. */
    void recycle(Transaction txn) {
        readWritePool.release(txn);
    }

    void finished(ReadOnlyTransaction txn) {
        locks.releaseAll(txn.id());
        readOnlyPool.release(txn);
    }

    LogWriter log() {
        return log;
    }

    BufferCache cache() {
        return cache;
    }

    PageLockManager locks() {
        return locks;
    }

    /** Lock waits, deadlocks and replays so far. */
    public ConcurrencyCounters counters() {
        return locks.counters();
    }

    CheckpointGate gate() {
        return gate;
    }
}
