package org.quillfs.format;

/** Every sizing constant of on-disk format v1, in one place (docs/FORMAT.md). */
public final class Limits {

    private Limits() {
    }

    public static final int FORMAT_VERSION = 1;

    public static final int MIN_BLOCK_SIZE = 1024;
    public static final int MAX_BLOCK_SIZE = 65536;
    public static final int DEFAULT_BLOCK_SIZE = 4096;

    public static final int INODE_SIZE = 256;
    /** The data area inside an inode: an extent root, a directory root or inline bytes. */
    public static final int INODE_DATA_SIZE = 128;
    /** Extent entries that fit in an inode's data area. */
    public static final int INODE_EXTENTS = 5;
    public static final int GROUP_DESCRIPTOR_SIZE = 64;

    /** The smallest filesystem mkfs makes. */
    public static final long MIN_FILESYSTEM_BYTES = 8L << 20;

    /** Inode numbers are u32 on disk; 0 means "no inode". */
    public static final long MAX_INODES = 0xFFFF_FFFFL;

    public static final int ROOT_INODE = 1;
    /** Inodes 1..FIRST_INODE-1 are reserved; the first ordinary one goes to lost+found. */
    public static final int FIRST_INODE = 16;
    public static final int LOST_AND_FOUND_INODE = FIRST_INODE;

    /** A last group shorter than its own metadata plus this many data blocks is dropped. */
    public static final int MIN_DATA_BLOCKS_PER_GROUP = 32;

    public static final int DEFAULT_BYTES_PER_INODE = 16384;
    public static final int MIN_BYTES_PER_INODE = 1024;
    public static final int MAX_BYTES_PER_INODE = 64 << 20;

    /** Journal region: header, two master copies, then at least this many log blocks. */
    public static final int JOURNAL_FIXED_BLOCKS = 3;
    public static final int MIN_JOURNAL_BLOCKS = 32;
    public static final long MIN_JOURNAL_BYTES = 1L << 20;
    public static final long MAX_DEFAULT_JOURNAL_BYTES = 1L << 30;

    public static final int MAX_LABEL_BYTES = 64;
    public static final int MAX_NAME_BYTES = 255;

    public static boolean isValidBlockSize(long blockSize) {
        return blockSize >= MIN_BLOCK_SIZE && blockSize <= MAX_BLOCK_SIZE && Long.bitCount(blockSize) == 1;
    }
}
