package org.quillfs.journal;

import java.util.concurrent.atomic.AtomicLong;
import org.quillfs.volume.BlockDevice;

/**
 * Keeps log writes from overtaking file data written around the log (ordered mode), and makes
 * that data durable when the log is forced. A writer of data {@link #announce}s each write after
 * it returns, saying whether it must be <em>ordered</em> (it fills blocks the file did not hold
 * written before, or grows the file: a COMMIT that maps them, or moves the size over them, must
 * not be durable without them) or is an overwrite (of blocks the file held, written, below its
 * size: the data need only be durable once an fsync returns).
 * The log writer calls {@link #flushBeforeLogWrite} before it writes a batch of log blocks, and
 * flushes through {@link #flush} so that its flush counts for the data too; a sync that wrote
 * no log calls {@link #flushIfWritten}. A disk may persist the writes between two flushes in any
 * order, so only a flush between the data and the COMMIT that maps it keeps the COMMIT from
 * being durable first.
 *
 * <p>Overwrites are not ordered because a crash can then only leave the file's own blocks with
 * old or new bytes — what ext4's data=ordered promises too — and ordering them cost a random
 * 4 KiB write + fsync a second device flush (docs/JOURNAL.md, "File data").
 *
 * <h2>Implementation notes</h2>
 * Announcements are counted, ordered ones and all of them apart; a flush covers the counts it
 * read <em>before</em> it began (the "clear the flag, then flush" of the simple version): a
 * write announced while the flush is running may not be covered, so it is left for the next
 * flush. The monitor is held across the flush so that a second caller, finding the count it
 * needs covered by a flush still in progress, waits for that flush to complete instead of going
 * on as if it had: otherwise a log write could be issued before the data's flush completed. Data
 * writers take no lock: they only bump the counters.
 */
final class DataBarrier {

    private final AtomicLong ordered = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    /** Announcements covered by a completed flush; guarded by this object's monitor. */
    private long orderedCovered;
    private long writtenCovered;

    /**
     * A data write returned: if {@code mustPrecedeLog}, the next log write must not reach the
     * device before it; in any case the next {@link #flush} must cover it.
     */
    void announce(boolean mustPrecedeLog) {
        if (mustPrecedeLog) {
            ordered.incrementAndGet();
        }
        written.incrementAndGet();
    }

    /** Flushes {@code device} if an ordered data write was announced that no completed flush covers. */
    synchronized void flushBeforeLogWrite(BlockDevice device) {
        if (ordered.get() != orderedCovered) {
            flush(device);
        }
    }

    /** Flushes {@code device} if any data write was announced that no completed flush covers. */
    synchronized void flushIfWritten(BlockDevice device) {
        if (written.get() != writtenCovered) {
            flush(device);
        }
    }

    /** Flushes {@code device}, whatever was announced: every write issued before is durable after. */
    synchronized void flush(BlockDevice device) {
        long orderedSeen = ordered.get();
        long writtenSeen = written.get();
        device.flush();
        orderedCovered = orderedSeen;
        writtenCovered = writtenSeen;
    }
}
