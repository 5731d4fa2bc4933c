package org.quillfs.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
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

    public static final int MAGIC = 0xF30A;

    private static final int COUNT = 2;
    private static final int MAX = 4;
    private static final int DEPTH = 6;
    private static final int ENTRIES = 8;
    private static final int ENTRY_SIZE = 24;

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
        b.putShort(0, (short) MAGIC);
        b.putShort(COUNT, (short) entries.size());
        b.putShort(MAX, (short) Limits.INODE_EXTENTS);
        b.putShort(DEPTH, Unsigned.u16("depth", depth));
        for (int i = 0; i < entries.size(); i++) {
            ExtentEntry e = entries.get(i);
            int at = ENTRIES + i * ENTRY_SIZE;
            b.putLong(at, e.logical());
            b.putLong(at + 8, e.physical());
            if (depth == 0) {
                b.putInt(at + 16, Unsigned.u32("extent length", e.length()));
                b.putInt(at + 20, e.flags());
            } else if (e.length() != 0 || e.flags() != 0) {
                throw new IllegalArgumentException("index entry " + i + " has a length or flags: " + e);
            }
        }
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
        int depth = Short.toUnsignedInt(b.getShort(DEPTH));
        int count = Math.min(storedCount(b), Limits.INODE_EXTENTS);
        List<ExtentEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = ENTRIES + i * ENTRY_SIZE;
            entries.add(depth == 0
                    ? new ExtentEntry(b.getLong(at), b.getLong(at + 8), Integer.toUnsignedLong(b.getInt(at + 16)),
                            b.getInt(at + 20))
                    : ExtentEntry.index(b.getLong(at), b.getLong(at + 8)));
        }
        return new ExtentRoot(depth, entries);
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
        int magic = Short.toUnsignedInt(b.getShort(0));
        if (magic != MAGIC) {
            return Optional.of(String.format("extent root has magic 0x%04x, not 0x%04x", magic, MAGIC));
        }
        int max = Short.toUnsignedInt(b.getShort(MAX));
        if (max != Limits.INODE_EXTENTS) {
            return Optional.of("extent root says it holds " + max + " entries, not " + Limits.INODE_EXTENTS);
        }
        if (storedCount(b) > max) {
            return Optional.of("extent root has " + storedCount(b) + " entries, more than " + max);
        }
        ExtentRoot root = decode(data);
        for (int i = 1; i < root.entries.size(); i++) {
            ExtentEntry before = root.entries.get(i - 1);
            ExtentEntry e = root.entries.get(i);
            if (Long.compareUnsigned(before.logical(), e.logical()) >= 0) {
                return Optional.of("entry " + i + " (logical block " + Long.toUnsignedString(e.logical())
                        + ") does not come after entry " + (i - 1) + " (logical block "
                        + Long.toUnsignedString(before.logical()) + ")");
            }
            long end = before.logical() + before.length();
            boolean wraps = Long.compareUnsigned(end, before.logical()) < 0;
            if (root.depth == 0 && (wraps || Long.compareUnsigned(end, e.logical()) > 0)) {
                return Optional.of("extent " + (i - 1) + " (" + before.length() + " blocks from logical block "
                        + Long.toUnsignedString(before.logical()) + ") overlaps extent " + i + " at logical block "
                        + Long.toUnsignedString(e.logical()));
            }
        }
        return Optional.empty();
    }

    private static int storedCount(ByteBuffer b) {
        return Short.toUnsignedInt(b.getShort(COUNT));
    }
}
