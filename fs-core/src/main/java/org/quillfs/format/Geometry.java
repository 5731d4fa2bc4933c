package org.quillfs.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where everything is: the numbers in the superblock that fix the volume layout, and the
 * positions that follow from them (docs/FORMAT.md, "Volume layout" and "Geometry").
 *
 * <pre>
 *   block 0 superblock | 1..G descriptor table | journal region | group 0 | group 1 | ...
 *   group g:  [backup superblock] block bitmap, inode bitmap, inode table, data ...
 * </pre>
 *
 * Use {@link #plan} to lay out a new filesystem, {@link #problem()} to check one read from disk.
 */
public record Geometry(
        int blockSize,
        long blockCount,
        long inodeCount,
        int blocksPerGroup,
        int inodesPerGroup,
        int groupCount,
        int gdtBlocks,
        long groupsStart,
        long journalStart,
        long journalBlocks) {

    /**
     * Lays out a filesystem of {@code blockCount} blocks of {@code blockSize} bytes with a journal
     * of {@code journalBlocks} and about {@code requestedInodes} inodes (rounded to whole inode
     * table blocks per group). The last group is dropped if it would be too short, so the
     * result's block count may be smaller than asked.
     *
     * @throws IllegalArgumentException with a message for the user when no filesystem fits
     */
    public static Geometry plan(int blockSize, long blockCount, long journalBlocks, long requestedInodes) {
        if (!Limits.isValidBlockSize(blockSize)) {
            throw new IllegalArgumentException("block size " + blockSize + " is not a power of two from "
                    + Limits.MIN_BLOCK_SIZE + " to " + Limits.MAX_BLOCK_SIZE);
        }
        if (journalBlocks < Limits.MIN_JOURNAL_BLOCKS) {
            throw new IllegalArgumentException("a journal needs at least " + Limits.MIN_JOURNAL_BLOCKS
                    + " blocks, not " + journalBlocks);
        }
        int blocksPerGroup = bitsPerBitmap(blockSize);
        int inodesPerBlock = inodesPerBlock(blockSize);
        int descriptorsPerBlock = descriptorsPerBlock(blockSize);

        // The descriptor table's size depends on the group count, which depends on the space the
        // table leaves. Growing the table only ever shrinks the group count, so this ends; at
        // worst the table keeps one slack block.
        int gdtBlocks = 1;
        long groupsStart;
        long groups;
        while (true) {
            groupsStart = 1 + gdtBlocks + journalBlocks;
            if (groupsStart >= blockCount) {
                throw new IllegalArgumentException("the filesystem is too small for a journal of "
                        + journalBlocks + " blocks");
            }
            groups = ceilDiv(blockCount - groupsStart, blocksPerGroup);
            long needed = ceilDiv(groups, descriptorsPerBlock);
            if (needed <= gdtBlocks) {
                break;
            }
            if (needed > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the filesystem is too large for block size " + blockSize);
            }
            gdtBlocks = (int) needed;
        }
        if (groups > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the filesystem is too large for block size " + blockSize);
        }

        // A group holds at most one inode per bit of its inode bitmap (more are silently not
        // made, as mke2fs does), and its inode table must leave room for data in a full group
        // (or in the only group): asking for more than that is an error.
        long roomyGroup = Math.min(blocksPerGroup, blockCount - groupsStart);
        long maxItableBlocks = Math.max(0, roomyGroup - 3 - Limits.MIN_DATA_BLOCKS_PER_GROUP);
        long maxBySpace = maxItableBlocks * inodesPerBlock;
        if (maxBySpace < Limits.FIRST_INODE) {
            throw new IllegalArgumentException("the filesystem is too small: after the journal ("
                    + journalBlocks + " blocks) and metadata there is no room for data");
        }
        long perGroup = ceilDiv(Math.max(requestedInodes, Limits.FIRST_INODE), groups);
        perGroup = Math.max(perGroup, Limits.FIRST_INODE); // group 0 holds the reserved inodes
        perGroup = ceilDiv(perGroup, inodesPerBlock) * inodesPerBlock;
        if (perGroup > maxBySpace) {
            throw new IllegalArgumentException("too many inodes: " + requestedInodes + " asked, at most "
                    + Math.min(maxBySpace * groups, Limits.MAX_INODES) + " fit");
        }
        perGroup = Math.min(perGroup, blocksPerGroup / inodesPerBlock * inodesPerBlock);
        if (perGroup * groups > Limits.MAX_INODES) {
            perGroup = Limits.MAX_INODES / groups / inodesPerBlock * inodesPerBlock;
        }
        int inodesPerGroup = (int) perGroup;
        int itableBlocks = inodesPerGroup / inodesPerBlock;

        long lastGroup = groups - 1;
        long lastLength = blockCount - groupsStart - lastGroup * blocksPerGroup;
        long lastOverhead = metadataBlocks(lastGroup, itableBlocks);
        if (lastLength < lastOverhead + Limits.MIN_DATA_BLOCKS_PER_GROUP) {
            if (groups == 1) {
                throw new IllegalArgumentException("the filesystem is too small: after the journal ("
                        + journalBlocks + " blocks) and metadata there is no room for data");
            }
            groups--;
            blockCount = groupsStart + groups * blocksPerGroup;
        }
        return new Geometry(blockSize, blockCount, (long) inodesPerGroup * groups, blocksPerGroup,
                inodesPerGroup, (int) groups, gdtBlocks, groupsStart, 1 + gdtBlocks, journalBlocks);
    }

    /** Why these numbers cannot describe a quillfs of format v1, or empty when they can. */
    public Optional<String> problem() {
        String why = null;
        if (!Limits.isValidBlockSize(blockSize)) {
            why = "block size " + blockSize + " is not a power of two from 1024 to 65536";
        } else if (blocksPerGroup != bitsPerBitmap(blockSize)) {
            why = "blocks per group " + blocksPerGroup + " is not " + bitsPerBitmap(blockSize);
        } else if (inodesPerGroup <= 0 || inodesPerGroup % inodesPerBlock() != 0
                || inodesPerGroup > blocksPerGroup) {
            why = "inodes per group " + inodesPerGroup + " is not a positive multiple of "
                    + inodesPerBlock() + " up to " + blocksPerGroup;
        } else if (groupCount <= 0 || inodeCount != (long) inodesPerGroup * groupCount) {
            why = "inode count " + inodeCount + " is not " + groupCount + " groups of " + inodesPerGroup;
        } else if (gdtBlocks < ceilDiv(groupCount, descriptorsPerBlock())) {
            why = "a descriptor table of " + gdtBlocks + " blocks cannot hold " + groupCount + " groups";
        } else if (journalStart != 1 + gdtBlocks || journalBlocks < Limits.MIN_JOURNAL_BLOCKS
                || groupsStart != journalStart + journalBlocks) {
            why = "journal at " + journalStart + " (" + journalBlocks + " blocks) and groups at "
                    + groupsStart + " do not follow the descriptor table";
        } else if (blockCount <= groupsStart + (long) (groupCount - 1) * blocksPerGroup
                || blockCount > groupsStart + (long) groupCount * blocksPerGroup) {
            why = "block count " + blockCount + " does not end inside group " + (groupCount - 1);
        }
        return Optional.ofNullable(why);
    }

    public int inodesPerBlock() {
        return inodesPerBlock(blockSize);
    }

    public int descriptorsPerBlock() {
        return descriptorsPerBlock(blockSize);
    }

    public int itableBlocks() {
        return inodesPerGroup / inodesPerBlock();
    }

    public long groupStart(int group) {
        return groupsStart + (long) group * blocksPerGroup;
    }

    /** Blocks in {@code group}: {@link #blocksPerGroup}, or what is left for the last one. */
    public int groupLength(int group) {
        return (int) Math.min(blocksPerGroup, blockCount - groupStart(group));
    }

    /** Group 1 and every power of 3, 5 and 7 carry a superblock backup (ext4's sparse_super). */
    public static boolean isBackupGroup(long group) {
        return group == 1 || isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
    }

    public long blockBitmapBlock(int group) {
        return groupStart(group) + (isBackupGroup(group) ? 1 : 0);
    }

    public long inodeBitmapBlock(int group) {
        return blockBitmapBlock(group) + 1;
    }

    public long inodeTableBlock(int group) {
        return blockBitmapBlock(group) + 2;
    }

    public long firstDataBlock(int group) {
        return inodeTableBlock(group) + itableBlocks();
    }

    /** Blocks at the start of {@code group} taken by its own metadata. */
    public int metadataBlocks(int group) {
        return (int) metadataBlocks(group, itableBlocks());
    }

    /** Where the backup superblocks are, in ascending order. */
    public List<Long> backupSuperblocks() {
        List<Long> blocks = new ArrayList<>();
        for (int g = 1; g < groupCount; g++) {
            if (isBackupGroup(g)) {
                blocks.add(groupStart(g));
            }
        }
        return blocks;
    }

    /** The group holding {@code block}, or -1 for blocks before the first group. */
    public int groupOfBlock(long block) {
        return block < groupsStart ? -1 : (int) ((block - groupsStart) / blocksPerGroup);
    }

    public int groupOfInode(long inode) {
        return (int) ((inode - 1) / inodesPerGroup);
    }

    /** The inode-table block holding inode {@code inode}. */
    public long inodeBlock(long inode) {
        int index = (int) ((inode - 1) % inodesPerGroup);
        return inodeTableBlock(groupOfInode(inode)) + index / inodesPerBlock();
    }

    /** The byte offset of inode {@code inode} inside its table block. */
    public int inodeOffset(long inode) {
        int index = (int) ((inode - 1) % inodesPerGroup);
        return BlockHeader.SIZE + index % inodesPerBlock() * Limits.INODE_SIZE;
    }

    public long bytes() {
        return blockCount * blockSize;
    }

    private static long metadataBlocks(long group, int itableBlocks) {
        return (isBackupGroup(group) ? 1 : 0) + 2 + itableBlocks;
    }

    static int bitsPerBitmap(int blockSize) {
        return 8 * (blockSize - BlockHeader.SIZE);
    }

    static int inodesPerBlock(int blockSize) {
        return (blockSize - BlockHeader.SIZE) / Limits.INODE_SIZE;
    }

    static int descriptorsPerBlock(int blockSize) {
        return (blockSize - BlockHeader.SIZE) / Limits.GROUP_DESCRIPTOR_SIZE;
    }

    private static boolean isPowerOf(long n, int base) {
        if (n < base) {
            return false;
        }
        while (n % base == 0) {
            n /= base;
        }
        return n == 1;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
