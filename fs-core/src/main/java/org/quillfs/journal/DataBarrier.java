package org.quillfs.journal;

import java.util.concurrent.atomic.AtomicLong;
import org.quillfs.volume.BlockDevice;

/**
 * Keeps log writes from overtaking file data written around the log (ordered mode): a writer
 * of data {@link #announce}s each write after it returns, and the log writer calls
 * {@link #flushIfAnnounced} before it writes a batch of log blocks. A disk may persist the
 * writes between two flushes in any order, so only a flush between the data and the COMMIT that
 * maps it keeps the COMMIT from being durable first.
 *
 * <h2>Implementation notes</h2>
 * Announcements are counted; a flush covers the count it read <em>before</em> it began (the
 * "clear the flag, then flush" of the simple version): a write announced while the flush is
 * running may not be covered, so it is left for the next flush. The monitor is held across the
 * flush so that a second caller, finding the count it needs covered by a flush still in
 * progress, waits for that flush to complete instead of going on as if it had: otherwise a log
 * write could be issued before the data's flush completed. Data writers take no lock: they only
 * bump the counter.
 */
final class DataBarrier {

    private final AtomicLong announced = new AtomicLong();
    /** Announcements covered by a completed flush; guarded by this object's monitor. */
    private long covered;

    /** A data write returned: the next log write must not reach the device before it. */
    void announce() {
        announced.incrementAndGet();
    }

    /** Flushes {@code device} if a data write was announced that no completed flush covers. */
    synchronized void flushIfAnnounced(BlockDevice device) {
        long seen = announced.get();
        if (seen != covered) {
            device.flush();
            covered = seen;
        }
    }

    /** Flushes {@code device}, whatever was announced: every write issued before is durable after. */
    synchronized void flush(BlockDevice device) {
        long seen = announced.get();
        device.flush();
        covered = seen;
    }
}
