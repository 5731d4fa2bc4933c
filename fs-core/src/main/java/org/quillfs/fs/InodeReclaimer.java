package org.quillfs.fs;

import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.Transaction;

/**
 * Frees inodes that have lost their last name: their data, extended attributes and the inode.
 *
 * <p>A small inode is freed inside the operation that removed its last name ({@link #freeNow}).
 * A large file cannot be: freeing a deep extent tree logs more than one transaction may. It goes
 * on the orphan list in that operation, and {@link #reclaim} then truncates it in steps, each
 * its own transaction that leaves size and extents agreeing, and finally frees the inode and
 * takes it off the list. A crash between steps leaves it on the list, and the next open
 * finishes the job. An inode that is still open is put on the list too, and reclaimed when its
 * last handle is released.
 */
final class InodeReclaimer {

    /** An old size that makes a truncate free blocks past the size too (fallocate with KEEP_SIZE). */
    static final long BEYOND_EVERY_EXTENT = Long.MAX_VALUE;

    private final Layers layers;
    private final OrphanList orphans;
    private final long maxStepLogBytes;

    InodeReclaimer(Layers layers, OrphanList orphans, long maxStepLogBytes) {
        this.layers = layers;
        this.orphans = orphans;
        this.maxStepLogBytes = maxStepLogBytes;
    }

    static boolean hasExtents(Inode inode) {
        int type = inode.mode() & Inode.S_IFMT;
        return (type == Inode.S_IFREG || type == Inode.S_IFLNK) && (inode.flags() & Inode.INLINE_DATA) == 0;
    }

    /** Log bytes {@link #freeNow} needs for {@code inode}, or -1 when it is too large for one transaction. */
    long logBytesToFree(BlockReader txn, Inode inode) {
        long bytes = layers.allocator.logBytesPerInode() + LogRecordCodec.updateSize(Limits.INODE_SIZE)
                + layers.xattrs.logBytesPerRemove();
        if (hasExtents(inode)) {
            ExtentRoot root = ExtentRoot.decode(inode.data());
            if (root.depth() > 0) {
                return -1;
            }
            bytes += layers.data.logBytesForTruncate(txn, root, 0);
        } else if ((inode.mode() & Inode.S_IFMT) == Inode.S_IFDIR
                && DirectoryRoot.decode(inode.data()).rootBlock() != 0) {
            return -1; // only an empty directory is ever freed, and it has no blocks
        }
        return bytes;
    }

    /** Frees inode {@code number} and all it owns, in {@code txn}; it has no name and no handle. */
    void freeNow(Transaction txn, long number, Inode inode) {
        if (hasExtents(inode)) {
            layers.data.truncate(txn, ExtentRoot.decode(inode.data()), BEYOND_EVERY_EXTENT, 0);
        }
        layers.xattrs.freeAll(txn, number, inode.xattrBlock());
        layers.inodes.clear(txn, number);
        layers.allocator.freeInode(txn, number, (inode.mode() & Inode.S_IFMT) == Inode.S_IFDIR);
    }

    /**
     * Frees inode {@code number}, which is on the orphan list with no name and no handle, in as
     * many transactions as it takes; it comes off the list in the last one.
     */
    void reclaim(long number) {
        boolean done = false;
        while (!done) {
            done = layers.transactions.write(txn -> stepLogBytes(txn, number), txn -> step(txn, number)).result();
        }
    }

    private long stepLogBytes(BlockReader txn, long number) {
        Inode inode = layers.inode(txn, number);
        long bytes = LogRecordCodec.updateSize(Limits.INODE_SIZE) + orphans.logBytes();
        long whole = logBytesToFree(txn, inode);
        return bytes + (whole >= 0 ? whole : maxStepLogBytes);
    }

    /** One step; returns whether the inode is now free. */
    private boolean step(Transaction txn, long number) {
        Inode inode = layers.inodeForUpdate(txn, number);
        if (inode.links() != 0) {
            throw new IllegalStateException("inode " + number + " is reclaimed with " + inode.links() + " links");
        }
        if (logBytesToFree(txn, inode) >= 0) {
            orphans.remove(txn, number, inode);
            freeNow(txn, number, inode);
            return true;
        }
        ExtentRoot root = ExtentRoot.decode(inode.data());
        long target = layers.data.truncateStepTarget(txn, root, 0, maxStepLogBytes);
        ExtentRoot after = layers.data.truncate(txn, root, BEYOND_EVERY_EXTENT, target);
        layers.inodes.write(txn, number, inode.withData(after.encode(), inode.flags()).withSize(target));
        return false;
    }
}
