package org.quillfs.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An EXTENT_NODE block (docs/FORMAT.md, "Extents"): one node of a file's extent tree below the
 * root in the inode.
 *
 * <pre>
 *   0 header (type EXTENT_NODE)
 *  32 u16 magic 0xF30A   34 u16 entries in use   36 u16 max entries ((B − 40) / 24)   38 u16 depth
 *  40 entries of 24 bytes, as in the root:
 *     extent (depth 0):     u64 logical, u64 physical, u32 length, u32 flags
 *     index  (depth > 0):   u64 first logical, u64 child block, u64 reserved (0)
 * </pre>
 *
 * A node holds at least one entry; entries are in ascending logical order and, at depth 0, do
 * not overlap. The accessors trust the block: call {@link #problem} on a block read from disk.
 */
public final class ExtentNode {

    private ExtentNode() {
    }

    private static final int MAGIC = 32;
    private static final int COUNT = 34;
    private static final int MAX = 36;
    private static final int DEPTH = 38;
    /** Where the entries start. */
    public static final int ENTRIES = 40;
    public static final int ENTRY_SIZE = 24;

    /** Entries that fit in a node of a block of {@code blockSize} bytes. */
    public static int maxEntries(int blockSize) {
        return (blockSize - ENTRIES) / ENTRY_SIZE;
    }

    /**
     * Makes {@code block} (every byte) an extent node (unsealed) of {@code depth} holding
     * {@code entries}.
     *
     * @throws IllegalArgumentException if the entries do not fit, an index entry has a length
     *     or flags, or a field does not fit its width
     */
    public static void encode(ByteBuffer block, long blockNr, int depth, List<ExtentEntry> entries) {
        int max = maxEntries(block.capacity());
        if (entries.size() > max) {
            throw new IllegalArgumentException(entries.size() + " entries do not fit in an extent node, which holds "
                    + max);
        }
        short d = Unsigned.u16("depth", depth);
        ByteBuffer b = MetadataBlock.begin(block, BlockType.EXTENT_NODE, blockNr);
        b.putShort(MAGIC, (short) ExtentRoot.MAGIC);
        b.putShort(COUNT, (short) entries.size());
        b.putShort(MAX, (short) max);
        b.putShort(DEPTH, d);
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
    }

    public static int depth(ByteBuffer block) {
        return Short.toUnsignedInt(BlockHeader.le(block).getShort(DEPTH));
    }

    /**
     * The entries, without checking them; any block decodes. At most as many as fit in the
     * block are read whatever the stored count says.
     */
    public static List<ExtentEntry> entries(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int depth = depth(b);
        int count = Math.min(Short.toUnsignedInt(b.getShort(COUNT)), maxEntries(b.capacity()));
        List<ExtentEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = ENTRIES + i * ENTRY_SIZE;
            entries.add(depth == 0
                    ? new ExtentEntry(b.getLong(at), b.getLong(at + 8), Integer.toUnsignedLong(b.getInt(at + 16)),
                            b.getInt(at + 20))
                    : ExtentEntry.index(b.getLong(at), b.getLong(at + 8)));
        }
        return entries;
    }

    /**
     * Why the body of {@code block} is not a well-formed extent node, or empty: bad magic, a
     * maximum other than {@code (B − 40) / 24}, no entries or more than the maximum, entries not
     * in ascending logical order, or extents that overlap. The header is checked separately
     * ({@link BlockHeader#problem}).
     */
    public static Optional<String> problem(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int magic = Short.toUnsignedInt(b.getShort(MAGIC));
        if (magic != ExtentRoot.MAGIC) {
            return Optional.of(String.format("extent node has magic 0x%04x, not 0x%04x", magic, ExtentRoot.MAGIC));
        }
        int max = Short.toUnsignedInt(b.getShort(MAX));
        if (max != maxEntries(b.capacity())) {
            return Optional.of("extent node says it holds " + max + " entries, not " + maxEntries(b.capacity()));
        }
        int count = Short.toUnsignedInt(b.getShort(COUNT));
        if (count == 0 || count > max) {
            return Optional.of("extent node has " + count + " entries, not 1.." + max);
        }
        int depth = depth(b);
        List<ExtentEntry> entries = entries(b);
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
