package org.quillfs.format;

import java.time.Instant;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * What to make: everything {@link Formatter} needs besides the device.
 *
 * @param blockSize     bytes per block, a power of two from 1 KiB to 64 KiB
 * @param blockCount    blocks of the device to use
 * @param journalBlocks length of the journal region; 0 chooses {@link #defaultJournalBlocks}
 * @param inodeCount    inodes wanted; 0 derives them from {@code bytesPerInode}
 * @param bytesPerInode one inode for every this many bytes, when {@code inodeCount} is 0
 * @param label         volume label, at most 64 bytes of UTF-8
 * @param uuid          filesystem UUID
 * @param ownerUid      owner of the root directory and lost+found
 * @param ownerGid      group of the root directory and lost+found
 * @param now           the creation time written everywhere
 * @param random        source of the directory hash seed, the journal's log id and inode generations
 * @param featureIncompat the incompatible features to set ({@link Features}); mkfs sets
 *                      {@link Features#DEFAULT_INCOMPAT}, 0 makes a filesystem as the first
 *                      format v1 builds did (for the golden images they made)
 */
public record FormatOptions(
        int blockSize,
        long blockCount,
        long journalBlocks,
        long inodeCount,
        int bytesPerInode,
        String label,
        UUID uuid,
        long ownerUid,
        long ownerGid,
        Instant now,
        RandomGenerator random,
        int featureIncompat) {

    /** Options for a filesystem with the features mkfs sets by default. */
    public FormatOptions(int blockSize, long blockCount, long journalBlocks, long inodeCount, int bytesPerInode,
            String label, UUID uuid, long ownerUid, long ownerGid, Instant now, RandomGenerator random) {
        this(blockSize, blockCount, journalBlocks, inodeCount, bytesPerInode, label, uuid, ownerUid, ownerGid, now,
                random, Features.DEFAULT_INCOMPAT);
    }

    /**
     * The journal length mkfs chooses: 1/64 of the filesystem, rounded down to a power of two,
     * between 1 MiB and 1 GiB, and never fewer than {@link Limits#MIN_JOURNAL_BLOCKS} blocks.
     */
    public static long defaultJournalBlocks(int blockSize, long blockCount) {
        long bytes = Long.highestOneBit(Math.max(1, blockCount * blockSize / 64));
        bytes = Math.max(Limits.MIN_JOURNAL_BYTES, Math.min(Limits.MAX_DEFAULT_JOURNAL_BYTES, bytes));
        return Math.max(Limits.MIN_JOURNAL_BLOCKS, bytes / blockSize);
    }

    long effectiveJournalBlocks() {
        return journalBlocks > 0 ? journalBlocks : defaultJournalBlocks(blockSize, blockCount);
    }

    long requestedInodes() {
        return inodeCount > 0 ? inodeCount : blockCount * blockSize / bytesPerInode;
    }
}
