package org.quillfs.fs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.inode.InodeStore;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.Transaction;

/**
 * The orphan list (docs/FORMAT.md, superblock {@code orphan_head} and inode {@code orphan_next}):
 * inodes with no name left whose space is not yet freed — because a handle still has them open,
 * or because freeing a large file takes several transactions. Whoever frees them finally takes
 * them off; if the filesystem stops first, the next open frees everything still on the list.
 * The list is singly linked and short (it holds what is being freed right now), so removal walks
 * it from the head.
 */
final class OrphanList {

    private final SuperblockUpdates superblock;
    private final InodeStore inodes;

    OrphanList(SuperblockUpdates superblock, InodeStore inodes) {
        this.superblock = superblock;
        this.inodes = inodes;
    }

    /** Puts inode {@code number} at the head of the list; returns the inode with its new link, for the caller to write. */
    Inode add(Transaction txn, long number, Inode inode) {
        Superblock sb = superblock.readForUpdate(txn);
        superblock.write(txn, sb.withOrphanHead((int) number));
        return inode.withOrphanNext(Integer.toUnsignedLong(sb.orphanHead()));
    }

    /** Takes inode {@code number}, whose current contents are {@code inode}, off the list. */
    void remove(Transaction txn, long number, Inode inode) {
        Superblock sb = superblock.readForUpdate(txn);
        long next = inode.orphanNext();
        if (Integer.toUnsignedLong(sb.orphanHead()) == number) {
            superblock.write(txn, sb.withOrphanHead((int) next));
            return;
        }
        long at = Integer.toUnsignedLong(sb.orphanHead());
        Set<Long> seen = new HashSet<>();
        while (at != 0 && seen.add(at)) {
            Inode previous = inodes.read(txn::readForUpdate, at).orElseThrow(
                    () -> new IllegalStateException("the orphan list leads to a free inode"));
            if (previous.orphanNext() == number) {
                inodes.write(txn, at, previous.withOrphanNext(next));
                return;
            }
            at = previous.orphanNext();
        }
        throw new IllegalStateException("inode " + number + " is not on the orphan list");
    }

    /** Every inode on the list, head first (a damaged list that loops is cut where it repeats). */
    List<Long> all(BlockReader txn) {
        List<Long> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long at = Integer.toUnsignedLong(superblock.read(txn).orphanHead());
        while (at != 0 && seen.add(at)) {
            out.add(at);
            at = inodes.read(txn, at).map(Inode::orphanNext).orElse(0L);
        }
        return out;
    }

    /** Log bytes of an {@link #add} or a {@link #remove}, worst case, besides the caller's own inode write. */
    long logBytes() {
        return superblock.logBytesPerWrite() + LogRecordCodec.updateSize(Limits.INODE_SIZE);
    }
}
