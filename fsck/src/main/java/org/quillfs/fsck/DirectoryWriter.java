package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryLeaf;
import org.quillfs.format.DirectoryNode;
import org.quillfs.format.DirectoryRoot;

/**
 * Writes a directory's B+tree afresh from its entries (sorted by key, keys unique and valid),
 * bottom up: leaves filled in key order and chained by next_leaf, then DIR_NODE levels whose
 * entries carry each child's lower bound — 0 for the leftmost child of a level, else the
 * child's first key — until one block is the root (docs/FORMAT.md, "Directories"). No leaf or
 * node is empty; an empty directory has no blocks.
 */
final class DirectoryWriter {

    /** The new directory root and the blocks written, leaves first. */
    record Written(DirectoryRoot root, List<Long> blocks) {
    }

    private static final int LEAF_HEADER = 48;
    private static final int ENTRY_HEAD = 14;
    private static final int SLOT = 2;

    private DirectoryWriter() {
    }

    /** How many blocks {@link #write} needs for {@code entries}. */
    static int blocksFor(List<DirEntry> entries, int blockSize) {
        if (entries.isEmpty()) {
            return 0;
        }
        int leaves = 1;
        int used = LEAF_HEADER;
        for (DirEntry e : entries) {
            int need = ENTRY_HEAD + e.name().length + SLOT;
            if (used + need > blockSize) {
                leaves++;
                used = LEAF_HEADER;
            }
            used += need;
        }
        int total = leaves;
        int perNode = DirectoryNode.capacity(blockSize);
        for (int level = leaves; level > 1; ) {
            level = (level + perNode - 1) / perNode;
            total += level;
        }
        return total;
    }

    /** Null when {@code blocks} runs out. */
    static Written write(Volume volume, long dir, List<DirEntry> entries, ExtentTreeWriter.BlockSource blocks) {
        List<Long> written = new ArrayList<>();
        if (entries.isEmpty()) {
            return new Written(new DirectoryRoot(0, 0, 0), written);
        }
        int size = volume.blockSize;
        // Leaves: as many entries as fit, in key order.
        List<long[]> level = new ArrayList<>(); // {first key, block}
        List<List<DirEntry>> leafEntries = new ArrayList<>();
        List<DirEntry> current = new ArrayList<>();
        int used = LEAF_HEADER;
        for (DirEntry e : entries) {
            int need = ENTRY_HEAD + e.name().length + SLOT;
            if (used + need > size) {
                leafEntries.add(current);
                current = new ArrayList<>();
                used = LEAF_HEADER;
            }
            current.add(e);
            used += need;
        }
        leafEntries.add(current);
        long[] leafBlocks = new long[leafEntries.size()];
        for (int i = 0; i < leafBlocks.length; i++) {
            leafBlocks[i] = blocks.next();
            if (leafBlocks[i] < 0) {
                return null;
            }
        }
        for (int i = 0; i < leafBlocks.length; i++) {
            ByteBuffer block = ByteBuffer.allocate(size);
            DirectoryLeaf.init(block, leafBlocks[i], dir);
            for (DirEntry e : leafEntries.get(i)) {
                if (!DirectoryLeaf.insert(block, e)) {
                    throw new IllegalStateException("entry " + e + " does not fit the leaf it was sized for");
                }
            }
            DirectoryLeaf.setNextLeaf(block, i + 1 < leafBlocks.length ? leafBlocks[i + 1] : 0);
            volume.writeMetadata(leafBlocks[i], block);
            written.add(leafBlocks[i]);
            level.add(new long[] {i == 0 ? 0 : leafEntries.get(i).get(0).key(), leafBlocks[i]});
        }
        int depth = 0;
        int perNode = DirectoryNode.capacity(size);
        while (level.size() > 1) {
            depth++;
            List<long[]> above = new ArrayList<>();
            for (int from = 0; from < level.size(); from += perNode) {
                List<long[]> chunk = level.subList(from, Math.min(level.size(), from + perNode));
                long blockNr = blocks.next();
                if (blockNr < 0) {
                    return null;
                }
                ByteBuffer block = ByteBuffer.allocate(size);
                DirectoryNode.init(block, blockNr, dir, depth);
                for (int i = 0; i < chunk.size(); i++) {
                    DirectoryNode.insert(block, i, new DirectoryNode.Entry(chunk.get(i)[0], chunk.get(i)[1]));
                }
                volume.writeMetadata(blockNr, block);
                written.add(blockNr);
                above.add(new long[] {chunk.get(0)[0], blockNr});
            }
            level = above;
        }
        return new Written(new DirectoryRoot(depth, level.get(0)[1], entries.size()), written);
    }
}
