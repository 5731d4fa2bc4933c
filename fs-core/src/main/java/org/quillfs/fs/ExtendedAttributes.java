package org.quillfs.fs;

import java.util.List;
import org.quillfs.alloc.Reservation;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.Inode;
import org.quillfs.format.Timestamp;
import org.quillfs.txn.Transaction;
import org.quillfs.xattr.XattrStore;

/**
 * getxattr, listxattr, setxattr and removexattr over {@link XattrStore} (docs/FORMAT.md,
 * "Extended attributes"): each change is one transaction that also sets the inode's ctime
 * and, when the inode gains or loses its attribute block, its block count.
 */
final class ExtendedAttributes {

    private final Layers layers;

    ExtendedAttributes(Layers layers) {
        this.layers = layers;
    }

    byte[] get(long number, String name) {
        return layers.transactions.read(txn -> layers.xattrs.get(txn, number, layers.inode(txn, number).xattrBlock(), name)
                .orElseThrow(() -> new FsException(Errno.ENODATA, "inode " + number + " has no attribute " + name)));
    }

    List<String> list(long number) {
        return layers.transactions.read(txn -> layers.xattrs.list(txn, number, layers.inode(txn, number).xattrBlock()));
    }

    void set(long number, String name, byte[] value, int flags) {
        layers.checkWritable();
        layers.transactions.write(txn -> FileIo.inodeLogBytes() + layers.xattrs.logBytesPerSet(), txn -> {
            Inode inode = layers.inodeForUpdate(txn, number);
            Reservation reservation = layers.allocator.reserve(txn, XattrStore.BLOCKS_PER_SET, 0);
            long block = layers.xattrs.set(txn, reservation, number, inode.xattrBlock(),
                    layers.geometry.inodeBlock(number), name, value, flags);
            write(txn, number, inode, block);
            return null;
        });
    }

    void remove(long number, String name) {
        layers.checkWritable();
        layers.transactions.write(txn -> FileIo.inodeLogBytes() + layers.xattrs.logBytesPerRemove(), txn -> {
            Inode inode = layers.inodeForUpdate(txn, number);
            long block = layers.xattrs.remove(txn, number, inode.xattrBlock(), name);
            write(txn, number, inode, block);
            return null;
        });
    }

    private void write(Transaction txn, long number, Inode inode, long block) {
        long blocks = inode.blocks() + (block != 0 ? 1 : 0) - (inode.xattrBlock() != 0 ? 1 : 0);
        Timestamp now = layers.now();
        layers.inodes.write(txn, number, inode.withXattrBlock(block).withBlocks(blocks)
                .withTimes(inode.atime(), inode.mtime(), now));
    }
}
