package org.quillfs.format;

import java.nio.ByteBuffer;
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

    /** Where the extent header starts in the block: right after the common header. */
    private static final int BASE = BlockHeader.SIZE;
    /** Entries that fit in a node of a block of {@code blockSize} bytes: {@code (B − 40) / 24}. */
    public static int maxEntries(int blockSize) {
        return (blockSize - BASE - ExtentList.HEADER_SIZE) / ExtentList.ENTRY_SIZE;
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
        ByteBuffer b = MetadataBlock.begin(block, BlockType.EXTENT_NODE, blockNr);
        ExtentList.write(b, BASE, max, depth, entries);
    }

    public static int depth(ByteBuffer block) {
        return ExtentList.depth(BlockHeader.le(block), BASE);
    }

    /**
     * The entries, without checking them; any block decodes. At most as many as fit in the
     * block are read whatever the stored count says.
     */
    public static List<ExtentEntry> entries(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        return ExtentList.read(b, BASE, maxEntries(b.capacity()));
    }

    /**
     * Why the body of {@code block} is not a well-formed extent node, or empty: bad magic, a
     * maximum other than {@code (B − 40) / 24}, no entries or more than the maximum, entries not
     * in ascending logical order, or extents that overlap. The header is checked separately
     * ({@link BlockHeader#problem}).
     */
    public static Optional<String> problem(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int magic = ExtentList.magic(b, BASE);
        if (magic != ExtentRoot.MAGIC) {
            return Optional.of(String.format("extent node has magic 0x%04x, not 0x%04x", magic, ExtentRoot.MAGIC));
        }
        int max = ExtentList.storedMax(b, BASE);
        if (max != maxEntries(b.capacity())) {
            return Optional.of("extent node says it holds " + max + " entries, not " + maxEntries(b.capacity()));
        }
        int count = ExtentList.storedCount(b, BASE);
        if (count == 0 || count > max) {
            return Optional.of("extent node has " + count + " entries, not 1.." + max);
        }
        return ExtentList.orderProblem(entries(b), depth(b));
    }
}
