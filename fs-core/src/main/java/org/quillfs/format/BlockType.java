package org.quillfs.format;

import java.util.Optional;

/** The type field of the common metadata block header (docs/FORMAT.md, "Common metadata block header"). */
public enum BlockType {
    SUPERBLOCK(1),
    GROUP_DESCRIPTORS(2),
    BLOCK_BITMAP(3),
    INODE_BITMAP(4),
    INODE_TABLE(5),
    DIR_LEAF(6),
    DIR_NODE(7),
    EXTENT_NODE(8),
    JOURNAL_HEADER(9),
    JOURNAL_MASTER(10),
    LOG(11),
    XATTR(12);

    private final int code;

    BlockType(int code) {
        this.code = code;
    }

    /** The number stored on disk. */
    public int code() {
        return code;
    }

    public static Optional<BlockType> fromCode(int code) {
        for (BlockType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
