package org.quillfs.format;

import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * How the inodes of one filesystem are checksummed (docs/FORMAT.md, "Inodes"): over the
 * filesystem UUID, the inode number (u32, little-endian) and the inode's bytes 0–251, with
 * CRC32 (IEEE) when the filesystem has the {@link Features#INCOMPAT_INODE_CRC32} feature (every
 * filesystem mkfs makes now), else with CRC32C, as the first format v1 filesystems were made.
 *
 * <p>Why not CRC32C, as every block: CRC is linear, so a change made of whole inodes each
 * followed by its own CRC32C is a CRC32C codeword and leaves the table block's CRC32C as it
 * was. A torn write of an inode table block that mixes old and new inodes would then verify,
 * and recovery would trust the page LSN in its header. With another polynomial for the inodes,
 * such a mix fails the block checksum like any other torn write.
 */
public final class InodeChecksum {

    private final byte[] uuid;
    private final boolean crc32;

    /** The inode checksum of a filesystem with {@code uuid}: CRC32 if {@code crc32}, else CRC32C. */
    public InodeChecksum(UUID uuid, boolean crc32) {
        this.uuid = BlockHeader.uuidBytes(uuid);
        this.crc32 = crc32;
    }

    /** The inode checksum of the filesystem that {@code superblock} describes. */
    public static InodeChecksum of(Superblock superblock) {
        return new InodeChecksum(superblock.uuid(),
                (superblock.featureIncompat() & Features.INCOMPAT_INODE_CRC32) != 0);
    }

    /**
     * The checksum of inode {@code inodeNumber} whose 256 bytes are {@code inode} (the checksum
     * field itself not covered).
     *
     * @throws IllegalArgumentException if {@code inodeNumber} is not 1 .. 2³²−1
     */
    int of(byte[] inode, long inodeNumber, int coveredBytes) {
        if (inodeNumber < 1 || inodeNumber > Limits.MAX_INODES) {
            throw new IllegalArgumentException("inode number " + inodeNumber + " is not 1 .. " + Limits.MAX_INODES);
        }
        Checksum crc = crc32 ? new CRC32() : new CRC32C();
        crc.update(uuid, 0, uuid.length);
        for (int shift = 0; shift < 32; shift += 8) {
            crc.update((int) (inodeNumber >>> shift));
        }
        crc.update(inode, 0, coveredBytes);
        return (int) crc.getValue();
    }
}
