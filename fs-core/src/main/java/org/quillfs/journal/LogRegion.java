package org.quillfs.journal;

import java.util.UUID;
import org.quillfs.format.JournalHeader;
import org.quillfs.format.LogBlock;
import org.quillfs.format.Superblock;

/**
 * Where the circular log is and how LSNs map onto it (docs/JOURNAL.md, "Log blocks"):
 * block sequence {@code s} lives at {@code start + s mod blocks}; LSN {@code s × P + offset}
 * is byte {@code offset} of its payload, {@code P = block size − 48}.
 */
public record LogRegion(UUID uuid, int blockSize, long start, long blocks, long logId) {

    public static LogRegion of(Superblock superblock, JournalHeader header) {
        return new LogRegion(superblock.uuid(), superblock.geometry().blockSize(), header.logStart(),
                header.logBlocks(), header.logId());
    }

    /** Payload bytes per log block. */
    public int payload() {
        return LogBlock.payloadSize(blockSize);
    }

    /** Payload bytes of the whole region. */
    public long capacity() {
        return blocks * payload();
    }

    public long sequenceOf(long lsn) {
        return lsn / payload();
    }

    public int offsetOf(long lsn) {
        return (int) (lsn % payload());
    }

    public long lsnOf(long sequence) {
        return sequence * payload();
    }

    /** The LSN where the block after the one holding {@code lsn} begins, or {@code lsn} itself on a boundary. */
    public long alignUp(long lsn) {
        return (lsn + payload() - 1) / payload() * payload();
    }

    public long physicalBlock(long sequence) {
        return start + Math.floorMod(sequence, blocks);
    }
}
