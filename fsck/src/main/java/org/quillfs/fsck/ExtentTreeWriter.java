package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.quillfs.format.ExtentEntry;
import org.quillfs.format.ExtentNode;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Limits;

/**
 * Writes a file's extent tree afresh from its extents, bottom up: full leaves of
 * {@code (B − 40) / 24} extents, full index nodes above them, until the top level fits the five
 * entries of the root in the inode. Index keys are the first logical block of each child
 * (docs/FORMAT.md, "Extents"). A tree of five extents or fewer lives in the root alone.
 */
final class ExtentTreeWriter {

    /** Where a new node goes: the next block to use, or -1 when there is none. */
    interface BlockSource {
        long next();
    }

    /** The new root (the inode's data area) and the node blocks written. */
    record Written(byte[] root, List<Long> nodes) {
    }

    private ExtentTreeWriter() {
    }

    /** Null when {@code blocks} runs out. */
    static Written write(Volume volume, List<ExtentEntry> extents, BlockSource blocks) {
        List<Long> nodes = new ArrayList<>();
        List<ExtentEntry> level = extents;
        int depth = 0;
        int perNode = ExtentNode.maxEntries(volume.blockSize);
        while (level.size() > Limits.INODE_EXTENTS) {
            List<ExtentEntry> above = new ArrayList<>();
            for (int from = 0; from < level.size(); from += perNode) {
                List<ExtentEntry> chunk = level.subList(from, Math.min(level.size(), from + perNode));
                long blockNr = blocks.next();
                if (blockNr < 0) {
                    return null;
                }
                ByteBuffer block = ByteBuffer.allocate(volume.blockSize);
                ExtentNode.encode(block, blockNr, depth, chunk);
                volume.writeMetadata(blockNr, block);
                nodes.add(blockNr);
                above.add(ExtentEntry.index(chunk.get(0).logical(), blockNr));
            }
            level = above;
            depth++;
        }
        return new Written(new ExtentRoot(depth, level).encode(), nodes);
    }

    /** How many node blocks {@link #write} needs for {@code extents} extents. */
    static int nodesFor(long extents, int blockSize) {
        int perNode = ExtentNode.maxEntries(blockSize);
        int nodes = 0;
        long level = extents;
        while (level > Limits.INODE_EXTENTS) {
            level = (level + perNode - 1) / perNode;
            nodes += level;
        }
        return nodes;
    }
}
