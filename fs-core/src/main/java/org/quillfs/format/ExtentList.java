package org.quillfs.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The extent header and its entries (docs/FORMAT.md, "Extents"): the same bytes in the inode's
 * data area ({@link ExtentRoot}) and in EXTENT_NODE blocks ({@link ExtentNode}), at a different
 * base offset.
 *
 * <pre>
 *  base+0 u16 magic 0xF30A   +2 u16 entries   +4 u16 maximum   +6 u16 depth
 *  base+8 entries of 24 bytes: u64 logical, u64 physical (or child), u32 length, u32 flags
 * </pre>
 *
 * {@code b} is always a little-endian view whose index 0 is the start of the area.
 */
final class ExtentList {

    private ExtentList() {
    }

    static final int MAGIC = 0xF30A;
    static final int HEADER_SIZE = 8;
    static final int ENTRY_SIZE = 24;

    private static final int COUNT = 2;
    private static final int MAX = 4;
    private static final int DEPTH = 6;

    /** Writes the header and entries; the caller has zeroed the area and checked that they fit. */
    static void write(ByteBuffer b, int base, int max, int depth, List<ExtentEntry> entries) {
        short d = Unsigned.u16("depth", depth);
        b.putShort(base, (short) MAGIC);
        b.putShort(base + COUNT, (short) entries.size());
        b.putShort(base + MAX, (short) max);
        b.putShort(base + DEPTH, d);
        for (int i = 0; i < entries.size(); i++) {
            ExtentEntry e = entries.get(i);
            int at = base + HEADER_SIZE + i * ENTRY_SIZE;
            b.putLong(at, e.logical());
            b.putLong(at + 8, e.physical());
            if (depth == 0) {
                b.putInt(at + 16, Unsigned.u32("extent length", e.length()));
                b.putInt(at + 20, e.flags());
            } else if (e.length() != 0 || e.flags() != 0) {
                throw new IllegalArgumentException("index entry " + i + " has a length or flags: " + e);
            }
        }
    }

    static int magic(ByteBuffer b, int base) {
        return Short.toUnsignedInt(b.getShort(base));
    }

    static int storedCount(ByteBuffer b, int base) {
        return Short.toUnsignedInt(b.getShort(base + COUNT));
    }

    static int storedMax(ByteBuffer b, int base) {
        return Short.toUnsignedInt(b.getShort(base + MAX));
    }

    static int depth(ByteBuffer b, int base) {
        return Short.toUnsignedInt(b.getShort(base + DEPTH));
    }

    /** The entries, unchecked; at most {@code readable} whatever the stored count says. */
    static List<ExtentEntry> read(ByteBuffer b, int base, int readable) {
        int depth = depth(b, base);
        int count = Math.min(storedCount(b, base), readable);
        List<ExtentEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = base + HEADER_SIZE + i * ENTRY_SIZE;
            entries.add(depth == 0
                    ? new ExtentEntry(b.getLong(at), b.getLong(at + 8), Integer.toUnsignedLong(b.getInt(at + 16)),
                            b.getInt(at + 20))
                    : ExtentEntry.index(b.getLong(at), b.getLong(at + 8)));
        }
        return entries;
    }

    /** Entries out of ascending logical order, or (at depth 0) extents that overlap, or empty. */
    static Optional<String> orderProblem(List<ExtentEntry> entries, int depth) {
        for (int i = 1; i < entries.size(); i++) {
            ExtentEntry before = entries.get(i - 1);
            ExtentEntry e = entries.get(i);
            if (Long.compareUnsigned(before.logical(), e.logical()) >= 0) {
                return Optional.of("entry " + i + " (logical block " + Long.toUnsignedString(e.logical())
                        + ") does not come after entry " + (i - 1) + " (logical block "
                        + Long.toUnsignedString(before.logical()) + ")");
            }
            long end = before.logical() + before.length();
            boolean wraps = Long.compareUnsigned(end, before.logical()) < 0;
            if (depth == 0 && (wraps || Long.compareUnsigned(end, e.logical()) > 0)) {
                return Optional.of("extent " + (i - 1) + " (" + before.length() + " blocks from logical block "
                        + Long.toUnsignedString(before.logical()) + ") overlaps extent " + i + " at logical block "
                        + Long.toUnsignedString(e.logical()));
            }
        }
        return Optional.empty();
    }
}
