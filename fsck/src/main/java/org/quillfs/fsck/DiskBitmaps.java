package org.quillfs.fsck;

import java.nio.ByteBuffer;
import org.quillfs.format.Bitmap;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;

/**
 * What the block bitmaps on disk say is in use, read a group at a time when first asked (only
 * fsck's own allocations ask, so only the groups they look at are read). A group left
 * uninitialised stands for its metadata only; a bitmap that does not verify says nothing.
 */
final class DiskBitmaps {

    private final Volume volume;
    private final Geometry geometry;
    private final GroupDescriptors descriptors;
    private final ByteBuffer[] bitmaps;
    private final boolean[] read;

    DiskBitmaps(Volume volume, GroupDescriptors descriptors) {
        this.volume = volume;
        this.geometry = volume.geometry;
        this.descriptors = descriptors;
        this.bitmaps = new ByteBuffer[geometry.groupCount()];
        this.read = new boolean[geometry.groupCount()];
    }

    boolean inUse(long block) {
        int g = geometry.groupOfBlock(block);
        if (g < 0 || g >= geometry.groupCount()) {
            return true;
        }
        if (!read[g]) {
            read[g] = true;
            GroupDescriptor d = descriptors.get(g);
            if (!d.has(GroupDescriptor.BLOCK_UNINIT)) {
                long nr = geometry.blockBitmapBlock(g);
                ByteBuffer b = volume.read(nr);
                if (volume.headerProblem(b, BlockType.BLOCK_BITMAP, nr).isEmpty()) {
                    bitmaps[g] = b;
                }
            }
        }
        int i = (int) (block - geometry.groupStart(g));
        return bitmaps[g] != null ? Bitmap.isSet(bitmaps[g], i) : i < geometry.metadataBlocks(g);
    }
}
