package org.quillfs.cache;

/**
 * What the buffer cache needs of the log to obey the write-ahead rule: a block may go home only
 * once the log is durable up to the block's page LSN. The journal implements it; the cache,
 * a layer above, knows nothing else of the journal.
 */
public interface WriteAheadLog {

    /** Returns once the record that starts at {@code lsn}, and every record before it, is durable. */
    void force(long lsn);

    /** Every LSN below this has been appended: a change applied with a larger LSN was never logged. */
    long appendedLsn();
}
