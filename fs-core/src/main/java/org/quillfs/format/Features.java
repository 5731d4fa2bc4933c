package org.quillfs.format;

import java.util.Optional;

/**
 * The three feature words of the superblock and what this build knows of them (docs/FORMAT.md,
 * "Feature flags"). ext4's rule: an unknown incompat bit refuses the filesystem, an unknown
 * ro_compat bit allows read-only access, an unknown compat bit is ignored.
 */
public final class Features {

    private Features() {
    }

    public static final int KNOWN_COMPAT = 0;
    public static final int KNOWN_RO_COMPAT = 0;
    /** Inodes are checksummed with CRC32 instead of CRC32C ({@link InodeChecksum} says why). */
    public static final int INCOMPAT_INODE_CRC32 = 0x1;

    public static final int KNOWN_INCOMPAT = INCOMPAT_INODE_CRC32;
    /** What mkfs sets on a new filesystem. */
    public static final int DEFAULT_INCOMPAT = INCOMPAT_INODE_CRC32;

    /**
     * Why this build cannot open the filesystem of {@code sb} (read-write when {@code writable}),
     * or empty when it can.
     */
    public static Optional<String> problem(Superblock sb, boolean writable) {
        int incompat = sb.featureIncompat() & ~KNOWN_INCOMPAT;
        if (incompat != 0) {
            return Optional.of(String.format(
                    "filesystem uses unsupported incompatible features 0x%x: it needs a newer quillfs", incompat));
        }
        int roCompat = sb.featureRoCompat() & ~KNOWN_RO_COMPAT;
        if (roCompat != 0 && writable) {
            return Optional.of(String.format(
                    "filesystem uses unsupported read-only-compatible features 0x%x: it can only be opened read-only",
                    roCompat));
        }
        return Optional.empty();
    }
}
