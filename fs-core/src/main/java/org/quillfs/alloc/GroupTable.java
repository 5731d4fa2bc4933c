package org.quillfs.alloc;

import java.util.UUID;
import org.quillfs.cache.CachedBlock;
import org.quillfs.errno.FsException;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
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
    private final UUID uuid;

    GroupTable(Geometry geometry, UUID uuid) {
        this.geometry = geometry;
        this.uuid = uuid;
    }

    /** @throws FsException EIO (damaged) when the table block does not verify */
    GroupDescriptor read(Transaction txn, int group) {
        try (CachedBlock table = txn.readForUpdate(tableBlock(group))) {
            table.verify(uuid, BlockType.GROUP_DESCRIPTORS).ifPresent(why -> {
                throw FsException.damaged("group descriptor table block " + tableBlock(group) + ": " + why);
            });
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
