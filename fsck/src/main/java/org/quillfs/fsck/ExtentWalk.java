package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.ExtentEntry;
import org.quillfs.format.ExtentNode;
import org.quillfs.format.Limits;

/**
 * Reads a file's extent tree (docs/FORMAT.md, "Extents") the way fsck must: nothing trusted,
 * everything that can be kept kept. The result is the extents worth keeping (sound, inside the
 * groups' data areas, not overlapping), in logical order; the node blocks that are really this
 * tree's (right header at their own number, right shape); and one line for each problem. A tree
 * with problems is rewritten from the kept extents ({@link ExtentTreeWriter}).
 *
 * <p>The walk is a pure function of the blocks it reads, so walking the same tree twice (pass 1
 * and pass 1B) gives the same answer. Every loop is bounded: the depth by {@link #MAX_DEPTH}, and
 * a node met twice is a problem, not a cycle.
 */
final class ExtentWalk {

    /** Deeper than any tree a real file needs (5 × 41⁸ extents with 1 KiB blocks). */
    static final int MAX_DEPTH = 8;

    private static final int MAGIC = 0xF30A;
    private static final int NODE_BASE = BlockHeader.SIZE;
    private static final int HEADER = 8;
    private static final int ENTRY = 24;

    /** What the walk found. {@code fatal}: the root itself is not an extent root (the inode is beyond repair). */
    record Result(String fatal, List<ExtentEntry> extents, long[] nodes, List<String> problems) {

        boolean sound() {
            return fatal == null && problems.isEmpty();
        }

        long dataBlocks() {
            long n = 0;
            for (ExtentEntry e : extents) {
                n += e.length();
            }
            return n;
        }

        /** The logical block after the last written (not UNWRITTEN) extent, or 0. */
        long writtenEnd() {
            long end = 0;
            for (ExtentEntry e : extents) {
                if ((e.flags() & ExtentEntry.UNWRITTEN) == 0) {
                    end = Math.max(end, e.logical() + e.length());
                }
            }
            return end;
        }
    }

    private final Volume volume;
    private final List<ExtentEntry> extents = new ArrayList<>();
    private final List<Long> nodes = new ArrayList<>();
    private final Set<Long> seen = new HashSet<>();
    private final List<String> problems = new ArrayList<>();

    private ExtentWalk(Volume volume) {
        this.volume = volume;
    }

    static Result walk(Volume volume, byte[] data) {
        return new ExtentWalk(volume).run(data);
    }

    private Result run(byte[] data) {
        ByteBuffer root = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int magic = Short.toUnsignedInt(root.getShort(0));
        int count = Short.toUnsignedInt(root.getShort(2));
        int max = Short.toUnsignedInt(root.getShort(4));
        int depth = Short.toUnsignedInt(root.getShort(6));
        if (magic != MAGIC) {
            return fatal(String.format("its extent root has magic 0x%04x, not 0x%04x", magic, MAGIC));
        }
        if (max != Limits.INODE_EXTENTS || count > max) {
            return fatal("its extent root says " + count + " of " + max + " entries (5 fit)");
        }
        if (depth > MAX_DEPTH) {
            return fatal("its extent tree is " + depth + " levels deep (at most " + MAX_DEPTH + ")");
        }
        entries(root, 0, count, depth, 0, Long.MAX_VALUE, "the extent root");
        extents.sort(Comparator.comparingLong(ExtentEntry::logical));
        List<ExtentEntry> kept = new ArrayList<>(extents.size());
        long end = Long.MIN_VALUE;
        for (ExtentEntry e : extents) {
            if (e.logical() < end) {
                problem("extent (logical block " + e.logical() + ", physical block " + e.physical() + ", "
                        + e.length() + " blocks) overlaps the one before it");
                continue;
            }
            kept.add(e);
            end = e.logical() + e.length();
        }
        long[] nodeArray = nodes.stream().mapToLong(Long::longValue).toArray();
        return new Result(null, kept, nodeArray, problems);
    }

    private Result fatal(String why) {
        return new Result(why, List.of(), new long[0], List.of(why));
    }

    /**
     * The {@code count} entries at {@code base} of {@code b}, of a node of {@code depth} routed the
     * logical blocks {@code lower .. upper - 1}.
     */
    private void entries(ByteBuffer b, int base, int count, int depth, long lower, long upper, String where) {
        long previousKey = -1;
        for (int i = 0; i < count; i++) {
            int at = base + HEADER + i * ENTRY;
            long logical = b.getLong(at);
            long physical = b.getLong(at + 8);
            if (depth == 0) {
                long length = Integer.toUnsignedLong(b.getInt(at + 16));
                int flags = b.getInt(at + 20);
                extent(logical, physical, length, flags, lower, upper, where);
                continue;
            }
            long next = i + 1 < count ? b.getLong(base + HEADER + (i + 1) * ENTRY) : upper;
            if (logical < lower || logical <= previousKey || logical >= upper) {
                problem(where + ": index entry " + i + " (logical block " + logical + ") is out of order");
            }
            previousKey = Math.max(previousKey, logical);
            long childLower = Math.max(lower, logical); // a child holds nothing below its key
            long childUpper = Math.min(upper, next < childLower ? upper : next);
            node(physical, depth - 1, childLower, childUpper, where + ", index entry " + i);
        }
    }

    private void extent(long logical, long physical, long length, int flags, long lower, long upper, String where) {
        String what = "extent (logical block " + logical + ", physical block " + physical + ", " + length + " blocks)";
        if (length == 0 || logical < 0 || logical > Long.MAX_VALUE - length) {
            problem(what + " in " + where + " is not a valid extent");
            return;
        }
        if (logical + length > Long.MAX_VALUE / volume.blockSize) {
            problem(what + " in " + where + " lies beyond the largest file (2^63 - 1 bytes)");
            return;
        }
        if (!volume.isDataRun(physical, length)) {
            problem(what + " in " + where + " lies outside the groups' data areas");
            return;
        }
        if (logical < lower || logical + length > upper) {
            problem(what + " in " + where + " lies outside the logical blocks its parent routes there");
        }
        extents.add(new ExtentEntry(logical, physical, length, flags));
    }

    private void node(long blockNr, int depth, long lower, long upper, String where) {
        if (!volume.isDataBlock(blockNr)) {
            problem(where + " points at block " + blockNr + ", outside the groups' data areas");
            return;
        }
        if (!seen.add(blockNr)) {
            problem(where + " points at extent node " + blockNr + " a second time");
            return;
        }
        ByteBuffer block = volume.read(blockNr);
        if (volume.onlyChecksumWrong(block, BlockType.EXTENT_NODE, blockNr)) {
            problem("extent node " + blockNr + " has a bad checksum");
        } else {
            var header = volume.headerProblem(block, BlockType.EXTENT_NODE, blockNr);
            if (header.isPresent()) {
                problem(where + " points at block " + blockNr + ", which is no extent node: " + header.get());
                return;
            }
        }
        ByteBuffer b = block.order(ByteOrder.LITTLE_ENDIAN);
        int magic = Short.toUnsignedInt(b.getShort(NODE_BASE));
        int count = Short.toUnsignedInt(b.getShort(NODE_BASE + 2));
        int max = Short.toUnsignedInt(b.getShort(NODE_BASE + 4));
        int nodeDepth = Short.toUnsignedInt(b.getShort(NODE_BASE + 6));
        int expectedMax = ExtentNode.maxEntries(volume.blockSize);
        if (magic != MAGIC || max != expectedMax || count == 0 || count > max || nodeDepth != depth) {
            problem("extent node " + blockNr + " is damaged (magic 0x" + Integer.toHexString(magic) + ", " + count
                    + " of " + max + " entries, depth " + nodeDepth + " where " + depth + " was expected)");
            return;
        }
        nodes.add(blockNr);
        entries(b, NODE_BASE, count, depth, lower, upper, "extent node " + blockNr);
    }

    private void problem(String what) {
        problems.add(what);
    }
}
