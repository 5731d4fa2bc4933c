package org.quillfs.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A DIR_NODE block (docs/FORMAT.md, "Directories"): an interior block of a directory's B+tree.
 *
 * <pre>
 *   0 header   32 u32 owner   36 u16 entry_count   38 u16 level (1 = children are leaves)
 *  40 entry[entry_count]: u64 first_key, u64 child, in strictly ascending first_key order
 * </pre>
 *
 * Child i holds the keys k with {@code first_key[i] <= k < first_key[i+1]}: first_key is the
 * lower bound of the child's range (0 for the first child of the leftmost node of a level), not
 * necessarily a key that exists.
 *
 * The accessors and {@link #insert} trust the block's structure: call {@link #problem} first on
 * a block read from disk.
 */
public final class DirectoryNode {

    private DirectoryNode() {
    }

    /** One entry of a node: the lower bound of a child's key range and the child's block number. */
    public record Entry(long firstKey, long child) {
    }

    private static final int OWNER = 32;
    private static final int ENTRY_COUNT = 36;
    private static final int LEVEL = 38;
    private static final int ENTRIES = 40;
    private static final int ENTRY_SIZE = 16;

    /** The most entries a node of {@code blockSize} bytes holds. */
    public static int capacity(int blockSize) {
        return (blockSize - ENTRIES) / ENTRY_SIZE;
    }

    /**
     * Makes {@code block} an empty node (unsealed) of directory {@code ownerInode} at {@code level}.
     *
     * @throws IllegalArgumentException if {@code ownerInode} does not fit in a u32 or
     *     {@code level} is not 1 .. 65535
     */
    public static void init(ByteBuffer block, long blockNr, long ownerInode, int level) {
        int owner = Unsigned.u32("owner", ownerInode);
        if (level < 1) {
            throw new IllegalArgumentException("a node's level is at least 1, not " + level);
        }
        short storedLevel = Unsigned.u16("level", level);
        ByteBuffer b = MetadataBlock.begin(block, BlockType.DIR_NODE, blockNr);
        b.putInt(OWNER, owner);
        b.putShort(LEVEL, storedLevel);
    }

    public static long owner(ByteBuffer block) {
        return Integer.toUnsignedLong(BlockHeader.le(block).getInt(OWNER));
    }

    public static int entryCount(ByteBuffer block) {
        return Short.toUnsignedInt(BlockHeader.le(block).getShort(ENTRY_COUNT));
    }

    public static int level(ByteBuffer block) {
        return Short.toUnsignedInt(BlockHeader.le(block).getShort(LEVEL));
    }

    /**
     * The entries in stored order.
     *
     * @throws IllegalArgumentException if the entries do not fit in the block
     */
    public static List<Entry> entries(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int count = entryCount(b);
        if (count > capacity(b.capacity())) {
            throw new IllegalArgumentException(tooMany(count, b.capacity()));
        }
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            entries.add(read(b, i));
        }
        return entries;
    }

    /** Entry {@code index} (0 .. entry_count-1). */
    public static Entry entry(ByteBuffer block, int index) {
        ByteBuffer b = BlockHeader.le(block);
        checkIndex(index, entryCount(b));
        return read(b, index);
    }

    /**
     * The index of the child whose range holds {@code key}: the last entry whose first_key is at
     * most {@code key}, or 0 when there is none.
     */
    public static int childIndex(ByteBuffer block, long key) {
        ByteBuffer b = BlockHeader.le(block);
        int low = 0;
        int high = entryCount(b) - 1;
        int found = 0;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (b.getLong(ENTRIES + mid * ENTRY_SIZE) <= key) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    /**
     * Inserts {@code entry} at position {@code index}, moving the entries from there up by one.
     * The caller keeps the first keys ascending.
     *
     * @return false, leaving the block unchanged, when the node is full
     * @throws IllegalArgumentException if {@code index} is not 0 .. entry_count or the child is 0
     */
    public static boolean insert(ByteBuffer block, int index, Entry entry) {
        ByteBuffer b = BlockHeader.le(block);
        int count = entryCount(b);
        if (index < 0 || index > count) {
            throw new IllegalArgumentException("insert at " + index + " in a node of " + count + " entries");
        }
        if (entry.child() == 0) {
            throw new IllegalArgumentException("a node entry needs a child block: " + entry);
        }
        if (count >= capacity(b.capacity())) {
            return false;
        }
        for (int i = count; i > index; i--) {
            put(b, i, read(b, i - 1));
        }
        put(b, index, entry);
        b.putShort(ENTRY_COUNT, (short) (count + 1));
        return true;
    }

    /** Removes entry {@code index}, moving the later entries down and zeroing the freed bytes. */
    public static void remove(ByteBuffer block, int index) {
        ByteBuffer b = BlockHeader.le(block);
        int count = entryCount(b);
        checkIndex(index, count);
        for (int i = index; i < count - 1; i++) {
            put(b, i, read(b, i + 1));
        }
        b.putLong(ENTRIES + (count - 1) * ENTRY_SIZE, 0);
        b.putLong(ENTRIES + (count - 1) * ENTRY_SIZE + 8, 0);
        b.putShort(ENTRY_COUNT, (short) (count - 1));
    }

    /** Replaces the first key of entry {@code index}; the caller keeps the keys ascending. */
    public static void setFirstKey(ByteBuffer block, int index, long firstKey) {
        ByteBuffer b = BlockHeader.le(block);
        checkIndex(index, entryCount(b));
        b.putLong(ENTRIES + index * ENTRY_SIZE, firstKey);
    }

    /**
     * What is structurally wrong with {@code block} as a node, or empty: the level must be at
     * least 1, the entries must fit, first keys must ascend strictly and fit 63 bits, no child may
     * be 0. Neither the header nor the owner is checked. Any bytes are examined without throwing.
     */
    public static Optional<String> problem(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int level = level(b);
        if (level < 1) {
            return Optional.of("node level 0");
        }
        int count = entryCount(b);
        if (count > capacity(b.capacity())) {
            return Optional.of(tooMany(count, b.capacity()));
        }
        for (int i = 0; i < count; i++) {
            Entry e = read(b, i);
            if (e.firstKey() < 0) {
                return Optional.of("entry " + i + ": first key 0x" + Long.toHexString(e.firstKey())
                        + " does not fit 63 bits");
            }
            if (e.child() == 0) {
                return Optional.of("entry " + i + ": no child block");
            }
            if (i > 0 && e.firstKey() <= b.getLong(ENTRIES + (i - 1) * ENTRY_SIZE)) {
                return Optional.of("entry " + i + ": first key 0x" + Long.toHexString(e.firstKey())
                        + " does not come after 0x" + Long.toHexString(b.getLong(ENTRIES + (i - 1) * ENTRY_SIZE)));
            }
        }
        return Optional.empty();
    }

    private static Entry read(ByteBuffer b, int i) {
        int at = ENTRIES + i * ENTRY_SIZE;
        return new Entry(b.getLong(at), b.getLong(at + 8));
    }

    private static void put(ByteBuffer b, int i, Entry e) {
        int at = ENTRIES + i * ENTRY_SIZE;
        b.putLong(at, e.firstKey());
        b.putLong(at + 8, e.child());
    }

    private static void checkIndex(int index, int count) {
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("entry " + index + " of a node of " + count + " entries");
        }
    }

    private static String tooMany(int count, int size) {
        return "entry_count " + count + ": the entries do not fit in a block of " + size + " bytes";
    }
}
