package org.quillfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * One 256-byte inode of an inode table block (docs/FORMAT.md, "Inodes").
 *
 * <pre>
 *   0 u16 mode   2 reserved   4 u32 uid   8 u32 gid  12 u32 links  16 u64 size  24 u64 blocks
 *  32 i64 atime 40 i64 mtime 48 i64 ctime 56 i64 btime   64..79 u32 nsec of each, same order
 *  80 u32 generation  84 u32 flags  88 u64 xattr_block  96 u64 rdev  104 u32 parent
 * 108 u32 orphan_next 112 data[128]  240 reserved  252 u32 checksum
 * </pre>
 *
 * The checksum covers the filesystem UUID, the inode number (u32) and bytes 0–251 ({@link
 * InodeChecksum}), so fsck can tell which inode of a damaged table block is bad. A free inode is all zero, checksum
 * included. The u32 fields are held as non-negative longs, {@code mode} (u16) as an int.
 * {@code data} is always {@link Limits#INODE_DATA_SIZE} bytes and is copied in and out.
 *
 * <p>Immutable. A class rather than a record so that the {@code with...} copies share the data
 * area instead of copying it (a record's every construction would clone it): an operation makes
 * several of them per inode it changes.
 */
public final class Inode {

    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;
    public static final int S_ISUID = 04000;
    public static final int S_ISGID = 02000;
    public static final int S_ISVTX = 01000;
    public static final int S_IXGRP = 00010;

    public static final int IMMUTABLE = 0x10;
    public static final int APPEND = 0x20;
    public static final int NODUMP = 0x40;
    public static final int NOATIME = 0x80;
    /** The data area holds the file's bytes (e.g. a short symlink target). */
    public static final int INLINE_DATA = 0x10000000;

    private static final int MODE = 0;
    private static final int UID = 4;
    private static final int GID = 8;
    private static final int LINKS = 12;
    private static final int SIZE = 16;
    private static final int BLOCKS = 24;
    private static final int TIMES = 32; // four i64 seconds: atime, mtime, ctime, btime
    private static final int NANOS = 64; // four u32 nanoseconds, same order
    private static final int GENERATION = 80;
    private static final int FLAGS = 84;
    private static final int XATTR_BLOCK = 88;
    private static final int RDEV = 96;
    private static final int PARENT = 104;
    private static final int ORPHAN_NEXT = 108;
    private static final int DATA = 112;
    private static final int CHECKSUM = 252;

    private final int mode;
    private final long uid;
    private final long gid;
    private final long links;
    private final long size;
    private final long blocks;
    private final Timestamp atime;
    private final Timestamp mtime;
    private final Timestamp ctime;
    private final Timestamp btime;
    private final long generation;
    private final long flags;
    private final long xattrBlock;
    private final long rdev;
    private final long parent;
    private final long orphanNext;
    private final byte[] data;

    /** @throws IllegalArgumentException if {@code data} is not 128 bytes */
    public Inode(int mode, long uid, long gid, long links, long size, long blocks,
            Timestamp atime, Timestamp mtime, Timestamp ctime, Timestamp btime,
            long generation, long flags, long xattrBlock, long rdev, long parent, long orphanNext, byte[] data) {
        this(dataArea(data).array().clone(), mode, uid, gid, links, size, blocks, atime, mtime, ctime, btime,
                generation, flags, xattrBlock, rdev, parent, orphanNext);
    }

    /** Takes {@code ownedData} (128 bytes) as it is: only for an array no one else holds or changes. */
    private Inode(byte[] ownedData, int mode, long uid, long gid, long links, long size, long blocks,
            Timestamp atime, Timestamp mtime, Timestamp ctime, Timestamp btime,
            long generation, long flags, long xattrBlock, long rdev, long parent, long orphanNext) {
        Objects.requireNonNull(atime, "atime");
        Objects.requireNonNull(mtime, "mtime");
        Objects.requireNonNull(ctime, "ctime");
        Objects.requireNonNull(btime, "btime");
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
        this.links = links;
        this.size = size;
        this.blocks = blocks;
        this.atime = atime;
        this.mtime = mtime;
        this.ctime = ctime;
        this.btime = btime;
        this.generation = generation;
        this.flags = flags;
        this.xattrBlock = xattrBlock;
        this.rdev = rdev;
        this.parent = parent;
        this.orphanNext = orphanNext;
        this.data = ownedData;
    }

    public int mode() {
        return mode;
    }

    public long uid() {
        return uid;
    }

    public long gid() {
        return gid;
    }

    public long links() {
        return links;
    }

    public long size() {
        return size;
    }

    public long blocks() {
        return blocks;
    }

    public Timestamp atime() {
        return atime;
    }

    public Timestamp mtime() {
        return mtime;
    }

    public Timestamp ctime() {
        return ctime;
    }

    public Timestamp btime() {
        return btime;
    }

    public long generation() {
        return generation;
    }

    public long flags() {
        return flags;
    }

    public long xattrBlock() {
        return xattrBlock;
    }

    public long rdev() {
        return rdev;
    }

    public long parent() {
        return parent;
    }

    public long orphanNext() {
        return orphanNext;
    }

    public byte[] data() {
        return data.clone();
    }

    /** This inode with {@code mode} replaced. */
    public Inode withMode(int newMode) {
        return new Inode(data, newMode, uid, gid, links, size, blocks, atime, mtime, ctime, btime, generation, flags, xattrBlock, rdev, parent, orphanNext);
    }

    /**
     * Whether this inode has set-ID bits that {@link #withSetIdCleared} takes away: set-user-ID,
     * or set-group-ID with group execute.
     */
    public boolean hasSetIdToClear() {
        return hasSetIdToClear(mode);
    }

    /** Whether {@code mode} has set-ID bits that {@link #withSetIdCleared} takes away. */
    public static boolean hasSetIdToClear(int mode) {
        return (mode & S_ISUID) != 0 || (mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP);
    }

    /**
     * This inode without set-user-ID, and without set-group-ID if it is group-executable: what a
     * write or truncate by a caller without CAP_FSETID, or a change of owner, takes away, as the
     * Linux kernel does. Set-group-ID without group execute marks mandatory locking, not a
     * privilege, and stays.
     */
    public Inode withSetIdCleared() {
        if (!hasSetIdToClear()) {
            return this;
        }
        int cleared = mode & ~S_ISUID;
        if ((mode & S_IXGRP) != 0) {
            cleared &= ~S_ISGID;
        }
        return withMode(cleared);
    }

    /** This inode with another owner and group. */
    public Inode withOwner(long newUid, long newGid) {
        return new Inode(data, mode, newUid, newGid, links, size, blocks, atime, mtime, ctime, btime, generation, flags, xattrBlock, rdev, parent, orphanNext);
    }

    /** This inode with another link count. */
    public Inode withLinks(long newLinks) {
        return new Inode(data, mode, uid, gid, newLinks, size, blocks, atime, mtime, ctime, btime, generation, flags, xattrBlock, rdev, parent, orphanNext);
    }

    /** This inode with another size. */
    public Inode withSize(long newSize) {
        return new Inode(data, mode, uid, gid, links, newSize, blocks, atime, mtime, ctime, btime, generation, flags, xattrBlock, rdev, parent, orphanNext);
    }

    /** This inode with another count of blocks owned. */
    public Inode withBlocks(long newBlocks) {
        return new Inode(data, mode, uid, gid, links, size, newBlocks, atime, mtime, ctime, btime, generation, flags, xattrBlock, rdev, parent, orphanNext);
    }

    /** This inode with other access, modification and change times. */
    public Inode withTimes(Timestamp newAtime, Timestamp newMtime, Timestamp newCtime) {
        return new Inode(data, mode, uid, gid, links, size, blocks, newAtime, newMtime, newCtime, btime, generation, flags, xattrBlock, rdev, parent, orphanNext);
    }

    /** This inode with another data area and flags (which say what the data area holds). */
    public Inode withData(byte[] newData, long newFlags) {
        return new Inode(mode, uid, gid, links, size, blocks, atime, mtime, ctime, btime, generation, newFlags, xattrBlock, rdev, parent, orphanNext, newData);
    }

    /** This inode with another extended-attribute block. */
    public Inode withXattrBlock(long newXattrBlock) {
        return new Inode(data, mode, uid, gid, links, size, blocks, atime, mtime, ctime, btime, generation, flags, newXattrBlock, rdev, parent, orphanNext);
    }

    /** This inode with another parent directory. */
    public Inode withParent(long newParent) {
        return new Inode(data, mode, uid, gid, links, size, blocks, atime, mtime, ctime, btime, generation, flags, xattrBlock, rdev, newParent, orphanNext);
    }

    /** This inode with another successor on the orphan list. */
    public Inode withOrphanNext(long newOrphanNext) {
        return new Inode(data, mode, uid, gid, links, size, blocks, atime, mtime, ctime, btime, generation, flags, xattrBlock, rdev, parent, newOrphanNext);
    }

    /**
     * Writes this inode and its checksum as the 256 bytes at {@code offset} of {@code block}.
     *
     * @throws IllegalArgumentException if a field does not fit its on-disk width or
     *     {@code inodeNumber} is not 1 .. 2³²−1
     * @throws IndexOutOfBoundsException if the inode would not lie inside the block
     */
    public void encode(ByteBuffer block, int offset, long inodeNumber, InodeChecksum checksum) {
        Objects.checkFromIndexSize(offset, Limits.INODE_SIZE, block.capacity());
        BlockHeader.le(block).put(offset, encode(inodeNumber, checksum));
    }

    /**
     * This inode and its checksum as its 256 on-disk bytes.
     *
     * @throws IllegalArgumentException if a field does not fit its on-disk width or
     *     {@code inodeNumber} is not 1 .. 2³²−1
     */
    public byte[] encode(long inodeNumber, InodeChecksum checksum) {
        byte[] bytes = new byte[Limits.INODE_SIZE];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(MODE, Unsigned.u16("mode", mode));
        b.putInt(UID, Unsigned.u32("uid", uid));
        b.putInt(GID, Unsigned.u32("gid", gid));
        b.putInt(LINKS, Unsigned.u32("links", links));
        b.putLong(SIZE, size);
        b.putLong(BLOCKS, blocks);
        putTime(b, 0, atime);
        putTime(b, 1, mtime);
        putTime(b, 2, ctime);
        putTime(b, 3, btime);
        b.putInt(GENERATION, Unsigned.u32("generation", generation));
        b.putInt(FLAGS, Unsigned.u32("flags", flags));
        b.putLong(XATTR_BLOCK, xattrBlock);
        b.putLong(RDEV, rdev);
        b.putInt(PARENT, Unsigned.u32("parent", parent));
        b.putInt(ORPHAN_NEXT, Unsigned.u32("orphan_next", orphanNext));
        b.put(DATA, data);
        b.putInt(CHECKSUM, checksum.of(bytes, inodeNumber, CHECKSUM));
        return bytes;
    }

    /**
     * Reads the inode at {@code offset} without checking it; any bytes decode.
     *
     * @throws IndexOutOfBoundsException if the inode would not lie inside the block
     */
    public static Inode decode(ByteBuffer block, int offset) {
        return decode(bytesAt(block, offset));
    }

    /** Decodes an inode's 256 bytes without checking them. */
    public static Inode decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return new Inode(
                Arrays.copyOfRange(bytes, DATA, DATA + Limits.INODE_DATA_SIZE),
                Short.toUnsignedInt(b.getShort(MODE)),
                u32(b, UID),
                u32(b, GID),
                u32(b, LINKS),
                b.getLong(SIZE),
                b.getLong(BLOCKS),
                time(b, 0),
                time(b, 1),
                time(b, 2),
                time(b, 3),
                u32(b, GENERATION),
                u32(b, FLAGS),
                b.getLong(XATTR_BLOCK),
                b.getLong(RDEV),
                u32(b, PARENT),
                u32(b, ORPHAN_NEXT));
    }

    /**
     * Why the inode at {@code offset}, read as inode {@code inodeNumber} of the filesystem
     * whose inodes {@code checksum} checks, fails its checksum, or empty when it verifies or is
     * free (all zero).
     *
     * @throws IllegalArgumentException if {@code inodeNumber} is not 1 .. 2³²−1
     * @throws IndexOutOfBoundsException if the inode would not lie inside the block
     */
    public static Optional<String> checksumProblem(ByteBuffer block, int offset, long inodeNumber,
            InodeChecksum checksum) {
        return checksumProblem(bytesAt(block, offset), inodeNumber, checksum);
    }

    /** Like {@link #checksumProblem(ByteBuffer, int, long, InodeChecksum)}, for an inode's 256 bytes. */
    public static Optional<String> checksumProblem(byte[] bytes, long inodeNumber, InodeChecksum checksum) {
        if (isFree(bytes)) {
            return Optional.empty();
        }
        int stored = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(CHECKSUM);
        int computed = checksum.of(bytes, inodeNumber, CHECKSUM);
        if (stored != computed) {
            return Optional.of(String.format("inode %d: bad checksum 0x%08x, contents give 0x%08x",
                    inodeNumber, stored, computed));
        }
        return Optional.empty();
    }

    /**
     * Whether the inode at {@code offset} is free: all 256 bytes zero.
     *
     * @throws IndexOutOfBoundsException if the inode would not lie inside the block
     */
    public static boolean isFree(ByteBuffer block, int offset) {
        return isFree(bytesAt(block, offset));
    }

    /** Whether an inode's 256 bytes are those of a free inode: all zero. */
    public static boolean isFree(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A little-endian view of an inode's data area, for the codecs of what it holds.
     *
     * @throws IllegalArgumentException if {@code data} is not 128 bytes
     */
    static ByteBuffer dataArea(byte[] data) {
        if (data.length != Limits.INODE_DATA_SIZE) {
            throw new IllegalArgumentException("an inode's data area is " + Limits.INODE_DATA_SIZE
                    + " bytes, not " + data.length);
        }
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A copy of the 256 bytes of the inode at {@code offset}.
     *
     * @throws IndexOutOfBoundsException if the inode would not lie inside the block
     */
    public static byte[] bytesAt(ByteBuffer block, int offset) {
        Objects.checkFromIndexSize(offset, Limits.INODE_SIZE, block.capacity());
        byte[] bytes = new byte[Limits.INODE_SIZE];
        BlockHeader.le(block).get(offset, bytes);
        return bytes;
    }

    /** Time {@code i} (atime, mtime, ctime, btime) of the inode in {@code b}. */
    private static Timestamp time(ByteBuffer b, int i) {
        return new Timestamp(b.getLong(TIMES + 8 * i), b.getInt(NANOS + 4 * i));
    }

    private static void putTime(ByteBuffer b, int i, Timestamp time) {
        b.putLong(TIMES + 8 * i, time.seconds());
        b.putInt(NANOS + 4 * i, time.nanos());
    }

    private static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Inode i
                && mode == i.mode && uid == i.uid && gid == i.gid && links == i.links
                && size == i.size && blocks == i.blocks
                && atime.equals(i.atime) && mtime.equals(i.mtime) && ctime.equals(i.ctime) && btime.equals(i.btime)
                && generation == i.generation && flags == i.flags && xattrBlock == i.xattrBlock && rdev == i.rdev
                && parent == i.parent && orphanNext == i.orphanNext && Arrays.equals(data, i.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, uid, gid, links, size, blocks, atime, mtime, ctime, btime, generation, flags,
                xattrBlock, rdev, parent, orphanNext, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "Inode[mode=0" + Integer.toOctalString(mode) + ", uid=" + uid + ", gid=" + gid + ", links=" + links
                + ", size=" + size + ", blocks=" + blocks + ", atime=" + atime + ", mtime=" + mtime
                + ", ctime=" + ctime + ", btime=" + btime + ", generation=" + generation
                + ", flags=0x" + Long.toHexString(flags) + ", xattrBlock=" + xattrBlock + ", rdev=" + rdev
                + ", parent=" + parent + ", orphanNext=" + orphanNext
                + ", data=" + HexFormat.of().formatHex(data) + "]";
    }
}
