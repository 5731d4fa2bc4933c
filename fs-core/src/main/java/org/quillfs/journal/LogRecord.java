package org.quillfs.journal;

import java.util.Arrays;
import java.util.List;

/**
 * A record of the write-ahead log (docs/JOURNAL.md, "Records"). Every record names its
 * transaction ({@code 0} for checkpoint records) and that transaction's previous record
 * ({@code prevLsn}, 0 for its first), so a transaction's records form a chain backwards.
 */
public sealed interface LogRecord {

    /** The transaction; 0 for checkpoint records, which belong to none. */
    default long txn() {
        return 0;
    }

    /** This transaction's previous record; 0 for its first, and for checkpoint records. */
    default long prevLsn() {
        return 0;
    }

    /** A change of bytes {@code offset .. offset + before.length} of a metadata block. */
    record Update(long txn, long prevLsn, long block, int offset, byte[] before, byte[] after) implements LogRecord {
        public Update {
            if (before.length != after.length || before.length == 0) {
                throw new IllegalArgumentException("before and after images must have the same, non-zero length");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Update u && txn == u.txn && prevLsn == u.prevLsn && block == u.block
                    && offset == u.offset && Arrays.equals(before, u.before) && Arrays.equals(after, u.after);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(txn) * 31 + Long.hashCode(block) * 17 + offset + Arrays.hashCode(after);
        }

        @Override
        public String toString() {
            return "Update[txn=" + txn + ", prev=" + prevLsn + ", block=" + block + ", offset=" + offset + ", n="
                    + after.length + "]";
        }
    }

    /** The transaction committed. */
    record Commit(long txn, long prevLsn) implements LogRecord {
    }

    /** The transaction's rollback is complete. */
    record Abort(long txn, long prevLsn) implements LogRecord {
    }

    /**
     * A compensation record: redo-only, it writes back the before image of the update it
     * undoes; undo continues at {@code undoNextLsn} (the undone update's prevLsn).
     */
    record Compensation(long txn, long prevLsn, long block, int offset, long undoNextLsn, byte[] after)
            implements LogRecord {
        @Override
        public boolean equals(Object o) {
            return o instanceof Compensation c && txn == c.txn && prevLsn == c.prevLsn && block == c.block
                    && offset == c.offset && undoNextLsn == c.undoNextLsn && Arrays.equals(after, c.after);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(txn) * 31 + Long.hashCode(block) * 17 + offset + Arrays.hashCode(after);
        }

        @Override
        public String toString() {
            return "Compensation[txn=" + txn + ", prev=" + prevLsn + ", block=" + block + ", offset=" + offset
                    + ", n=" + after.length + ", undoNext=" + undoNextLsn + "]";
        }
    }

    /**
     * The whole new contents of a file data block, for data=journal: redo-only. Its transaction
     * writes the block home only once its COMMIT is durable, so an uncommitted one never reached
     * the block and there is nothing to undo; recovery replays it only if its transaction
     * committed. Data blocks have no header and no page LSN: replaying whole images in log order
     * is idempotent, and the last one wins.
     */
    record DataBlock(long txn, long prevLsn, long block, byte[] contents) implements LogRecord {
        public DataBlock {
            if (contents.length == 0) {
                throw new IllegalArgumentException("a data block record needs the block's contents");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DataBlock d && txn == d.txn && prevLsn == d.prevLsn && block == d.block
                    && Arrays.equals(contents, d.contents);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(txn) * 31 + Long.hashCode(block) * 17 + Arrays.hashCode(contents);
        }

        @Override
        public String toString() {
            return "DataBlock[txn=" + txn + ", prev=" + prevLsn + ", block=" + block + ", n=" + contents.length + "]";
        }
    }

    /** A fuzzy checkpoint starts; its tables follow in the matching {@link CheckpointEnd}. */
    record CheckpointBegin() implements LogRecord {
    }

    /** The tables of the checkpoint that began at {@code beginLsn}. */
    record CheckpointEnd(long beginLsn, List<ActiveTransaction> active, List<DirtyBlock> dirty) implements LogRecord {
        public CheckpointEnd {
            active = List.copyOf(active);
            dirty = List.copyOf(dirty);
        }
    }

    /** An entry of the active-transaction table. */
    record ActiveTransaction(long txn, long lastLsn, long firstLsn) {
    }

    /** An entry of the dirty-block table: the LSN of the first change not yet home. */
    record DirtyBlock(long block, long recLsn) {
    }
}
