package org.quillfs.format;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;

/**
 * A block of the circular log, type LOG (docs/JOURNAL.md, "Log blocks").
 *
 * <pre>
 *   0 common header: block_nr = physical block, lsn field = the block's sequence number
 *  32 u64 log_id   40 u32 epoch   44 u32 used (payload bytes, 1..P)   48 payload[P], P = B - 48
 * </pre>
 */
public final class LogBlock {

    private LogBlock() {
    }

    public static final int HEADER_SIZE = 48;

    private static final int LOG_ID = 32;
    private static final int EPOCH = 40;
    private static final int USED = 44;

    /** Payload bytes per log block. */
    public static int payloadSize(int blockSize) {
        return blockSize - HEADER_SIZE;
    }

    /**
     * Writes a whole log block, unsealed: {@code payload}'s remaining bytes (consumed) then zeros.
     *
     * @throws IllegalArgumentException if the payload is empty or larger than a block's
     */
    public static void encode(ByteBuffer block, long blockNr, long sequence, long logId, long epoch, ByteBuffer payload) {
        int used = payload.remaining();
        if (used == 0 || used > payloadSize(block.capacity())) {
            throw new IllegalArgumentException("a log block holds 1.." + payloadSize(block.capacity())
                    + " payload bytes, not " + used);
        }
        ByteBuffer b = MetadataBlock.begin(block, BlockType.LOG, blockNr);
        BlockHeader.setLsn(block, sequence);
        b.putLong(LOG_ID, logId);
        b.putInt(EPOCH, Unsigned.u32("epoch", epoch));
        b.putInt(USED, used);
        b.put(HEADER_SIZE, payload, payload.position(), used);
        payload.position(payload.limit());
    }

    public static long sequence(ByteBuffer block) {
        return BlockHeader.lsn(block);
    }

    public static long epoch(ByteBuffer block) {
        return Integer.toUnsignedLong(BlockHeader.le(block).getInt(EPOCH));
    }

    public static int used(ByteBuffer block) {
        return BlockHeader.le(block).getInt(USED);
    }

    /** The payload bytes in use, as a read-only view of {@code block}. Call {@link #problem} first. */
    public static ByteBuffer payload(ByteBuffer block) {
        return block.asReadOnlyBuffer().clear().position(HEADER_SIZE).limit(HEADER_SIZE + used(block)).slice();
    }

    /**
     * Why {@code block}, read at {@code blockNr}, is not block {@code sequence} of the log
     * {@code logId}, or empty when it is. Any bytes are examined without throwing.
     */
    public static Optional<String> problem(ByteBuffer block, UUID uuid, long blockNr, long sequence, long logId) {
        Optional<String> header = BlockHeader.problem(block, uuid, BlockType.LOG, blockNr);
        if (header.isPresent()) {
            return header;
        }
        long logIdFound = BlockHeader.le(block).getLong(LOG_ID);
        if (logIdFound != logId) {
            return Optional.of(String.format("log id %016x is not this journal's %016x", logIdFound, logId));
        }
        if (sequence(block) != sequence) {
            return Optional.of("sequence " + sequence(block) + " where " + sequence + " was expected");
        }
        int used = used(block);
        if (used <= 0 || used > payloadSize(block.capacity())) {
            return Optional.of("used " + used + " is not 1.." + payloadSize(block.capacity()));
        }
        return Optional.empty();
    }
}
