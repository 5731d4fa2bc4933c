package org.quillfs.cache;

/**
 * What the layers above need of the log to order their own writes against it. The buffer cache
 * obeys the write-ahead rule: a block may go home only once the log is durable up to the
 * block's page LSN ({@link #force}). File data in ordered mode obeys the opposite order: it is
 * written around the log, and must reach the device before the COMMIT that maps it
 * ({@link #dataWritten}). The journal implements it; the cache and the files, layers above,
 * know nothing else of the journal.
 */
public interface WriteAheadLog {

    /** Returns once the record that starts at {@code lsn}, and every record before it, is durable. */
    void force(long lsn);

    /** Every LSN below this has been appended: a change applied with a larger LSN was never logged. */
    long appendedLsn();

    /**
     * Announces that data blocks were just written to the device around the log (call it after
     * the writes return): no log block written from now on reaches the device before them, so
     * a COMMIT appended after this call is never durable without them. Costs no I/O here; the
     * log flushes the device before its next write instead.
     */
    void dataWritten();

    /**
     * Announces that data was just written over blocks the file already held, written, below its
     * size (call it after the writes return). The mapping that reaches them is durable already, so no COMMIT
     * needs to wait for these writes: they only have to be durable when a later {@link #force}
     * (an fsync) returns. Ordering them as {@link #dataWritten} does is never wrong, only slower,
     * which is what the default does.
     */
    default void dataOverwritten() {
        dataWritten();
    }
}
