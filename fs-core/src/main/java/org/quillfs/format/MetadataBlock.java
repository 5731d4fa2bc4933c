package org.quillfs.format;

import java.nio.ByteBuffer;

/**
 * The first step of every encoder that produces a whole metadata block (docs/FORMAT.md,
 * "Common metadata block header"): every byte zeroed, then a fresh header. Encoding into a dirty
 * buffer therefore gives the same bytes as encoding into a new one.
 */
final class MetadataBlock {

    private MetadataBlock() {
    }

    /**
     * Zeroes {@code block}, writes a fresh unsealed header and returns the little-endian view to
     * write the body through.
     *
     * @throws IllegalArgumentException if the buffer is not one block of a valid size
     */
    static ByteBuffer begin(ByteBuffer block, BlockType type, long blockNr) {
        int size = block.capacity();
        if (!Limits.isValidBlockSize(size)) {
            throw new IllegalArgumentException("a buffer of " + size + " bytes is not a block");
        }
        ByteBuffer b = BlockHeader.le(block);
        for (int i = 0; i < size; i += Long.BYTES) {
            b.putLong(i, 0);
        }
        BlockHeader.init(block, type, blockNr);
        return b;
    }
}
