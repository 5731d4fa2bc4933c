package org.quillfs.format;

import java.nio.ByteBuffer;

/**
 * Block 0 of the journal region, type JOURNAL_HEADER (docs/FORMAT.md, "Journal region"): the
 * static description of the circular log.
 *
 * <pre>
 *  32 u32 journal_version (1)   36 reserved   40 u64 log_start   48 u64 log_blocks   56 u64 log_id
 * </pre>
 *
 * {@code journalVersion} holds the u32's bits.
 */
public record JournalHeader(int journalVersion, long logStart, long logBlocks, long logId) {

    private static final int JOURNAL_VERSION = 32;
    private static final int LOG_START = 40;
    private static final int LOG_BLOCKS = 48;
    private static final int LOG_ID = 56;

    /** Writes this header as the whole of {@code block}, unsealed. */
    public void encode(ByteBuffer block, long blockNr) {
        ByteBuffer b = MetadataBlock.begin(block, BlockType.JOURNAL_HEADER, blockNr);
        b.putInt(JOURNAL_VERSION, journalVersion);
        b.putLong(LOG_START, logStart);
        b.putLong(LOG_BLOCKS, logBlocks);
        b.putLong(LOG_ID, logId);
    }

    /** Reads the fields without checking the header; any bytes decode. */
    public static JournalHeader decode(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        return new JournalHeader(b.getInt(JOURNAL_VERSION), b.getLong(LOG_START), b.getLong(LOG_BLOCKS), b.getLong(LOG_ID));
    }
}
