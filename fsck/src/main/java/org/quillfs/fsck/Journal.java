package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.JournalHeader;
import org.quillfs.format.JournalMaster;
import org.quillfs.format.LogBlock;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRegion;
import org.quillfs.journal.LogScanner;
import org.quillfs.journal.MasterStore;
import org.quillfs.volume.BlockDevice;

/**
 * The journal region before the check: whether its header and master records are sound,
 * whether its log holds records that recovery would replay, and — when it is beyond replaying —
 * making it anew and empty.
 *
 * <p>A new journal keeps LSNs growing: its tail starts past the highest log block sequence still
 * in the region, because the page LSNs of metadata blocks come from the old log and recovery
 * skips every record whose LSN is not above a sound block's page LSN (docs/JOURNAL.md, "Recovery").
 */
final class Journal {

    private Journal() {
    }

    /** What is wrong with the header or both master copies, or empty. */
    static Optional<String> problem(BlockDevice device, Superblock sb) {
        long start = sb.geometry().journalStart();
        ByteBuffer header = read(device, start);
        Optional<String> bad = BlockHeader.problem(header, sb.uuid(), BlockType.JOURNAL_HEADER, start);
        if (bad.isPresent()) {
            return Optional.of("its header (block " + start + "): " + bad.get());
        }
        JournalHeader h = JournalHeader.decode(header);
        if (h.journalVersion() != 1 || h.logStart() != start + 3 || h.logBlocks() != sb.geometry().journalBlocks() - 3) {
            return Optional.of("its header (block " + start + ") describes a log of " + h.logBlocks()
                    + " blocks at " + h.logStart() + ", not " + (sb.geometry().journalBlocks() - 3) + " at " + (start + 3));
        }
        boolean anyMaster = false;
        for (long b = start + 1; b <= start + 2; b++) {
            anyMaster |= BlockHeader.problem(read(device, b), sb.uuid(), BlockType.JOURNAL_MASTER, b).isEmpty();
        }
        return anyMaster ? Optional.empty()
                : Optional.of("both master records (blocks " + (start + 1) + " and " + (start + 2) + ") are damaged");
    }

    /** The master copy that does not verify while the other does, or -1 (call only when {@link #problem} is empty). */
    static long damagedMaster(BlockDevice device, Superblock sb) {
        long start = sb.geometry().journalStart();
        for (long b = start + 1; b <= start + 2; b++) {
            if (BlockHeader.problem(read(device, b), sb.uuid(), BlockType.JOURNAL_MASTER, b).isPresent()) {
                return b;
            }
        }
        return -1;
    }

    /** Whether the log holds a record recovery would read (call only when {@link #problem} is empty). */
    static boolean hasRecords(BlockDevice device, Superblock sb) {
        long start = sb.geometry().journalStart();
        LogRegion region = LogRegion.of(sb, JournalHeader.decode(read(device, start)));
        JournalMaster master = new MasterStore(device, sb.uuid(), start).current();
        long tail = master.tailLsn() == 0 ? region.lsnOf(1) : master.tailLsn();
        return new LogScanner(device, region, tail).next().isPresent();
    }

    /** Rewrites the damaged master copy from the sound one. */
    static void repairMaster(BlockDevice device, Superblock sb) {
        MasterStore masters = new MasterStore(device, sb.uuid(), sb.geometry().journalStart());
        JournalMaster m = masters.current();
        masters.write(m.checkpointLsn(), m.tailLsn(), m.epoch()); // goes to the other copy: the damaged one
    }

    /** Makes the journal anew and empty: header (its log id kept when it can be read) and both masters. */
    static void recreate(BlockDevice device, Superblock sb) {
        long start = sb.geometry().journalStart();
        long logStart = start + 3;
        long logBlocks = sb.geometry().journalBlocks() - 3;
        ByteBuffer old = read(device, start);
        long logId = BlockHeader.problem(old, sb.uuid(), BlockType.JOURNAL_HEADER, start).isEmpty()
                ? JournalHeader.decode(old).logId() : ThreadLocalRandom.current().nextLong();
        long maxSequence = 0;
        long maxEpoch = 0;
        for (long b = logStart; b < logStart + logBlocks; b++) {
            ByteBuffer block = read(device, b);
            if (BlockHeader.magic(block) == BlockHeader.MAGIC && BlockHeader.typeCode(block) == BlockType.LOG.code()
                    && BlockHeader.isSound(block, sb.uuid(), b)) {
                maxSequence = Math.max(maxSequence, LogBlock.sequence(block));
                maxEpoch = Math.max(maxEpoch, LogBlock.epoch(block));
            }
        }
        LogRegion region = new LogRegion(sb.uuid(), sb.geometry().blockSize(), logStart, logBlocks, logId);
        long tail = region.lsnOf(maxSequence + 1);
        ByteBuffer header = ByteBuffer.allocate(sb.geometry().blockSize());
        new JournalHeader(1, logStart, logBlocks, logId).encode(header, start);
        BlockHeader.seal(header, sb.uuid());
        device.write(start, header);
        ByteBuffer a = ByteBuffer.allocate(sb.geometry().blockSize());
        new JournalMaster(2, 0, tail, maxEpoch).encode(a, start + 1);
        BlockHeader.seal(a, sb.uuid());
        device.write(start + 1, a);
        ByteBuffer b = ByteBuffer.allocate(sb.geometry().blockSize());
        new JournalMaster(1, 0, tail, maxEpoch).encode(b, start + 2);
        BlockHeader.seal(b, sb.uuid());
        device.write(start + 2, b);
        device.flush();
    }

    private static ByteBuffer read(BlockDevice device, long blockNr) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(blockNr, block);
        return block.clear();
    }
}
