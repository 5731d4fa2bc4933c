package org.quillfs.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A DIR_LEAF block (docs/FORMAT.md, "Directories"): a slotted page of directory entries.
 *
 * <pre>
 *   0 header   32 u32 owner   36 u16 entry_count   38 u16 heap_start   40 u64 next_leaf
 *  48 u16 slot[entry_count]: entry offsets in ascending key order
 *     ... free gap ...
 *  heap_start .. B: entries, packed from the end of the block downwards, each
 *     u64 key, u32 inode, u8 file_type, u8 name_length, name   (14 + name_length bytes)
 * </pre>
 *
 * heap_start is the lowest offset an entry may use, B when there is none; for B = 65536 the
 * stored 0 stands for 65536. Space below heap_start that no entry uses (left by removed entries)
 * is reclaimed by compacting the heap when an insert needs it.
 *
 * The accessors and {@link #insert} trust the block's structure: call {@link #problem} first on
 * a block read from disk.
 */
public final class DirectoryLeaf {

    private DirectoryLeaf() {
    }

    private static final int OWNER = 32;
    private static final int ENTRY_COUNT = 36;
    private static final int HEAP_START = 38;
    private static final int NEXT_LEAF = 40;
    private static final int SLOTS = 48;
    private static final int SLOT_SIZE = 2;

    private static final int KEY = 0;
    private static final int INODE = 8;
    private static final int FILE_TYPE = 12;
    private static final int NAME_LENGTH = 13;
    private static final int NAME = 14;

    /**
     * Makes {@code block} an empty leaf (unsealed) of directory {@code ownerInode}.
     *
     * @throws IllegalArgumentException if {@code ownerInode} does not fit in a u32
     */
    public static void init(ByteBuffer block, long blockNr, long ownerInode) {
        int owner = Unsigned.u32("owner", ownerInode);
        ByteBuffer b = MetadataBlock.begin(block, BlockType.DIR_LEAF, blockNr);
        b.putInt(OWNER, owner);
        setHeapStart(b, block.capacity());
    }

    public static long owner(ByteBuffer block) {
        return Integer.toUnsignedLong(BlockHeader.le(block).getInt(OWNER));
    }

    public static int entryCount(ByteBuffer block) {
        return Short.toUnsignedInt(BlockHeader.le(block).getShort(ENTRY_COUNT));
    }

    /** The right sibling in key order, 0 for the last leaf. */
    public static long nextLeaf(ByteBuffer block) {
        return BlockHeader.le(block).getLong(NEXT_LEAF);
    }

    public static void setNextLeaf(ByteBuffer block, long nextLeaf) {
        BlockHeader.le(block).putLong(NEXT_LEAF, nextLeaf);
    }

    /**
     * The entries in slot order, which in a sound leaf is ascending key order.
     *
     * @throws IllegalArgumentException if the slot array or an entry lies outside the block
     */
    public static List<DirEntry> entries(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int count = entryCount(b);
        if (slotsEnd(count) > b.capacity()) {
            throw new IllegalArgumentException(slotsOutside(count, b.capacity()));
        }
        List<DirEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = slot(b, i);
            if (entryEnd(b, at) < 0) {
                throw new IllegalArgumentException(entryOutside(i, at));
            }
            byte[] name = new byte[nameLength(b, at)];
            b.get(at + NAME, name);
            entries.add(new DirEntry(b.getLong(at + KEY), Integer.toUnsignedLong(b.getInt(at + INODE)),
                    Byte.toUnsignedInt(b.get(at + FILE_TYPE)), name));
        }
        return entries;
    }

    /** The index of the first slot whose key is at least {@code key} (the entry count if none): for range scans. */
    public static int firstAtOrAbove(ByteBuffer block, long key) {
        ByteBuffer b = BlockHeader.le(block);
        int i = search(b, entryCount(b), key);
        return i >= 0 ? i : -i - 1;
    }

    /** The key of the entry in slot {@code i} (of a verified leaf). */
    public static long keyAt(ByteBuffer block, int i) {
        return key(BlockHeader.le(block), i);
    }

    /** Whether the entry in slot {@code i} (of a verified leaf) is named {@code name}; allocates nothing. */
    public static boolean nameAtEquals(ByteBuffer block, int i, byte[] name) {
        ByteBuffer b = BlockHeader.le(block);
        int at = slot(b, i);
        if (nameLength(b, at) != name.length) {
            return false;
        }
        for (int k = 0; k < name.length; k++) {
            if (b.get(at + NAME + k) != name[k]) {
                return false;
            }
        }
        return true;
    }

    /** The entry in slot {@code i} (of a verified leaf). */
    public static DirEntry entryAt(ByteBuffer block, int i) {
        ByteBuffer b = BlockHeader.le(block);
        int at = slot(b, i);
        byte[] name = new byte[nameLength(b, at)];
        b.get(at + NAME, name);
        return new DirEntry(b.getLong(at + KEY), Integer.toUnsignedLong(b.getInt(at + INODE)),
                Byte.toUnsignedInt(b.get(at + FILE_TYPE)), name);
    }

    /**
     * Checks that {@code entry} may go into a leaf: its name, key, inode (not 0, a u32) and
     * {@code DT_*} file type.
     *
     * @throws IllegalArgumentException naming what is invalid
     */
    public static void check(DirEntry entry) {
        DirectoryKeys.nameProblem(entry.name()).ifPresent(why -> {
            throw new IllegalArgumentException(why);
        });
        if (!DirectoryKeys.isValidKey(entry.key())) {
            throw new IllegalArgumentException("0x" + Long.toHexString(entry.key()) + " is not a directory key");
        }
        int inode = Unsigned.u32("inode", entry.inode());
        if (inode == 0 || !DirectoryKeys.isFileType(entry.fileType())) {
            throw new IllegalArgumentException("an entry needs an inode and a file type: " + entry);
        }
    }

    /**
     * Adds {@code entry} in key order, compacting the heap first if only the space left by
     * removed entries makes room.
     *
     * @return false, leaving the block unchanged, when the entry does not fit
     * @throws IllegalArgumentException if the entry is invalid (name, key, inode 0, file type)
     *     or its key is already in the leaf
     */
    public static boolean insert(ByteBuffer block, DirEntry entry) {
        check(entry);
        byte[] name = entry.name();
        int inode = (int) entry.inode();
        ByteBuffer b = BlockHeader.le(block);
        int count = entryCount(b);
        int index = search(b, count, entry.key());
        if (index >= 0) {
            throw new IllegalArgumentException("key 0x" + Long.toHexString(entry.key()) + " is already in the leaf");
        }
        int size = NAME + name.length;
        if (heapStart(b) - slotsEnd(count) < size + SLOT_SIZE) { // perhaps room below heap_start
            if (!hasRoomFor(block, name.length)) {
                return false;
            }
            compact(b, count);
        }
        int at = heapStart(b) - size;
        b.putLong(at + KEY, entry.key());
        b.putInt(at + INODE, inode);
        b.put(at + FILE_TYPE, (byte) entry.fileType());
        b.put(at + NAME_LENGTH, (byte) name.length);
        b.put(at + NAME, name);
        int insertAt = -index - 1;
        for (int i = count; i > insertAt; i--) {
            setSlot(b, i, slot(b, i - 1));
        }
        setSlot(b, insertAt, at);
        b.putShort(ENTRY_COUNT, (short) (count + 1));
        setHeapStart(b, at);
        return true;
    }

    /**
     * Removes the entry with {@code key}: zeroes its bytes and its slot's, and closes the gap in
     * the slot array. heap_start stays where it is; a later insert compacts the heap if it needs
     * the space.
     *
     * @return false, leaving the block unchanged, when no entry has {@code key}
     */
    public static boolean remove(ByteBuffer block, long key) {
        ByteBuffer b = BlockHeader.le(block);
        int count = entryCount(b);
        int index = search(b, count, key);
        if (index < 0) {
            return false;
        }
        int at = slot(b, index);
        b.put(at, new byte[NAME + nameLength(b, at)]);
        for (int i = index; i < count - 1; i++) {
            setSlot(b, i, slot(b, i + 1));
        }
        setSlot(b, count - 1, 0);
        b.putShort(ENTRY_COUNT, (short) (count - 1));
        return true;
    }

    /** Whether an entry with a name of {@code nameLength} bytes fits (after compaction if need be). */
    public static boolean hasRoomFor(ByteBuffer block, int nameLength) {
        return freeBytes(block) >= NAME + nameLength + SLOT_SIZE;
    }

    /** Bytes not used by the header, the slots and the entries: room for entries plus their slots. */
    public static int freeBytes(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int count = entryCount(b);
        int free = b.capacity() - slotsEnd(count);
        for (int i = 0; i < count; i++) {
            free -= NAME + nameLength(b, slot(b, i));
        }
        return free;
    }

    /**
     * What is structurally wrong with {@code block} as a leaf, or empty: the slot array must fit,
     * heap_start lie between it and the end of the block, every entry lie inside the heap and be
     * valid (key, inode, file type, name), entries must not overlap and keys must ascend strictly.
     * Neither the header nor the owner is checked. Any bytes are examined without throwing.
     */
    public static Optional<String> problem(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int size = b.capacity();
        int count = entryCount(b);
        int slotsEnd = slotsEnd(count);
        if (slotsEnd > size) {
            return Optional.of(slotsOutside(count, size));
        }
        int heapStart = heapStart(b);
        if (heapStart < slotsEnd || heapStart > size) {
            return Optional.of("heap_start " + heapStart + " is not between the end of the slots (" + slotsEnd
                    + ") and the end of the block (" + size + ")");
        }
        long[] extents = new long[count]; // start << 32 | end of each entry, to find overlaps
        for (int i = 0; i < count; i++) {
            int at = slot(b, i);
            if (at < heapStart) {
                return Optional.of("slot " + i + ": entry at offset " + at + " is below heap_start " + heapStart);
            }
            int end = entryEnd(b, at);
            if (end < 0) {
                return Optional.of(entryOutside(i, at));
            }
            Optional<String> entryProblem = entryProblem(b, at);
            if (entryProblem.isPresent()) {
                return Optional.of("slot " + i + ": " + entryProblem.get());
            }
            extents[i] = (long) at << 32 | end;
        }
        Arrays.sort(extents);
        for (int i = 1; i < count; i++) {
            if (extents[i] >>> 32 < (int) extents[i - 1]) {
                return Optional.of("entries at offsets " + (extents[i - 1] >>> 32) + " and " + (extents[i] >>> 32)
                        + " overlap");
            }
        }
        for (int i = 1; i < count; i++) {
            if (key(b, i) <= key(b, i - 1)) {
                return Optional.of("slot " + i + ": key 0x" + Long.toHexString(key(b, i))
                        + " does not come after key 0x" + Long.toHexString(key(b, i - 1)));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> entryProblem(ByteBuffer b, int at) {
        long key = b.getLong(at + KEY);
        if (!DirectoryKeys.isValidKey(key)) {
            return Optional.of("0x" + Long.toHexString(key) + " is not a directory key");
        }
        if (b.getInt(at + INODE) == 0) {
            return Optional.of("entry names inode 0");
        }
        int type = Byte.toUnsignedInt(b.get(at + FILE_TYPE));
        if (!DirectoryKeys.isFileType(type)) {
            return Optional.of("file type " + type + " is not a DT_* value");
        }
        byte[] name = new byte[nameLength(b, at)];
        b.get(at + NAME, name);
        return DirectoryKeys.nameProblem(name);
    }

    /** Rewrites the entries packed against the end of the block, in slot order, zeroing the gap. */
    private static void compact(ByteBuffer b, int count) {
        byte[][] entries = new byte[count][];
        for (int i = 0; i < count; i++) {
            int at = slot(b, i);
            entries[i] = new byte[NAME + nameLength(b, at)];
            b.get(at, entries[i]);
        }
        int top = b.capacity();
        b.put(slotsEnd(count), new byte[top - slotsEnd(count)]);
        for (int i = 0; i < count; i++) {
            top -= entries[i].length;
            b.put(top, entries[i]);
            setSlot(b, i, top);
        }
        setHeapStart(b, top);
    }

    /** Binary search by key: the slot index, or {@code -(insertion point) - 1}. */
    private static int search(ByteBuffer b, int count, long key) {
        int low = 0;
        int high = count - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long midKey = key(b, mid);
            if (midKey < key) {
                low = mid + 1;
            } else if (midKey > key) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -low - 1;
    }

    private static int heapStart(ByteBuffer b) {
        int stored = Short.toUnsignedInt(b.getShort(HEAP_START));
        return stored == 0 && b.capacity() == Limits.MAX_BLOCK_SIZE ? Limits.MAX_BLOCK_SIZE : stored;
    }

    private static void setHeapStart(ByteBuffer b, int heapStart) {
        b.putShort(HEAP_START, (short) heapStart); // 65536 is stored as 0
    }

    private static int slotsEnd(int count) {
        return SLOTS + count * SLOT_SIZE;
    }

    private static int slot(ByteBuffer b, int i) {
        return Short.toUnsignedInt(b.getShort(SLOTS + i * SLOT_SIZE));
    }

    private static void setSlot(ByteBuffer b, int i, int offset) {
        b.putShort(SLOTS + i * SLOT_SIZE, (short) offset);
    }

    private static long key(ByteBuffer b, int i) {
        return b.getLong(slot(b, i) + KEY);
    }

    private static int nameLength(ByteBuffer b, int at) {
        return Byte.toUnsignedInt(b.get(at + NAME_LENGTH));
    }

    /** The end of the entry at {@code at}, or -1 when it does not lie inside the block. */
    private static int entryEnd(ByteBuffer b, int at) {
        if (at + NAME > b.capacity()) {
            return -1;
        }
        int end = at + NAME + nameLength(b, at);
        return end <= b.capacity() ? end : -1;
    }

    private static String slotsOutside(int count, int size) {
        return "entry_count " + count + ": the slots do not fit in a block of " + size + " bytes";
    }

    private static String entryOutside(int slot, int at) {
        return "slot " + slot + ": entry at offset " + at + " lies outside the block";
    }
}
