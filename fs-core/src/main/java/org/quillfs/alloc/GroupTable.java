package org.quillfs.alloc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
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
 * The group descriptors, read and changed inside transactions.
 *
 * <h2>Overview</h2>
 * Every allocation changes a descriptor, and one table block holds the descriptors of many
 * groups: locked from the allocation to the commit, that block would make every two creates in
 * the whole filesystem wait for each other. So a transaction's descriptor changes are kept as
 * functions and applied at its {@link Transaction#beforeCommit} point, under the table block's
 * exclusive lock held from there to the commit only.
 *
 * <p>Reads take no lock on the table block. A descriptor's fields each belong to one of its
 * group's bitmaps: the block counts and BLOCK_UNINIT to the block bitmap, the inode counts,
 * directories, INODE_UNINIT and the initialised inode-table length to the inode bitmap; only a
 * transaction holding that bitmap's exclusive lock changes them. {@link #readOwned} takes the
 * bitmap's lock and then reads, so the fields it owns are exact (whoever changed them last has
 * committed, and applied its changes before); {@link #read} without it is a hint. Either way
 * the transaction's own pending changes are applied to what it reads.
 *
 * <h2>Implementation notes</h2>
 * Pending changes are kept per transaction in a map, and removed when it commits or ends.
 * Descriptors are written in group order, so two transactions committing never wait for each
 * other's table blocks in a cycle; a transaction at that point waits for no other lock.
 */
final class GroupTable {

    private final Geometry geometry;
    private final UUID uuid;
    private final Map<Transaction, TreeMap<Integer, List<UnaryOperator<GroupDescriptor>>>> pending =
            new ConcurrentHashMap<>();

    GroupTable(Geometry geometry, UUID uuid) {
        this.geometry = geometry;
        this.uuid = uuid;
    }

    /**
     * Descriptor {@code group} with {@code txn}'s pending changes; a hint for fields {@code txn}
     * does not own.
     *
     * @throws FsException EIO (damaged) when the table block does not verify
     */
    GroupDescriptor read(Transaction txn, int group) {
        GroupDescriptor d;
        try (CachedBlock table = txn.peek(tableBlock(group))) {
            verify(table, group);
            d = GroupDescriptorTable.decode(table.copy(slotOffset(group), Limits.GROUP_DESCRIPTOR_SIZE));
        }
        for (UnaryOperator<GroupDescriptor> change : pendingOf(txn, group)) {
            d = change.apply(d);
        }
        return d;
    }

    /**
     * Descriptor {@code group}, exact in the fields {@code bitmapNr} (its block or inode bitmap)
     * owns: takes that bitmap's exclusive lock first.
     */
    GroupDescriptor readOwned(Transaction txn, int group, long bitmapNr) {
        txn.readForUpdate(bitmapNr).close();
        return read(txn, group);
    }

    /** Changes descriptor {@code group} at {@code txn}'s commit; only fields whose bitmap {@code txn} holds. */
    void change(Transaction txn, int group, UnaryOperator<GroupDescriptor> change) {
        TreeMap<Integer, List<UnaryOperator<GroupDescriptor>>> mine = pending.get(txn);
        if (mine == null) {
            mine = new TreeMap<>();
            pending.put(txn, mine);
            txn.beforeCommit(() -> writePending(txn));
            txn.onEnd(committed -> pending.remove(txn));
        }
        mine.computeIfAbsent(group, g -> new ArrayList<>()).add(change);
    }

    private List<UnaryOperator<GroupDescriptor>> pendingOf(Transaction txn, int group) {
        TreeMap<Integer, List<UnaryOperator<GroupDescriptor>>> mine = pending.get(txn);
        return mine == null ? List.of() : mine.getOrDefault(group, List.of());
    }

    /** Applies {@code txn}'s changes, in group order, each under its table block's exclusive lock. */
    private void writePending(Transaction txn) {
        TreeMap<Integer, List<UnaryOperator<GroupDescriptor>>> mine = pending.remove(txn);
        for (Map.Entry<Integer, List<UnaryOperator<GroupDescriptor>>> group : mine.entrySet()) {
            GroupDescriptor d;
            try (CachedBlock table = txn.readForUpdate(tableBlock(group.getKey()))) {
                verify(table, group.getKey());
                d = GroupDescriptorTable.get(table.contents(), slot(group.getKey()));
            }
            for (UnaryOperator<GroupDescriptor> change : group.getValue()) {
                d = change.apply(d);
            }
            // only the bytes of the descriptor that change are logged
            txn.updateChanged(tableBlock(group.getKey()), slotOffset(group.getKey()), GroupDescriptorTable.encode(d));
        }
    }

    private void verify(CachedBlock table, int group) {
        table.verify(uuid, BlockType.GROUP_DESCRIPTORS).ifPresent(why -> {
            throw FsException.damaged("group descriptor table block " + tableBlock(group) + ": " + why);
        });
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
