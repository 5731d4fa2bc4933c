package org.quillfs.journal;

import java.nio.ByteBuffer;
import java.util.UUID;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.JournalMaster;
import org.quillfs.volume.BlockDevice;

/**
 * The two copies of the journal's master record (docs/JOURNAL.md, "Master record"): the
 * current one is the sound copy with the larger sequence; a new one goes to the other copy with
 * the next sequence, so a torn write of it leaves the previous master in place.
 */
public final class MasterStore {

    private final BlockDevice device;
    private final UUID uuid;
    private final long copyA;
    private JournalMaster current;
    private long currentBlock;

    /** Reads both copies at blocks {@code journalStart + 1} and {@code + 2}. */
    public MasterStore(BlockDevice device, UUID uuid, long journalStart) {
        this.device = device;
        this.uuid = uuid;
        this.copyA = journalStart + 1;
        JournalMaster best = null;
        for (long blockNr = copyA; blockNr <= copyA + 1; blockNr++) {
            ByteBuffer block = ByteBuffer.allocate(device.blockSize());
            device.read(blockNr, block);
            if (BlockHeader.problem(block, uuid, BlockType.JOURNAL_MASTER, blockNr).isEmpty()) {
                JournalMaster m = JournalMaster.decode(block);
                if (best == null || m.sequence() > best.sequence()) {
                    best = m;
                    currentBlock = blockNr;
                }
            }
        }
        if (best == null) {
            throw new JournalDamagedException("both copies of the journal master record (blocks " + copyA + " and "
                    + (copyA + 1) + ") are damaged");
        }
        this.current = best;
    }

    public JournalMaster current() {
        return current;
    }

    /** Makes a master with these fields current: written to the other copy, then flushed. */
    public void write(long checkpointLsn, long tailLsn, long epoch) {
        long target = currentBlock == copyA ? copyA + 1 : copyA;
        JournalMaster next = new JournalMaster(current.sequence() + 1, checkpointLsn, tailLsn, epoch);
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        next.encode(block, target);
        BlockHeader.seal(block, uuid);
        device.write(target, block);
        device.flush();
        current = next;
        currentBlock = target;
    }
}
