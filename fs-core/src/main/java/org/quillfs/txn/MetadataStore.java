package org.quillfs.txn;

import java.time.Duration;
import java.util.function.Consumer;
import org.quillfs.cache.BufferCache;
import org.quillfs.format.Superblock;
import org.quillfs.journal.IntervalFlusher;
import org.quillfs.journal.LogWriter;
import org.quillfs.journal.MasterStore;
import org.quillfs.journal.Recovery;
import org.quillfs.journal.RecoveryReport;
import org.quillfs.volume.BlockDevice;
import org.slf4j.LoggerFactory;

/**
 * The metadata of a mounted filesystem as transactions over cached blocks, journaled: what the
 * layers above (allocators, inodes, directories) build on.
 *
 * <p>{@link #open} runs recovery, raises the epoch in the master record (before anything is
 * appended to the log, docs/JOURNAL.md "Epoch"), then starts the log writer, the cache, the
 * transaction manager, the checkpointer and the interval flusher. {@link #close} stops them,
 * writes every dirty block home and leaves an empty log, so the next open has nothing to recover.
 *
 * <p>Failure: when metadata can no longer be made durable (the log or a block could not be
 * written), {@link #stop} aborts the journal and stops the cache writing; nothing more reaches
 * the device, as if the machine had stopped, while reads of cached and on-disk blocks go on. A
 * background thread that meets such a failure stops the store itself and tells the listener
 * set with {@link #onBackgroundFailure}.
 */
public final class MetadataStore implements AutoCloseable {

    /** Tunables: cache size, commit interval (log flush), checkpoint interval. */
    public record Options(long cacheBytes, Duration commitInterval, Duration checkpointInterval) {
        public static Options defaults() {
            return new Options(BufferCache.DEFAULT_CAPACITY, IntervalFlusher.DEFAULT_INTERVAL, Duration.ofSeconds(30));
        }
    }

    private final LogWriter log;
    private final BufferCache cache;
    private final TransactionManager transactions;
    private final Checkpointer checkpointer;
    private final IntervalFlusher flusher;
    private final MasterStore master;
    private final RecoveryReport recovery;
    private boolean closed;
    private volatile Consumer<RuntimeException> backgroundFailure = e -> LoggerFactory.getLogger(MetadataStore.class).error("{}", e.getMessage());

    private MetadataStore(BlockDevice device, Superblock superblock, Options options) {
        Recovery.Result recovered = Recovery.run(device, superblock);
        this.recovery = recovered.report();
        this.master = recovered.master();
        long epoch = master.current().epoch() + 1;
        master.write(master.current().checkpointLsn(), recovered.nextLsn(), epoch);
        CheckpointGate gate = new CheckpointGate();
        Checkpointer[] late = new Checkpointer[1]; // the writer asks the checkpointer, made after it
        this.log = new LogWriter(device, recovered.region(), recovered.nextLsn(), recovered.nextLsn(), epoch,
                () -> late[0].requestSoon());
        this.cache = new BufferCache(device, superblock.uuid(), log, options.cacheBytes());
        this.transactions = new TransactionManager(device, log, cache, new PageLockManager(new ConcurrencyCounters()), gate,
                recovered.nextTxnId());
        this.checkpointer = new Checkpointer(log, cache, transactions, gate, master, options.checkpointInterval(),
                this::backgroundFailed);
        late[0] = checkpointer;
        checkpointer.start();
        this.flusher = new IntervalFlusher(log, options.commitInterval(), this::backgroundFailed);
        log.writeBehindOn(flusher::execute);
    }

    /** Recovers the journal on {@code device} and opens its metadata for transactions. */
    public static MetadataStore open(BlockDevice device, Superblock superblock, Options options) {
        return new MetadataStore(device, superblock, options);
    }

    public RecoveryReport recovery() {
        return recovery;
    }

    public TransactionManager transactions() {
        return transactions;
    }

    public BufferCache cache() {
        return cache;
    }

    public Checkpointer checkpointer() {
        return checkpointer;
    }

    public LogWriter log() {
        return log;
    }

    /** Who hears of a failure in a background thread (a checkpoint, the commit-interval force), after the store stopped. */
    public void onBackgroundFailure(Consumer<RuntimeException> listener) {
        backgroundFailure = listener;
    }

    private void backgroundFailed(RuntimeException e) {
        stop("metadata could not be written: " + e.getMessage(), e);
        backgroundFailure.accept(e);
    }

    /**
     * Writes nothing more: aborts the journal (if it is not already) and stops the cache writing
     * blocks home. Whatever was not durable stays in memory only; the next {@link #open}
     * recovers what was. Safe from any thread, a background one included.
     */
    public void stop(String why, Throwable cause) {
        log.abort(why, cause);
        cache.stopWriting();
    }

    /** Whether {@link #stop} ran, or the journal aborted itself: nothing more can be made durable. */
    public boolean stopped() {
        return log.aborted();
    }

    /**
     * Stops the background threads and writes nothing more, as if the machine had stopped: for a
     * device that has failed. Whatever was not durable is lost; the next {@link #open} recovers.
     */
    public void halt() {
        closed = true;
        flusher.close();
        checkpointer.close();
    }

    /**
     * Clean shutdown: waits for nothing in flight (the caller has stopped issuing operations),
     * writes everything home and leaves an empty log.
     *
     * @throws IllegalStateException if transactions are still active
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (transactions.activeCount() != 0) {
            throw new IllegalStateException(transactions.activeCount() + " transactions still active at close");
        }
        closed = true;
        flusher.close();
        checkpointer.close();
        log.forceAll();
        cache.writeBackAll();
        log.clearBlockAtHead();
        log.flushDevice(); // journaled data that went home, and the cleared block, durable before the log is declared empty
        master.write(0, log.appendedLsn(), log.epoch());
    }
}
