package org.quillfs.txn;

import java.time.Duration;
import org.quillfs.cache.BufferCache;
import org.quillfs.format.Superblock;
import org.quillfs.journal.IntervalFlusher;
import org.quillfs.journal.LogWriter;
import org.quillfs.journal.MasterStore;
import org.quillfs.journal.Recovery;
import org.quillfs.journal.RecoveryReport;
import org.quillfs.volume.BlockDevice;

/**
 * The metadata of a mounted filesystem as transactions over cached blocks, journaled: what the
 * layers above (allocators, inodes, directories) build on.
 *
 * <p>{@link #open} runs recovery, raises the epoch in the master record (before anything is
 * appended to the log, docs/JOURNAL.md "Epoch"), then starts the log writer, the cache, the
 * transaction manager, the checkpointer and the interval flusher. {@link #close} stops them,
 * writes every dirty block home and leaves an empty log, so the next open has nothing to recover.
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
        this.checkpointer = new Checkpointer(log, cache, transactions, gate, master, options.checkpointInterval());
        late[0] = checkpointer;
        checkpointer.start();
        this.flusher = new IntervalFlusher(log, options.commitInterval());
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
