package org.quillfs.format;

/**
 * One 64-byte entry of the group descriptor table (docs/FORMAT.md, "Group descriptor table"):
 * where a group's bitmaps and inode table are, its free counts, and how much of it mkfs left
 * uninitialised. The u32 counts are held as non-negative longs, {@code flags} (u16) as an int.
 */
public record GroupDescriptor(
        long blockBitmap,
        long inodeBitmap,
        long inodeTable,
        long freeBlocks,
        long freeInodes,
        long directories,
        int flags,
        long itableInitialized) {

    /** The inode bitmap was never written: every inode of the group is free. */
    public static final int INODE_UNINIT = 1;
    /** The block bitmap was never written: only the group's own metadata blocks are in use. */
    public static final int BLOCK_UNINIT = 2;

    /** Whether every bit of {@code flag} is set. */
    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /** This descriptor with its free counts and directory count changed by the given amounts. */
    public GroupDescriptor withCountsChanged(long blocks, long inodes, long dirs) {
        return new GroupDescriptor(blockBitmap, inodeBitmap, inodeTable, freeBlocks + blocks, freeInodes + inodes,
                directories + dirs, flags, itableInitialized);
    }

    /** This descriptor with the bits of {@code flag} cleared. */
    public GroupDescriptor withoutFlag(int flag) {
        return new GroupDescriptor(blockBitmap, inodeBitmap, inodeTable, freeBlocks, freeInodes, directories,
                flags & ~flag, itableInitialized);
    }

    /** This descriptor with {@code blocks} inode-table blocks counted as initialised. */
    public GroupDescriptor withItableInitialized(long blocks) {
        return new GroupDescriptor(blockBitmap, inodeBitmap, inodeTable, freeBlocks, freeInodes, directories, flags,
                blocks);
    }
}
