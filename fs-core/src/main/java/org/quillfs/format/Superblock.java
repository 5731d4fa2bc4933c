package org.quillfs.format;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;

/**
 * The superblock (docs/FORMAT.md, "Superblock"): block 0, type SUPERBLOCK, with identical
 * backups (but for block_nr and crc) at the start of every backup group.
 *
 * <pre>
 *  32 u32 format_version   36 u32 feature_compat  40 u32 feature_ro_compat  44 u32 feature_incompat
 *  48 u32 block_size       52 u32 inode_size      56 u64 block_count        64 u64 inode_count
 *  72 u32 blocks_per_group 76 u32 inodes_per_group 80 u32 group_count       84 u32 gdt_blocks
 *  88 u64 groups_start     96 u64 journal_start  104 u64 journal_blocks    112 uuid[16] (big-endian)
 * 128 label[64] UTF-8, NUL-padded                192 u16 state            196 u32 mount_count
 * 200 i32 max_mount_count 204 u32 root_inode    208 u32 first_inode       212 u32 orphan_head
 * 216 i64 created  224 i64 mount  232 i64 write  240 i64 check            248 u64 free_blocks
 * 256 u64 free_inodes     264 u64 dir hash key0  272 u64 dir hash key1     280 u32 lazy_init_flags
 * </pre>
 *
 * The int fields that are u32 on disk (the feature words, mount_count, the inode numbers,
 * lazy_init_flags and the u32 fields of the geometry) hold the field's 32 bits: read them with
 * {@link Integer#toUnsignedLong} where the value can exceed 2³¹−1. {@code state} is the u16 as a
 * non-negative int. {@code inodeSize} is not in the geometry; it is always
 * {@link Limits#INODE_SIZE} unless decoded from a damaged or foreign block, which
 * {@link #problem()} then reports.
 */
public record Superblock(
        int formatVersion,
        int featureCompat,
        int featureRoCompat,
        int featureIncompat,
        Geometry geometry,
        UUID uuid,
        String label,
        int state,
        int mountCount,
        int maxMountCount,
        int rootInode,
        int firstInode,
        int orphanHead,
        long createdTime,
        long mountTime,
        long writeTime,
        long checkTime,
        long freeBlocks,
        long freeInodes,
        long dirHashKey0,
        long dirHashKey1,
        int lazyInitFlags,
        int inodeSize) {

    public static final int STATE_CLEAN = 1;
    public static final int STATE_ERRORS = 2;
    public static final int STATE_NEEDS_RECOVERY = 4;

    /**
     * The fields a mounted filesystem changes (state .. lazy_init_flags) lie in bytes
     * {@code DYNAMIC_START .. DYNAMIC_END - 1}; everything else stays as mkfs wrote it.
     */
    public static final int DYNAMIC_START = 192;
    public static final int DYNAMIC_END = 284;

    private static final int FORMAT_VERSION = 32;
    private static final int FEATURE_COMPAT = 36;
    private static final int FEATURE_RO_COMPAT = 40;
    private static final int FEATURE_INCOMPAT = 44;
    private static final int BLOCK_SIZE = 48;
    private static final int INODE_SIZE = 52;
    private static final int BLOCK_COUNT = 56;
    private static final int INODE_COUNT = 64;
    private static final int BLOCKS_PER_GROUP = 72;
    private static final int INODES_PER_GROUP = 76;
    private static final int GROUP_COUNT = 80;
    private static final int GDT_BLOCKS = 84;
    private static final int GROUPS_START = 88;
    private static final int JOURNAL_START = 96;
    private static final int JOURNAL_BLOCKS = 104;
    private static final int UUID_BYTES = 112;
    private static final int LABEL = 128;
    private static final int STATE = 192;
    private static final int MOUNT_COUNT = 196;
    private static final int MAX_MOUNT_COUNT = 200;
    private static final int ROOT_INODE = 204;
    private static final int FIRST_INODE = 208;
    private static final int ORPHAN_HEAD = 212;
    private static final int CREATED_TIME = 216;
    private static final int MOUNT_TIME = 224;
    private static final int WRITE_TIME = 232;
    private static final int CHECK_TIME = 240;
    private static final int FREE_BLOCKS = 248;
    private static final int FREE_INODES = 256;
    private static final int DIR_HASH_KEY0 = 264;
    private static final int DIR_HASH_KEY1 = 272;
    private static final int LAZY_INIT_FLAGS = 280;

    /**
     * Writes this superblock as the whole of {@code block}, unsealed. {@code blockNr} is where this
     * copy goes: 0 for the primary, the group's first block for a backup.
     *
     * @throws IllegalArgumentException if the label is not up to 64 bytes of UTF-8 without NUL,
     *     or {@code state} does not fit in a u16
     */
    public void encode(ByteBuffer block, long blockNr) {
        labelProblem(label).ifPresent(why -> {
            throw new IllegalArgumentException(why);
        });
        short stateBits = Unsigned.u16("state", state);
        ByteBuffer b = MetadataBlock.begin(block, BlockType.SUPERBLOCK, blockNr);
        b.putInt(FORMAT_VERSION, formatVersion);
        b.putInt(FEATURE_COMPAT, featureCompat);
        b.putInt(FEATURE_RO_COMPAT, featureRoCompat);
        b.putInt(FEATURE_INCOMPAT, featureIncompat);
        b.putInt(BLOCK_SIZE, geometry.blockSize());
        b.putInt(INODE_SIZE, inodeSize);
        b.putLong(BLOCK_COUNT, geometry.blockCount());
        b.putLong(INODE_COUNT, geometry.inodeCount());
        b.putInt(BLOCKS_PER_GROUP, geometry.blocksPerGroup());
        b.putInt(INODES_PER_GROUP, geometry.inodesPerGroup());
        b.putInt(GROUP_COUNT, geometry.groupCount());
        b.putInt(GDT_BLOCKS, geometry.gdtBlocks());
        b.putLong(GROUPS_START, geometry.groupsStart());
        b.putLong(JOURNAL_START, geometry.journalStart());
        b.putLong(JOURNAL_BLOCKS, geometry.journalBlocks());
        b.put(UUID_BYTES, BlockHeader.uuidBytes(uuid));
        b.put(LABEL, label.getBytes(UTF_8));
        b.putShort(STATE, stateBits);
        b.putInt(MOUNT_COUNT, mountCount);
        b.putInt(MAX_MOUNT_COUNT, maxMountCount);
        b.putInt(ROOT_INODE, rootInode);
        b.putInt(FIRST_INODE, firstInode);
        b.putInt(ORPHAN_HEAD, orphanHead);
        b.putLong(CREATED_TIME, createdTime);
        b.putLong(MOUNT_TIME, mountTime);
        b.putLong(WRITE_TIME, writeTime);
        b.putLong(CHECK_TIME, checkTime);
        b.putLong(FREE_BLOCKS, freeBlocks);
        b.putLong(FREE_INODES, freeInodes);
        b.putLong(DIR_HASH_KEY0, dirHashKey0);
        b.putLong(DIR_HASH_KEY1, dirHashKey1);
        b.putInt(LAZY_INIT_FLAGS, lazyInitFlags);
    }

    /** This superblock with other state bits. */
    public Superblock withState(int newState) {
        return new Superblock(formatVersion, featureCompat, featureRoCompat, featureIncompat, geometry, uuid, label, newState, mountCount, maxMountCount, rootInode, firstInode, orphanHead, createdTime, mountTime, writeTime, checkTime, freeBlocks, freeInodes, dirHashKey0, dirHashKey1, lazyInitFlags, inodeSize);
    }

    /** This superblock after one more mount. */
    public Superblock withMount(int newMountCount, long newMountTime) {
        return new Superblock(formatVersion, featureCompat, featureRoCompat, featureIncompat, geometry, uuid, label, state, newMountCount, maxMountCount, rootInode, firstInode, orphanHead, createdTime, newMountTime, writeTime, checkTime, freeBlocks, freeInodes, dirHashKey0, dirHashKey1, lazyInitFlags, inodeSize);
    }

    /** This superblock with another first inode on the orphan list. */
    public Superblock withOrphanHead(int newOrphanHead) {
        return new Superblock(formatVersion, featureCompat, featureRoCompat, featureIncompat, geometry, uuid, label, state, mountCount, maxMountCount, rootInode, firstInode, newOrphanHead, createdTime, mountTime, writeTime, checkTime, freeBlocks, freeInodes, dirHashKey0, dirHashKey1, lazyInitFlags, inodeSize);
    }

    /** This superblock as written at {@code newWriteTime} with these summary free counts. */
    public Superblock withWrite(long newWriteTime, long newFreeBlocks, long newFreeInodes) {
        return new Superblock(formatVersion, featureCompat, featureRoCompat, featureIncompat, geometry, uuid, label, state, mountCount, maxMountCount, rootInode, firstInode, orphanHead, createdTime, mountTime, newWriteTime, checkTime, newFreeBlocks, newFreeInodes, dirHashKey0, dirHashKey1, lazyInitFlags, inodeSize);
    }

    /**
     * Reads the superblock fields of {@code block} without checking the header or anything else,
     * so that a damaged block can still be shown: any bytes decode. The label is the UTF-8 up to
     * the first NUL, with malformed bytes replaced by U+FFFD.
     */
    /**
     * Sets ERRORS in the state of {@code block}, an encoded superblock, and changes no other
     * byte (seal the block after): for marking the superblock on the device directly, when the
     * journal can no longer carry the change, and for keeping the mark through recovery.
     */
    public static void markErrors(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        b.putShort(STATE, (short) (Short.toUnsignedInt(b.getShort(STATE)) | STATE_ERRORS));
    }

    public static Superblock decode(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        Geometry geometry = new Geometry(
                b.getInt(BLOCK_SIZE),
                b.getLong(BLOCK_COUNT),
                b.getLong(INODE_COUNT),
                b.getInt(BLOCKS_PER_GROUP),
                b.getInt(INODES_PER_GROUP),
                b.getInt(GROUP_COUNT),
                b.getInt(GDT_BLOCKS),
                b.getLong(GROUPS_START),
                b.getLong(JOURNAL_START),
                b.getLong(JOURNAL_BLOCKS));
        byte[] uuid = new byte[16];
        b.get(UUID_BYTES, uuid);
        byte[] label = new byte[Limits.MAX_LABEL_BYTES];
        b.get(LABEL, label);
        int labelLength = 0;
        while (labelLength < label.length && label[labelLength] != 0) {
            labelLength++;
        }
        return new Superblock(
                b.getInt(FORMAT_VERSION),
                b.getInt(FEATURE_COMPAT),
                b.getInt(FEATURE_RO_COMPAT),
                b.getInt(FEATURE_INCOMPAT),
                geometry,
                BlockHeader.uuidFrom(uuid),
                new String(label, 0, labelLength, UTF_8),
                Short.toUnsignedInt(b.getShort(STATE)),
                b.getInt(MOUNT_COUNT),
                b.getInt(MAX_MOUNT_COUNT),
                b.getInt(ROOT_INODE),
                b.getInt(FIRST_INODE),
                b.getInt(ORPHAN_HEAD),
                b.getLong(CREATED_TIME),
                b.getLong(MOUNT_TIME),
                b.getLong(WRITE_TIME),
                b.getLong(CHECK_TIME),
                b.getLong(FREE_BLOCKS),
                b.getLong(FREE_INODES),
                b.getLong(DIR_HASH_KEY0),
                b.getLong(DIR_HASH_KEY1),
                b.getInt(LAZY_INIT_FLAGS),
                b.getInt(INODE_SIZE));
    }

    /**
     * What makes these fields impossible for a format v1 superblock, beyond the header and the
     * feature words ({@link Features}), or empty. The first problem found is reported.
     */
    public Optional<String> problem() {
        if (formatVersion != Limits.FORMAT_VERSION) {
            return Optional.of("format version " + Integer.toUnsignedString(formatVersion) + " is not "
                    + Limits.FORMAT_VERSION);
        }
        if (inodeSize != Limits.INODE_SIZE) {
            return Optional.of("inode size " + Integer.toUnsignedString(inodeSize) + " is not "
                    + Limits.INODE_SIZE);
        }
        Optional<String> geometryProblem = geometry.problem();
        if (geometryProblem.isPresent()) {
            return geometryProblem;
        }
        if (rootInode != Limits.ROOT_INODE) {
            return Optional.of("root inode " + Integer.toUnsignedString(rootInode) + " is not "
                    + Limits.ROOT_INODE);
        }
        if (firstInode != Limits.FIRST_INODE) {
            return Optional.of("first inode " + Integer.toUnsignedString(firstInode) + " is not "
                    + Limits.FIRST_INODE);
        }
        return labelProblem(label);
    }

    private static Optional<String> labelProblem(String label) {
        int bytes = label.getBytes(UTF_8).length;
        if (bytes > Limits.MAX_LABEL_BYTES) {
            return Optional.of("label is " + bytes + " bytes of UTF-8, more than " + Limits.MAX_LABEL_BYTES);
        }
        if (label.indexOf('\0') >= 0) {
            return Optional.of("label contains a NUL character");
        }
        if (!UTF_8.newEncoder().canEncode(label)) {
            return Optional.of("label is not valid Unicode");
        }
        return Optional.empty();
    }
}
