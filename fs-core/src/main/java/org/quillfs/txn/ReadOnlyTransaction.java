package org.quillfs.txn;

import org.quillfs.cache.CachedBlock;

/**
 * A read-only transaction: shared page locks, no log record, no entry in the
 * active-transaction table. Objects are reused from the manager's pool: after {@link #close}
 * this object may serve another transaction, so a caller must not keep it.
 */
public final class ReadOnlyTransaction implements BlockReader, AutoCloseable {

    private final TransactionManager manager;
    private long id;
    private boolean open;

    ReadOnlyTransaction(TransactionManager manager) {
        this.manager = manager;
    }

    void start(long newId) {
        if (open) {
            throw new IllegalStateException("read-only transaction object " + id + " handed out while in use");
        }
        id = newId;
        open = true;
    }

    public long id() {
        return id;
    }

    @Override
    public CachedBlock read(long blockNr) {
        if (!open) {
            throw new IllegalStateException("read-only transaction used after it ended");
        }
        manager.locks().lockShared(id, blockNr);
        return manager.cache().pin(blockNr);
    }

    /** Ends the transaction: releases its locks and returns this object to the pool. */
    @Override
    public void close() {
        if (!open) {
            throw new IllegalStateException("read-only transaction " + id + " ended twice");
        }
        open = false;
        manager.finished(this);
    }
}
