package org.quillfs.alloc;

import org.quillfs.cache.CachedBlock;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.GroupDescriptorTable;
import org.quillfs.format.Limits;
import org.quillfs.txn.Transaction;

/**
 * The group descriptors, read and changed inside transactions. A descriptor is read under the
 * exclusive lock of its table block, since the allocator reads one only to change it.
 */
final class GroupTable {

    private final Geometry geometry;

    GroupTable(Geometry geometry) {
        this.geometry = geometry;
    }

    GroupDescriptor read(Transaction txn, int group) {
        try (CachedBlock table = txn.readForUpdate(tableBlock(group))) {
            return GroupDescriptorTable.get(table.contents(), slot(group));
        }
    }

    /** Logs only the bytes of the descriptor that change. */
    void write(Transaction txn, int group, GroupDescriptor descriptor) {
        txn.updateChanged(tableBlock(group), slotOffset(group), GroupDescriptorTable.encode(descriptor));
    }

    private long tableBlock(int group) {
        return GroupDescriptorTable.tableBlockOf(group, geometry.blockSize());
    }

    private int slot(int group) {
        return GroupDescriptorTable.slotOf(group, geometry.blockSize());
    }

    private int slotOffset(int group) {
        return BlockHeader.SIZE + slot(group) * Limits.GROUP_DESCRIPTOR_SIZE;
    }
}
