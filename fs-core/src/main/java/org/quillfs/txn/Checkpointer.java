package org.quillfs.txn;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.quillfs.cache.BufferCache;
import org.quillfs.cache.BufferCache.DirtyEntry;
import org.quillfs.journal.LogRecord.ActiveTransaction;
import org.quillfs.journal.LogRecord.CheckpointBegin;
import org.quillfs.journal.LogRecord.CheckpointEnd;
import org.quillfs.journal.LogRecord.DirtyBlock;
import org.quillfs.journal.LogWriter;
import org.quillfs.journal.MasterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fuzzy checkpoints: they keep the log short without stopping the filesystem
 * (docs/JOURNAL.md, "Fuzzy checkpoints").
 *
 * <h2>Overview</h2>
 * Only the snapshot of the two tables holds transactions back: under the gate's write side a
 * checkpoint appends CHECKPOINT_BEGIN, copies the active-transaction and dirty-block tables and
 * appends CHECKPOINT_END with them. Then, while transactions go on, it forces the log, writes
 * the snapshot's dirty blocks home, computes the new tail (the smallest of its BEGIN, the
 * recLSN of every block dirty now and the first LSN of every transaction active now), flushes
 * the device (journaled file data goes home without a flush of its own), writes the master
 * record and frees the log space before the tail.
 *
 * <h2>Triggers</h2>
 * A background thread runs one when half the log is in use, when half the cache is dirty (so
 * that pins find clean blocks to evict instead of writing dirty ones home themselves), when a
 * transaction waits for log space ({@link #requestSoon}), and every interval. {@link #checkpoint} runs one now; checkpoints
 * never overlap.
 *
 * <h2>Failure</h2>
 * A background checkpoint that fails (a block or the master record could not be written, the
 * log could not be forced) leaves metadata that can no longer be made durable: it aborts the
 * journal, tells {@code onFailure}, and the thread ends. Once the journal is aborted it runs
 * no more checkpoints.
 */
public final class Checkpointer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);

    /** What one checkpoint did. */
    public record Stats(long beginLsn, int dirtyBlocks, int activeTransactions, long pauseNanos, long newTail) {
    }

    private final LogWriter logWriter;
    private final BufferCache cache;
    private final TransactionManager transactions;
    private final CheckpointGate gate;
    private final MasterStore master;
    private final Duration interval;
    private final Consumer<RuntimeException> onFailure;

    private final ReentrantLock triggerLock = new ReentrantLock();
    private final Condition triggered = triggerLock.newCondition();
    private boolean requested;
    private boolean closed;
    private Thread thread;
    private long completed;
    private volatile long lastFinished = System.nanoTime();
    private final List<LongConsumer> tailListeners = new CopyOnWriteArrayList<>();

    public Checkpointer(LogWriter logWriter, BufferCache cache, TransactionManager transactions, CheckpointGate gate,
            MasterStore master, Duration interval, Consumer<RuntimeException> onFailure) {
        this.logWriter = logWriter;
        this.cache = cache;
        this.transactions = transactions;
        this.gate = gate;
        this.master = master;
        this.interval = interval;
        this.onFailure = onFailure;
    }

    /** Runs one checkpoint now (waiting for one in progress to finish first). */
    public synchronized Stats checkpoint() {
        // No checkpoint can move the tail past the first record of a running transaction: when
        // that record is the tail already, one would only spend log space (its records come out
        // of the checkpoint reserve, a block per force), and checkpoints run back to back while
        // one transaction ran long overran the tail.
        long tail = master.current().tailLsn();
        if (transactions.minFirstLsn() <= tail) {
            return new Stats(0, 0, transactions.activeTable().size(), 0, tail);
        }
        // The END record must fit the log's checkpoint reserve: with too many dirty blocks, send
        // some home first (transactions go on meanwhile).
        if (cache.dirtyTable().size() * 16L > logWriter.checkpointReserve() / 2) {
            cache.writeBackAll();
        }
        long pauseStart = System.nanoTime();
        long beginLsn;
        List<ActiveTransaction> active;
        List<DirtyEntry> dirty;
        long endLsn;
        gate.pause();
        try {
            beginLsn = logWriter.append(new CheckpointBegin());
            active = transactions.activeTable();
            dirty = cache.dirtyTable();
        } finally {
            gate.resume();
        }
        long pause = System.nanoTime() - pauseStart;
        // Encoding thousands of entries took milliseconds inside the pause. Outside it, changes
        // may come between BEGIN and END; recovery adds every change since BEGIN to the END's table.
        endLsn = logWriter.append(new CheckpointEnd(beginLsn, active,
                dirty.stream().map(d -> new DirtyBlock(d.blockNr(), d.recLsn())).toList()));
        logWriter.force(endLsn);
        cache.writeBackBlocks(dirty.stream().map(DirtyEntry::blockNr).toList());
        long newTail = Math.min(beginLsn, Math.min(cache.minRecLsn(), transactions.minFirstLsn()));
        // A transaction that ended since the snapshot is not active now, but its records before
        // the new tail may be home (steal) while its COMMIT, or the CLRs and ABORT that undo it,
        // are not durable yet: they must be before the master says the records are not needed.
        logWriter.force(logWriter.appendedLsn());
        // Journaled data that went home without a flush (its transaction has ended, so the new
        // tail may pass its records) must be durable before the master says the log is not needed.
        logWriter.flushDevice();
        master.write(beginLsn, newTail, logWriter.epoch());
        logWriter.moveTail(newTail);
        tailListeners.forEach(listener -> listener.accept(newTail));
        completed++;
        lastFinished = System.nanoTime();
        log.debug("checkpoint at {}: {} dirty blocks, {} active transactions, paused {} us, tail now {}",
                beginLsn, dirty.size(), active.size(), pause / 1000, newTail);
        return new Stats(beginLsn, dirty.size(), active.size(), pause, newTail);
    }

    /**
     * Calls {@code listener} with the new tail after every checkpoint: records before it will
     * never be replayed again.
     */
    public void onTailMoved(LongConsumer listener) {
        tailListeners.add(listener);
    }

    /** Checkpoints completed so far. */
    public synchronized long completed() {
        return completed;
    }

    /** Asks the background thread for a checkpoint as soon as it can. */
    public void requestSoon() {
        triggerLock.lock();
        try {
            requested = true;
            triggered.signalAll();
        } finally {
            triggerLock.unlock();
        }
    }

    /** Starts the background thread. */
    public void start() {
        thread = new Thread(this::run, "quillfs-checkpointer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (true) {
            triggerLock.lock();
            try {
                long deadline = System.nanoTime() + interval.toNanos();
                // Wake every 100 ms to look at the log and the cache; otherwise sleep until the deadline.
                while (!closed && !requested && System.nanoTime() < deadline && !due()) {
                    triggered.awaitNanos(Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100)));
                }
                if (closed || logWriter.aborted()) {
                    return;
                }
                requested = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                triggerLock.unlock();
            }
            try {
                checkpoint();
            } catch (RuntimeException e) {
                logWriter.abort("a checkpoint failed: " + e.getMessage(), e);
                onFailure.accept(e);
                return;
            }
        }
    }

    /**
     * Half the log in use or half the cache dirty; at most every 50 ms, so a transaction that
     * holds the tail back, or blocks it keeps changing, do not make the thread spin.
     */
    private boolean due() {
        return System.nanoTime() - lastFinished > TimeUnit.MILLISECONDS.toNanos(50)
                && (logWriter.usedBytes() >= logWriter.region().capacity() / 2 || cache.mostlyDirty());
    }

    /** Stops the background thread (a checkpoint in progress finishes first). */
    @Override
    public void close() {
        triggerLock.lock();
        try {
            closed = true;
            triggered.signalAll();
        } finally {
            triggerLock.unlock();
        }
        if (thread != null) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
