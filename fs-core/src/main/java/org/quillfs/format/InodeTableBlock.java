package org.quillfs.format;

import java.nio.ByteBuffer;

/**
 * An inode table block (docs/FORMAT.md, "Inodes"): type INODE_TABLE, then inodes of
 * {@link Limits#INODE_SIZE} bytes at offset {@code 32 + slot × 256}; see {@link Inode} for one
 * inode and {@link Geometry#inodeOffset} for where inode {@code n} is.
 */
public final class InodeTableBlock {

    private InodeTableBlock() {
    }

    /** Makes {@code block} an inode table block (unsealed) whose inodes are all free. */
    public static void init(ByteBuffer block, long blockNr) {
        MetadataBlock.begin(block, BlockType.INODE_TABLE, blockNr);
    }
}
