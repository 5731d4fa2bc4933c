package org.quillfs.journal;

import java.time.Duration;

/**
 * What recovery did, for the one line the mount logs and for tests.
 *
 * @param rolledForward transactions whose COMMIT was found and whose changes were redone
 * @param rolledBack    transactions without COMMIT whose changes were undone
 * @param recordsRead   log records read (both passes)
 * @param blocksWritten metadata blocks written home
 * @param took          wall time
 */
public record RecoveryReport(int rolledForward, int rolledBack, long recordsRead, int blocksWritten, Duration took) {

    public boolean didNothing() {
        return recordsRead == 0;
    }

    @Override
    public String toString() {
        return String.format("journal recovery: %d transactions rolled forward, %d rolled back, %d records read, "
                + "%d blocks written, %d ms", rolledForward, rolledBack, recordsRead, blocksWritten, took.toMillis());
    }
}
