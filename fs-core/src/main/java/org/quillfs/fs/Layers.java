package org.quillfs.fs;

import org.quillfs.alloc.Allocator;
import org.quillfs.dir.DirectoryTree;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.file.ExtentTree;
import org.quillfs.file.FileData;
import org.quillfs.format.Geometry;
import org.quillfs.format.Inode;
import org.quillfs.format.Superblock;
import org.quillfs.format.Timestamp;
import org.quillfs.inode.InodeStore;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.BlockDevice;
import org.quillfs.xattr.XattrStore;

/**
 * The layers below the facade (DESIGN.md, layers 1–7), opened over one device, with the few
 * helpers every operation needs: reading an inode that must exist, and the clock.
 */
final class Layers {

    final BlockDevice device;
    final Geometry geometry;
    final MetadataStore store;
    final Allocator allocator;
    final InodeStore inodes;
    final DirectoryTree directories;
    final FileData data;
    final XattrStore xattrs;
    final Transactions transactions;
    final FsOptions options;
    final Failures failures;

    Layers(BlockDevice device, Superblock superblock, MetadataStore store, FsOptions options) {
        this.device = device;
        this.geometry = superblock.geometry();
        this.store = store;
        this.options = options;
        this.allocator = Allocator.open(superblock, store);
        this.inodes = new InodeStore(superblock);
        this.directories = new DirectoryTree(geometry, superblock.dirHashKey0(), superblock.dirHashKey1(),
                superblock.uuid(), allocator);
        this.data = new FileData(device, new ExtentTree(geometry, superblock.uuid(), allocator), store.log(),
                options.data());
        this.xattrs = new XattrStore(geometry, superblock.uuid(), allocator);
        this.transactions = new Transactions(store.transactions());
        this.failures = new Failures(device, superblock.uuid(), store);
    }

    /**
     * Inode {@code number}, which must be in use.
     *
     * @throws FsException ENOENT if it is free (a stale handle or number), EIO if damaged
     */
    Inode inode(BlockReader txn, long number) {
        return inodes.read(txn, number)
                .orElseThrow(() -> new FsException(Errno.ENOENT, "inode " + number + " is not in use"));
    }

    /** Like {@link #inode}, under the exclusive lock of its table block: for an inode about to change. */
    Inode inodeForUpdate(Transaction txn, long number) {
        return inode(txn::readForUpdate, number);
    }

    /** Inode {@code number}, which must be a directory. */
    Inode directory(BlockReader txn, long number) {
        return requireDirectory(inode(txn, number), number);
    }

    /**
     * {@code inode}, which must be a directory.
     *
     * @throws FsException ENOTDIR if it is not
     */
    static Inode requireDirectory(Inode inode, long number) {
        if ((inode.mode() & Inode.S_IFMT) != Inode.S_IFDIR) {
            throw new FsException(Errno.ENOTDIR, "inode " + number + " is not a directory");
        }
        return inode;
    }

    /**
     * The time for the times the filesystem sets itself (a create's, a write's mtime, ctime, a
     * read's atime), to the millisecond: as the kernel's coarse clock gives ext4 its ticks (4 ms
     * on this project's machines), and for the same gain, that writes within one tick find the
     * times already set and change no inode ({@link FileIo}). Times a caller gives (utimensat)
     * keep every nanosecond.
     */
    Timestamp now() {
        long millis = options.clock().millis();
        return new Timestamp(Math.floorDiv(millis, 1000), (int) Math.floorMod(millis, 1000) * 1_000_000);
    }

    /** @throws FsException EROFS when mounted read-only, or read-only after an error ({@link Failures}) */
    void checkWritable() {
        if (options.readOnly()) {
            throw new FsException(Errno.EROFS, "the filesystem is mounted read-only");
        }
        failures.checkWritable();
    }

    /** Whether changes may be made: not mounted read-only, and not stopped after an error. */
    boolean writable() {
        return !options.readOnly() && failures.reason().isEmpty();
    }
}
