package org.quillfs.format;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * The data area of a regular file or long symlink inode: the root of its extent tree
 * (docs/FORMAT.md, "Extents").
 *
 * <pre>
 *   0 u16 magic 0xF30A   2 u16 entries in use   4 u16 max entries (5)   6 u16 depth
 *   8 five entries of 24 bytes:
 *     extent (depth 0):     u64 logical, u64 physical, u32 length, u32 flags
 *     index  (depth > 0):   u64 first logical, u64 child block, u64 reserved
 * </pre>
 *
 * {@code depth} (u16) is held as a non-negative int.
 */
public record ExtentRoot(int depth, List<ExtentEntry> entries) {

    public static final int MAGIC = ExtentList.MAGIC;

    public ExtentRoot {
        entries = List.copyOf(entries);
    }

    /**
     * The 128-byte data area holding this root.
     *
     * @throws IllegalArgumentException if there are more than {@link Limits#INODE_EXTENTS}
     *     entries, an index entry has a length or flags, or a field does not fit
     */
    public byte[] encode() {
        if (entries.size() > Limits.INODE_EXTENTS) {
            throw new IllegalArgumentException(entries.size() + " extents do not fit in an inode, which holds "
                    + Limits.INODE_EXTENTS);
        }
        ByteBuffer b = Inode.dataArea(new byte[Limits.INODE_DATA_SIZE]);
        ExtentList.write(b, 0, Limits.INODE_EXTENTS, depth, entries);
        return b.array();
    }

    /**
     * Reads the root without checking it (see {@link #problem}); any 128 bytes decode. At most
     * {@link Limits#INODE_EXTENTS} entries are read whatever the stored count says.
     *
     * @throws IllegalArgumentException if {@code data} is not 128 bytes
     */
    public static ExtentRoot decode(byte[] data) {
        ByteBuffer b = Inode.dataArea(data);
        return new ExtentRoot(ExtentList.depth(b, 0), ExtentList.read(b, 0, Limits.INODE_EXTENTS));
    }

    /**
     * Why {@code data} is not a well-formed extent root, or empty: bad magic, a maximum other
     * than {@link Limits#INODE_EXTENTS}, too many entries, entries not in ascending order of
     * logical block, or extents that overlap.
     *
     * @throws IllegalArgumentException if {@code data} is not 128 bytes
     */
    public static Optional<String> problem(byte[] data) {
        ByteBuffer b = Inode.dataArea(data);
        int magic = ExtentList.magic(b, 0);
        if (magic != MAGIC) {
            return Optional.of(String.format("extent root has magic 0x%04x, not 0x%04x", magic, MAGIC));
        }
        int max = ExtentList.storedMax(b, 0);
        if (max != Limits.INODE_EXTENTS) {
            return Optional.of("extent root says it holds " + max + " entries, not " + Limits.INODE_EXTENTS);
        }
        if (ExtentList.storedCount(b, 0) > max) {
            return Optional.of("extent root has " + ExtentList.storedCount(b, 0) + " entries, more than " + max);
        }
        return ExtentList.orderProblem(ExtentList.read(b, 0, max), ExtentList.depth(b, 0));
    }
}
