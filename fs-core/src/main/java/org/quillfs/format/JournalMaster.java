package org.quillfs.format;

import java.nio.ByteBuffer;

/**
 * Blocks 1 and 2 of the journal region, type JOURNAL_MASTER (docs/FORMAT.md, "Journal region"):
 * copies A and B, written alternately; the verifying copy with the larger sequence is current.
 *
 * <pre>
 *  32 u64 sequence   40 u64 checkpoint_lsn (0 = none)   48 u64 tail_lsn (0 = never used)
 *  56 u32 epoch (docs/JOURNAL.md, "Master record")
 * </pre>
 */
public record JournalMaster(long sequence, long checkpointLsn, long tailLsn, long epoch) {

    private static final int SEQUENCE = 32;
    private static final int CHECKPOINT_LSN = 40;
    private static final int TAIL_LSN = 48;
    private static final int EPOCH = 56;

    /** Writes this master copy as the whole of {@code block}, unsealed. */
    public void encode(ByteBuffer block, long blockNr) {
        ByteBuffer b = MetadataBlock.begin(block, BlockType.JOURNAL_MASTER, blockNr);
        b.putLong(SEQUENCE, sequence);
        b.putLong(CHECKPOINT_LSN, checkpointLsn);
        b.putLong(TAIL_LSN, tailLsn);
        b.putInt(EPOCH, Unsigned.u32("epoch", epoch));
    }

    /** Reads the fields without checking the header; any bytes decode. */
    public static JournalMaster decode(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        return new JournalMaster(b.getLong(SEQUENCE), b.getLong(CHECKPOINT_LSN), b.getLong(TAIL_LSN),
                Integer.toUnsignedLong(b.getInt(EPOCH)));
    }
}
