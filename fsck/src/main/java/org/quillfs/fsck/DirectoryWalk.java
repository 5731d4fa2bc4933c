package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.quillfs.format.BlockType;

/**
 * Reads a directory's B+tree (docs/FORMAT.md, "Directories") the way fsck must: nothing
 * trusted, every entry that can be read handed to the visitor, every problem one line. A block
 * is the directory's — claimed by it — when its header is right at its own number (checksum
 * aside) and it names the directory as its owner; a pointer to anything else is a problem and
 * what lies below it is lost. A directory with problems is rewritten from its entries
 * ({@link DirectoryWriter}).
 *
 * <p>Entries are identified by {@link #entryId}: the leaf block and the slot, the same in every
 * walk of an unchanged tree, so that pass 2's decisions can be applied to a later walk.
 */
final class DirectoryWalk {

    /** Deeper than any directory needs (a 1 KiB-block tree of depth 16 holds more than 10⁴⁰ entries). */
    static final int MAX_DEPTH = 16;

    private static final int MAGIC = 0xD12E;
    private static final int OWNER = 32;
    private static final int COUNT = 36;
    private static final int HEAP_START = 38;
    private static final int NEXT_LEAF = 40;
    private static final int SLOTS = 48;
    private static final int NODE_LEVEL = 38;
    private static final int NODE_ENTRIES = 40;
    private static final int ENTRY_HEAD = 14;
    /** Keys are below 2⁶³; as an unsigned bound this is "no upper bound". */
    private static final long NO_UPPER = Long.MIN_VALUE;

    /** One entry as stored; {@code name} is the raw bytes. */
    record Entry(long id, long key, long inode, int fileType, byte[] name) {
    }

    interface Visitor {
        void entry(Entry entry);
    }

    /** What the walk found; {@code fatal}: the inode's data area is no directory root. */
    record Result(String fatal, long[] blocks, List<String> problems, long storedCount, long entries) {

        boolean sound() {
            return fatal == null && problems.isEmpty();
        }
    }

    static long entryId(long leaf, int slot) {
        return leaf << 15 | slot;
    }

    private final Volume volume;
    private final long dir;
    private final Visitor visitor;
    private final List<Long> blocks = new ArrayList<>();
    private final Set<Long> seen = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private final List<long[]> leaves = new ArrayList<>(); // {block, next_leaf}
    private long entries;
    private int rootDepth;

    private DirectoryWalk(Volume volume, long dir, Visitor visitor) {
        this.volume = volume;
        this.dir = dir;
        this.visitor = visitor;
    }

    /** Walks directory {@code dir} whose data area is {@code data}; {@code visitor} may be null. */
    static Result walk(Volume volume, long dir, byte[] data, Visitor visitor) {
        return new DirectoryWalk(volume, dir, visitor).run(data);
    }

    private Result run(byte[] data) {
        ByteBuffer root = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int magic = Short.toUnsignedInt(root.getShort(0));
        int depth = Short.toUnsignedInt(root.getShort(2));
        long rootBlock = root.getLong(8);
        long storedCount = root.getLong(16);
        if (magic != MAGIC) {
            String why = String.format("its directory root has magic 0x%04x, not 0x%04x", magic, MAGIC);
            return new Result(why, new long[0], List.of(why), 0, 0);
        }
        if (depth > MAX_DEPTH) {
            String why = "its directory tree is " + depth + " levels deep (at most " + MAX_DEPTH + ")";
            return new Result(why, new long[0], List.of(why), 0, 0);
        }
        if (rootBlock != 0) {
            rootDepth = depth;
            visit(rootBlock, depth, 0, NO_UPPER, "the directory root");
            for (int i = 0; i < leaves.size(); i++) {
                long expected = i + 1 < leaves.size() ? leaves.get(i + 1)[0] : 0;
                if (leaves.get(i)[1] != expected) {
                    problems.add("leaf " + leaves.get(i)[0] + " says the next leaf is " + leaves.get(i)[1]
                            + ", not " + expected);
                    break;
                }
            }
        }
        return new Result(null, blocks.stream().mapToLong(Long::longValue).toArray(), problems, storedCount, entries);
    }

    private void visit(long blockNr, int level, long lower, long upper, String where) {
        if (!volume.isDataBlock(blockNr)) {
            problems.add(where + " points at block " + blockNr + ", outside the groups' data areas");
            return;
        }
        if (!seen.add(blockNr)) {
            problems.add(where + " points at block " + blockNr + " a second time");
            return;
        }
        BlockType type = level == 0 ? BlockType.DIR_LEAF : BlockType.DIR_NODE;
        String what = (level == 0 ? "leaf " : "node ") + blockNr;
        ByteBuffer block = volume.read(blockNr).order(ByteOrder.LITTLE_ENDIAN);
        if (volume.onlyChecksumWrong(block, type, blockNr)) {
            problems.add(what + " has a bad checksum");
        } else {
            var header = volume.headerProblem(block, type, blockNr);
            if (header.isPresent()) {
                problems.add(where + " points at block " + blockNr + ": " + header.get());
                return;
            }
        }
        long owner = Integer.toUnsignedLong(block.getInt(OWNER));
        if (owner != dir) {
            problems.add(where + " points at block " + blockNr + ", which belongs to inode " + owner);
            return;
        }
        if (level == 0) {
            blocks.add(blockNr);
            leaf(block, blockNr, lower, upper, what);
        } else {
            node(block, blockNr, level, lower, upper, what);
        }
    }

    private void node(ByteBuffer b, long blockNr, int level, long lower, long upper, String what) {
        int storedLevel = Short.toUnsignedInt(b.getShort(NODE_LEVEL));
        int count = Short.toUnsignedInt(b.getShort(COUNT));
        int capacity = (volume.blockSize - NODE_ENTRIES) / 16;
        if (storedLevel != level || count == 0 || count > capacity) {
            problems.add(what + " is damaged (level " + storedLevel + " where " + level + " was expected, " + count
                    + " entries of at most " + capacity + ")");
            return;
        }
        blocks.add(blockNr);
        if (count == 1 && lower == 0 && upper == NO_UPPER && level == rootDepth) {
            problems.add(what + " is a root node with a single child");
        }
        long previous = -1;
        for (int i = 0; i < count; i++) {
            long firstKey = b.getLong(NODE_ENTRIES + i * 16);
            long child = b.getLong(NODE_ENTRIES + i * 16 + 8);
            boolean ordered = firstKey >= 0 && firstKey > previous
                    && (i > 0 || firstKey == lower) && firstKey >= lower && Long.compareUnsigned(firstKey, upper) < 0;
            if (!ordered) {
                problems.add(what + ": entry " + i + " (first key 0x" + Long.toHexString(firstKey)
                        + ") is out of order or outside the node's range");
            }
            previous = Math.max(previous, firstKey);
            long next = i + 1 < count ? b.getLong(NODE_ENTRIES + (i + 1) * 16) : upper;
            long childLower = Math.max(lower, firstKey);
            long childUpper = Long.compareUnsigned(next, childLower) > 0 && Long.compareUnsigned(next, upper) <= 0
                    ? next : upper;
            visit(child, level - 1, childLower, childUpper, what + ", entry " + i);
        }
    }

    private void leaf(ByteBuffer b, long blockNr, long lower, long upper, String what) {
        int size = volume.blockSize;
        int count = Short.toUnsignedInt(b.getShort(COUNT));
        int heapStart = Short.toUnsignedInt(b.getShort(HEAP_START));
        if (heapStart == 0 && size == 65536) {
            heapStart = 65536;
        }
        leaves.add(new long[] {blockNr, b.getLong(NEXT_LEAF)});
        int slotsEnd = SLOTS + 2 * count;
        if (slotsEnd > size) {
            problems.add(what + ": entry_count " + count + " is more than the block can hold");
            return;
        }
        if (count == 0) {
            problems.add(what + " holds no entries");
            return;
        }
        if (heapStart < slotsEnd || heapStart > size) {
            problems.add(what + ": heap_start " + heapStart + " is outside " + slotsEnd + ".." + size);
        }
        long[] spans = new long[count]; // start << 32 | slot
        int n = 0;
        for (int i = 0; i < count; i++) {
            int at = Short.toUnsignedInt(b.getShort(SLOTS + 2 * i));
            if (at < slotsEnd || at + ENTRY_HEAD > size
                    || at + ENTRY_HEAD + Byte.toUnsignedInt(b.get(at + 13)) > size) {
                problems.add(what + ": slot " + i + " points at offset " + at + ", outside the entries");
                continue;
            }
            spans[n++] = (long) at << 32 | i;
        }
        java.util.Arrays.sort(spans, 0, n);
        boolean[] keep = new boolean[count];
        int end = 0;
        for (int k = 0; k < n; k++) {
            int at = (int) (spans[k] >>> 32);
            int slot = (int) spans[k];
            if (at < end) {
                problems.add(what + ": the entry of slot " + slot + " overlaps another");
                continue;
            }
            keep[slot] = true;
            end = at + ENTRY_HEAD + Byte.toUnsignedInt(b.get(at + 13));
        }
        long previous = -1;
        boolean orderReported = false;
        for (int i = 0; i < count; i++) {
            if (!keep[i]) {
                continue;
            }
            int at = Short.toUnsignedInt(b.getShort(SLOTS + 2 * i));
            long key = b.getLong(at);
            if (!orderReported && (key <= previous || key < lower || Long.compareUnsigned(key, upper) >= 0)) {
                problems.add(what + ": key 0x" + Long.toHexString(key) + " of slot " + i
                        + " is out of order or outside the leaf's range");
                orderReported = true;
            }
            previous = Math.max(previous, key);
            byte[] name = new byte[Byte.toUnsignedInt(b.get(at + 13))];
            b.get(at + ENTRY_HEAD, name);
            entries++;
            if (visitor != null) {
                visitor.entry(new Entry(entryId(blockNr, i), key, Integer.toUnsignedLong(b.getInt(at + 8)),
                        Byte.toUnsignedInt(b.get(at + 12)), name));
            }
        }
    }
}
