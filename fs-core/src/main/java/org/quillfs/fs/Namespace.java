package org.quillfs.fs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.quillfs.alloc.Reservation;
import org.quillfs.dir.DirectoryTree;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.format.Timestamp;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.Transaction;

/**
 * The operations on names: create, mkdir, symlink, link, unlink, rmdir, rename — each one
 * transaction, with link counts and times as Linux keeps them on ext4.
 *
 * <h2>Link counts</h2>
 * A file has one link per name. A directory has one for its name, one for its own {@code .},
 * and one for each subdirectory's {@code ..}. As ext4 does, a directory whose count would pass
 * 65,000 (more than 64,998 subdirectories) shows 1 ("uncounted") instead, and keeps 1 until it is removed; a file cannot
 * have more than 65,000 names (EMLINK).
 *
 * <h2>Times</h2>
 * Adding or removing a name changes its directory's mtime and ctime; an inode whose link count
 * changes, or that is renamed, gets a new ctime; a new inode has all four times now.
 */
final class Namespace {

    static final long LINK_MAX = 65_000;
    private static final long UNCOUNTED_LINKS = 1;
    /** PATH_MAX − 1: the longest symlink target Linux accepts. */
    static final int MAX_SYMLINK_TARGET = 4095;
    private static final long INODE_LOG_BYTES = LogRecordCodec.updateSize(Limits.INODE_SIZE);
    /**
     * The directory depth that a create's or link's first attempt budgets for without reading
     * the directory (see {@link Transactions#write(long, java.util.function.ToLongFunction,
     * Transactions.Body)}): two levels of nodes above the leaves hold millions of names.
     */
    private static final int GUESSED_DEPTH = 2;

    private final Layers layers;
    private final OrphanList orphans;
    private final InodeReclaimer reclaimer;
    private final OpenFiles open;

    Namespace(Layers layers, OrphanList orphans, InodeReclaimer reclaimer, OpenFiles open) {
        this.layers = layers;
        this.orphans = orphans;
        this.reclaimer = reclaimer;
        this.open = open;
    }

    // ------------------------------------------------------------------ creating

    /** A new inode and, if it was asked for, a handle on it. */
    record Created(Attributes attributes, long handle) {
    }

    /**
     * mknod, create, mkdir and symlink: a new inode of {@code mode}'s type named {@code name} in
     * {@code dir}; opened with {@code openFlags} in the same transaction unless they are negative
     * (so no other operation can remove it between the create and the open).
     */
    Created create(long dir, byte[] name, int mode, long rdev, byte[] symlinkTarget, Caller caller, int openFlags) {
        layers.checkWritable();
        int type = mode & Inode.S_IFMT;
        checkCreatable(type, symlinkTarget);
        boolean isDir = type == Inode.S_IFDIR;
        long dataBlocks = type == Inode.S_IFLNK && symlinkTarget.length > Limits.INODE_DATA_SIZE
                ? layers.data.blocksForWrite(Files.EMPTY, 0, symlinkTarget.length) : 0;
        long fixedBytes = layers.allocator.logBytesPerInode() + 3 * INODE_LOG_BYTES;
        long guess = dataBlocks == 0 ? fixedBytes + layers.directories.logBytesPerInsert(GUESSED_DEPTH) : -1;
        return layers.transactions.write(guess, txn -> {
            DirectoryRoot root = directoryRoot(layers.directory(txn, dir));
            long bytes = fixedBytes + layers.directories.logBytesPerInsert(root);
            return dataBlocks == 0 ? bytes : bytes + layers.data.logBytesForWrite(Files.EMPTY, 0, symlinkTarget.length);
        }, txn -> {
            InodeEdits edits = new InodeEdits(layers, txn);
            Inode parent = liveDirectory(edits, dir);
            DirectoryRoot root = directoryRoot(parent);
            DirectoryTree.Vacancy vacancy = vacancy(txn, dir, parent, name);
            Reservation reservation = reserveForInsert(txn, dir, root, name, dataBlocks, 1);
            long number = layers.allocator.allocateInode(txn, reservation, dir, isDir);
            Timestamp now = layers.now();
            Inode inode = newInode(mode, rdev, caller, parent, isDir ? dir : 0, now);
            if (type == Inode.S_IFLNK) {
                inode = withSymlinkTarget(txn, reservation, number, inode, symlinkTarget);
            }
            edits.put(number, inode);
            long mark = layers.allocator.netBlocksAllocated(txn);
            root = layers.directories.insert(txn, reservation, dir, root, vacancy, number, Files.direntType(mode));
            parent = Files.withDirectoryRoot(parent, root, layers.allocator.netBlocksAllocated(txn) - mark,
                    layers.geometry.blockSize())
                    .withTimes(parent.atime(), now, now);
            if (isDir) {
                parent = withSubdirectoryAdded(parent);
            }
            edits.put(dir, parent);
            edits.writeAll();
            long handle = openFlags < 0 ? 0 : open.opened(number, openFlags);
            return new Created(Attributes.of(number, inode, layers.geometry.blockSize()), handle);
        }).result();
    }

    private static void checkCreatable(int type, byte[] symlinkTarget) {
        switch (type) {
            case Inode.S_IFREG, Inode.S_IFDIR, Inode.S_IFCHR, Inode.S_IFBLK, Inode.S_IFIFO, Inode.S_IFSOCK -> {
            }
            case Inode.S_IFLNK -> {
                if (symlinkTarget.length == 0) {
                    throw new FsException(Errno.ENOENT, "a symlink's target cannot be empty");
                }
                if (symlinkTarget.length > MAX_SYMLINK_TARGET) {
                    throw new FsException(Errno.ENAMETOOLONG, "a symlink's target is at most " + MAX_SYMLINK_TARGET
                            + " bytes, not " + symlinkTarget.length);
                }
            }
            default -> throw new FsException(Errno.EINVAL, "mode 0" + Integer.toOctalString(type) + " is no file type");
        }
    }

    /**
     * A new inode. Owner and group are the caller's, except that in a set-group-ID directory the
     * group is the directory's and a new directory inherits the bit (as ext4, {@code inode_init_owner}).
     */
    private Inode newInode(int mode, long rdev, Caller caller, Inode parent, long parentNumber, Timestamp now) {
        int type = mode & Inode.S_IFMT;
        long gid = caller.gid();
        int perms = mode & 07777;
        if ((parent.mode() & Inode.S_ISGID) != 0) {
            gid = parent.gid();
            if (type == Inode.S_IFDIR) {
                perms |= Inode.S_ISGID;
            }
        }
        byte[] data = new byte[Limits.INODE_DATA_SIZE];
        long links = 1;
        if (type == Inode.S_IFDIR) {
            data = new DirectoryRoot(0, 0, 0).encode();
            links = 2;
        } else if (type == Inode.S_IFREG) {
            data = Files.EMPTY.encode();
        }
        boolean device = type == Inode.S_IFCHR || type == Inode.S_IFBLK;
        long generation = ThreadLocalRandom.current().nextLong(1L << 32);
        return new Inode(type | perms, caller.uid(), gid, links, 0, 0, now, now, now, now, generation, 0, 0,
                device ? rdev : 0, parentNumber, 0, data);
    }

    /** A symlink's target: inline in the inode when it fits, else in data blocks like a file's. */
    private Inode withSymlinkTarget(Transaction txn, Reservation reservation, long number, Inode inode, byte[] target) {
        if (target.length <= Limits.INODE_DATA_SIZE) {
            byte[] data = new byte[Limits.INODE_DATA_SIZE];
            System.arraycopy(target, 0, data, 0, target.length);
            return inode.withData(data, Inode.INLINE_DATA).withSize(target.length);
        }
        long mark = layers.allocator.netBlocksAllocated(txn);
        ExtentRoot root = layers.data.write(txn, reservation, Files.EMPTY, 0, ByteBuffer.wrap(target),
                layers.geometry.inodeBlock(number));
        return inode.withData(root.encode(), 0).withSize(target.length)
                .withBlocks(layers.allocator.netBlocksAllocated(txn) - mark);
    }

    // ------------------------------------------------------------------ link

    Attributes link(long number, long dir, byte[] name) {
        layers.checkWritable();
        return layers.transactions.write(3 * INODE_LOG_BYTES + layers.directories.logBytesPerInsert(GUESSED_DEPTH),
                txn -> 3 * INODE_LOG_BYTES
                        + layers.directories.logBytesPerInsert(directoryRoot(layers.directory(txn, dir))), txn -> {
            InodeEdits edits = new InodeEdits(layers, txn);
            Inode parent = liveDirectory(edits, dir);
            DirectoryTree.Vacancy vacancy = vacancy(txn, dir, parent, name);
            Inode inode = edits.get(number);
            if ((inode.mode() & Inode.S_IFMT) == Inode.S_IFDIR) {
                throw new FsException(Errno.EPERM, "a directory cannot have another name");
            }
            if (inode.links() == 0) {
                throw new FsException(Errno.ENOENT, "inode " + number + " has been removed");
            }
            if (inode.links() >= LINK_MAX) {
                throw new FsException(Errno.EMLINK, "inode " + number + " has " + inode.links() + " links already");
            }
            Timestamp now = layers.now();
            Inode renamed = insertEntry(txn, dir, parent, vacancy, number, inode.mode());
            edits.put(dir, renamed.withTimes(renamed.atime(), now, now));
            Inode linked = inode.withLinks(inode.links() + 1).withTimes(inode.atime(), inode.mtime(), now);
            edits.put(number, linked);
            edits.writeAll();
            return Attributes.of(number, linked, layers.geometry.blockSize());
        }).result();
    }

    // ------------------------------------------------------------------ unlink, rmdir

    void unlink(long dir, byte[] name) {
        remove(dir, name, false);
    }

    void rmdir(long dir, byte[] name) {
        remove(dir, name, true);
    }

    private void remove(long dir, byte[] name, boolean directory) {
        layers.checkWritable();
        if (isDotOrDotDot(name)) {
            // as Linux: unlink of either is EISDIR; rmdir of "." EINVAL, of ".." ENOTEMPTY
            throw new FsException(!directory ? Errno.EISDIR : name.length == 1 ? Errno.EINVAL : Errno.ENOTEMPTY,
                    "cannot remove " + quoted(name));
        }
        long reclaim = layers.transactions.write(txn -> {
            DirectoryRoot root = directoryRoot(layers.directory(txn, dir));
            return 3 * INODE_LOG_BYTES + layers.directories.logBytesPerRemove(root) + orphans.logBytes()
                    + freeLogBytes(txn, root, dir, name);
        }, txn -> {
            InodeEdits edits = new InodeEdits(layers, txn);
            Inode parent = edits.directory(dir);
            DirEntry entry = entry(txn, dir, parent, name);
            Inode child = edits.get(entry.inode());
            boolean isDir = (child.mode() & Inode.S_IFMT) == Inode.S_IFDIR;
            if (directory && !isDir) {
                throw new FsException(Errno.ENOTDIR, quoted(name) + " is not a directory");
            }
            if (!directory && isDir) {
                throw new FsException(Errno.EISDIR, quoted(name) + " is a directory");
            }
            if (isDir && directoryRoot(child).entryCount() != 0) {
                throw new FsException(Errno.ENOTEMPTY, quoted(name) + " is not empty");
            }
            Timestamp now = layers.now();
            parent = removeEntry(txn, dir, parent, name).withTimes(parent.atime(), now, now);
            if (isDir) {
                parent = withSubdirectoryRemoved(parent);
            }
            edits.put(dir, parent);
            return dropLink(txn, edits, entry.inode(), now);
        }).result();
        if (reclaim != 0) {
            reclaimer.reclaim(reclaim);
        }
    }

    /** Log bytes to free what {@code name} names if this removes its last link (0 when it does not, or no entry). */
    private long freeLogBytes(BlockReader txn, DirectoryRoot root, long dir, byte[] name) {
        Optional<DirEntry> entry = layers.directories.lookup(txn, dir, root, name);
        if (entry.isEmpty()) {
            return 0;
        }
        Inode child = layers.inode(txn, entry.get().inode());
        return Math.max(0, reclaimer.logBytesToFree(txn, child));
    }

    /**
     * One name of inode {@code number} is gone: counts it down, and when no name is left frees
     * it now, or puts it on the orphan list for later (open, or too large for this transaction).
     * Writes every edit. Returns the inode to reclaim after commit, or 0.
     */
    private long dropLink(Transaction txn, InodeEdits edits, long number, Timestamp now) {
        Inode inode = edits.get(number);
        boolean isDir = (inode.mode() & Inode.S_IFMT) == Inode.S_IFDIR;
        long links = isDir ? 0 : inode.links() - 1;
        inode = inode.withLinks(links).withTimes(inode.atime(), inode.mtime(), now);
        long reclaim = 0;
        if (links == 0) {
            if (open.isOpen(number)) {
                inode = orphans.add(txn, number, inode);
            } else if (reclaimer.logBytesToFree(txn, inode) >= 0) {
                edits.forget(number);
                edits.writeAll();
                reclaimer.freeNow(txn, number, inode);
                return 0;
            } else {
                inode = orphans.add(txn, number, inode);
                reclaim = number;
            }
        }
        edits.put(number, inode);
        edits.writeAll();
        return reclaim;
    }

    // ------------------------------------------------------------------ rename

    /** rename(2) with the flags of renameat2(2): {@link FileSystem#RENAME_NOREPLACE}, {@link FileSystem#RENAME_EXCHANGE}. */
    void rename(long fromDir, byte[] fromName, long toDir, byte[] toName, int flags) {
        layers.checkWritable();
        boolean noReplace = (flags & FileSystem.RENAME_NOREPLACE) != 0;
        boolean exchange = (flags & FileSystem.RENAME_EXCHANGE) != 0;
        if ((flags & ~(FileSystem.RENAME_NOREPLACE | FileSystem.RENAME_EXCHANGE)) != 0 || (noReplace && exchange)) {
            throw new FsException(Errno.EINVAL, "rename flags 0x" + Integer.toHexString(flags) + " are not valid");
        }
        if (isDotOrDotDot(fromName) || isDotOrDotDot(toName)) {
            // as Linux: "." and ".." are busy; with NOREPLACE, a target "." or ".." exists
            boolean targetOnly = !isDotOrDotDot(fromName);
            throw new FsException(targetOnly && noReplace ? Errno.EEXIST : Errno.EBUSY, "cannot rename "
                    + quoted(fromName) + " to " + quoted(toName));
        }
        long reclaim = layers.transactions.write(txn -> {
            DirectoryRoot from = directoryRoot(layers.directory(txn, fromDir));
            DirectoryRoot to = directoryRoot(layers.directory(txn, toDir));
            long bytes = 4 * INODE_LOG_BYTES + layers.directories.logBytesPerRemove(from)
                    + layers.directories.logBytesPerInsert(to);
            if (exchange) {
                return bytes + layers.directories.logBytesPerRemove(to) + layers.directories.logBytesPerInsert(from);
            }
            boolean replaces = layers.directories.lookup(txn, toDir, to, toName).isPresent();
            return replaces // a target that appears before apply exceeds the budget, and the plan runs again
                    ? bytes + layers.directories.logBytesPerRemove(to) + orphans.logBytes()
                            + freeLogBytes(txn, to, toDir, toName)
                    : bytes;
        }, txn -> {
            InodeEdits edits = new InodeEdits(layers, txn);
            edits.directory(fromDir);
            edits.directory(toDir);
            DirEntry source = entry(txn, fromDir, edits.get(fromDir), fromName);
            Optional<DirEntry> target = layers.directories.lookup(txn, toDir, directoryRoot(edits.get(toDir)), toName);
            if (exchange && target.isEmpty()) {
                throw new FsException(Errno.ENOENT, quoted(toName) + " does not exist to exchange with");
            }
            if (noReplace && target.isPresent()) {
                throw new FsException(Errno.EEXIST, quoted(toName) + " exists");
            }
            if (target.isPresent() && target.get().inode() == source.inode()) {
                return 0L; // two names of one inode (or the same name): POSIX says do nothing
            }
            Timestamp now = layers.now();
            return exchange
                    ? exchange(txn, edits, fromDir, source, toDir, target.get(), now)
                    : move(txn, edits, fromDir, source, toDir, toName, target, now);
        }).result();
        if (reclaim != 0) {
            reclaimer.reclaim(reclaim);
        }
    }

    private long move(Transaction txn, InodeEdits edits, long fromDir, DirEntry source, long toDir, byte[] toName,
            Optional<DirEntry> target, Timestamp now) {
        Inode moved = edits.get(source.inode());
        boolean movedIsDir = isDirectory(moved);
        if (movedIsDir) {
            checkNotInside(txn, source.inode(), toDir);
        }
        if (target.isPresent()) {
            Inode replaced = edits.get(target.get().inode());
            boolean replacedIsDir = isDirectory(replaced);
            if (replacedIsDir && contains(txn, target.get().inode(), fromDir)) {
                throw new FsException(Errno.ENOTEMPTY, quoted(toName) + " contains what is renamed");
            }
            if (movedIsDir && !replacedIsDir) {
                throw new FsException(Errno.ENOTDIR, quoted(toName) + " is not a directory");
            }
            if (!movedIsDir && replacedIsDir) {
                throw new FsException(Errno.EISDIR, quoted(toName) + " is a directory");
            }
            if (replacedIsDir && directoryRoot(replaced).entryCount() != 0) {
                throw new FsException(Errno.ENOTEMPTY, quoted(toName) + " is not empty");
            }
        }
        edits.put(fromDir, removeEntry(txn, fromDir, edits.get(fromDir), source.name()));
        if (target.isPresent()) {
            Inode dir = removeEntry(txn, toDir, edits.get(toDir), toName);
            edits.put(toDir, isDirectory(edits.get(target.get().inode())) ? withSubdirectoryRemoved(dir) : dir);
        }
        edits.put(toDir, insertEntry(txn, toDir, edits.get(toDir), toName, source.inode(), moved.mode()));
        moved = moved.withTimes(moved.atime(), moved.mtime(), now);
        if (movedIsDir && fromDir != toDir) {
            moved = moved.withParent(toDir);
            edits.put(fromDir, withSubdirectoryRemoved(edits.get(fromDir)));
            edits.put(toDir, withSubdirectoryAdded(edits.get(toDir)));
        }
        edits.put(source.inode(), moved);
        touch(edits, fromDir, now);
        touch(edits, toDir, now);
        return target.isPresent() ? dropLink(txn, edits, target.get().inode(), now) : writeAll(edits);
    }

    private long exchange(Transaction txn, InodeEdits edits, long fromDir, DirEntry a, long toDir, DirEntry b,
            Timestamp now) {
        Inode first = edits.get(a.inode());
        Inode second = edits.get(b.inode());
        if (fromDir != toDir) {
            if (isDirectory(first)) {
                checkNotInside(txn, a.inode(), toDir);
            }
            if (isDirectory(second)) {
                checkNotInside(txn, b.inode(), fromDir);
            }
        }
        edits.put(fromDir, removeEntry(txn, fromDir, edits.get(fromDir), a.name()));
        edits.put(toDir, removeEntry(txn, toDir, edits.get(toDir), b.name()));
        edits.put(fromDir, insertEntry(txn, fromDir, edits.get(fromDir), a.name(), b.inode(), second.mode()));
        edits.put(toDir, insertEntry(txn, toDir, edits.get(toDir), b.name(), a.inode(), first.mode()));
        if (fromDir != toDir) {
            if (isDirectory(first)) {
                first = first.withParent(toDir);
                edits.put(fromDir, withSubdirectoryRemoved(edits.get(fromDir)));
                edits.put(toDir, withSubdirectoryAdded(edits.get(toDir)));
            }
            if (isDirectory(second)) {
                second = second.withParent(fromDir);
                edits.put(toDir, withSubdirectoryRemoved(edits.get(toDir)));
                edits.put(fromDir, withSubdirectoryAdded(edits.get(fromDir)));
            }
        }
        edits.put(a.inode(), first.withTimes(first.atime(), first.mtime(), now));
        edits.put(b.inode(), second.withTimes(second.atime(), second.mtime(), now));
        touch(edits, fromDir, now);
        touch(edits, toDir, now);
        return writeAll(edits);
    }

    private static long writeAll(InodeEdits edits) {
        edits.writeAll();
        return 0;
    }

    /**
     * EINVAL when directory {@code moved} is {@code destination} or one of its ancestors: a
     * directory cannot move into its own subtree. Walks the parent links up to the root, under
     * shared locks held to commit, so a concurrent rename that would change the answer conflicts
     * with this one instead of slipping past it.
     */
    private void checkNotInside(Transaction txn, long moved, long destination) {
        if (contains(txn, moved, destination)) {
            throw new FsException(Errno.EINVAL, "cannot move directory " + moved + " into its own subtree");
        }
    }

    /** Whether directory {@code dir} is {@code ancestor} or lies below it (walking parent links). */
    private boolean contains(Transaction txn, long ancestor, long dir) {
        long at = dir;
        for (long steps = 0; steps <= layers.geometry.inodeCount(); steps++) {
            if (at == ancestor) {
                return true;
            }
            if (at == Limits.ROOT_INODE) {
                return false;
            }
            at = layers.inode(txn, at).parent();
        }
        throw FsException.damaged("the parent links above directory " + dir + " loop");
    }

    // ------------------------------------------------------------------ helpers

    private Inode liveDirectory(InodeEdits edits, long dir) {
        Inode parent = edits.directory(dir);
        if (parent.links() == 0) {
            throw new FsException(Errno.ENOENT, "directory " + dir + " has been removed");
        }
        return parent;
    }

    private DirEntry entry(BlockReader txn, long dir, Inode parent, byte[] name) {
        return layers.directories.lookup(txn, dir, directoryRoot(parent), name)
                .orElseThrow(() -> new FsException(Errno.ENOENT, quoted(name) + " does not exist"));
    }

    private Inode removeEntry(Transaction txn, long dir, Inode parent, byte[] name) {
        long mark = layers.allocator.netBlocksAllocated(txn);
        DirectoryRoot root = layers.directories.remove(txn, dir, directoryRoot(parent), name);
        return Files.withDirectoryRoot(parent, root, layers.allocator.netBlocksAllocated(txn) - mark,
                layers.geometry.blockSize());
    }

    private Inode insertEntry(Transaction txn, long dir, Inode parent, byte[] name, long inode, int mode) {
        return insertEntry(txn, dir, parent, vacancy(txn, dir, parent, name), inode, mode);
    }

    private Inode insertEntry(Transaction txn, long dir, Inode parent, DirectoryTree.Vacancy vacancy, long inode,
            int mode) {
        DirectoryRoot root = directoryRoot(parent);
        Reservation reservation = reserveForInsert(txn, dir, root, vacancy.name(), 0, 0);
        long mark = layers.allocator.netBlocksAllocated(txn);
        root = layers.directories.insert(txn, reservation, dir, root, vacancy, inode, Files.direntType(mode));
        return Files.withDirectoryRoot(parent, root, layers.allocator.netBlocksAllocated(txn) - mark,
                layers.geometry.blockSize());
    }

    /** Where {@code name} would go in directory {@code dir}; EEXIST if it is there, as {@code .} and {@code ..} always are. */
    private DirectoryTree.Vacancy vacancy(Transaction txn, long dir, Inode parent, byte[] name) {
        if (isDotOrDotDot(name)) {
            throw new FsException(Errno.EEXIST, quoted(name) + " exists");
        }
        return layers.directories.vacancy(txn, dir, directoryRoot(parent), name);
    }

    /**
     * Reserves what inserting {@code name} into {@code dir} may allocate, plus {@code extraBlocks}
     * and {@code inodes}: the worst case when there is room for it, else exactly what this
     * insert needs (often nothing), so that a nearly full filesystem still takes a name its
     * directory has room for.
     */
    private Reservation reserveForInsert(Transaction txn, long dir, DirectoryRoot root, byte[] name, long extraBlocks,
            long inodes) {
        long worst = layers.directories.blocksPerInsert(root) + extraBlocks;
        if (layers.allocator.freeBlocks() >= worst) {
            try {
                return layers.allocator.reserve(txn, worst, inodes);
            } catch (FsException e) {
                if (e.errno() != Errno.ENOSPC) {
                    throw e;
                }
            }
        }
        long exact = layers.directories.blocksToInsert(txn::readForUpdate, dir, root, name) + extraBlocks;
        return layers.allocator.reserve(txn, exact, inodes);
    }

    static boolean isDotOrDotDot(byte[] name) {
        return (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }

    private static void touch(InodeEdits edits, long dir, Timestamp now) {
        Inode d = edits.get(dir);
        edits.put(dir, d.withTimes(d.atime(), now, now));
    }

    private static boolean isDirectory(Inode inode) {
        return (inode.mode() & Inode.S_IFMT) == Inode.S_IFDIR;
    }

    static DirectoryRoot directoryRoot(Inode dir) {
        return DirectoryRoot.decode(dir.data());
    }

    private static Inode withSubdirectoryAdded(Inode dir) {
        long links = dir.links();
        return dir.withLinks(links == UNCOUNTED_LINKS || links + 1 > LINK_MAX ? UNCOUNTED_LINKS : links + 1);
    }

    private static Inode withSubdirectoryRemoved(Inode dir) {
        long links = dir.links();
        return dir.withLinks(links <= 2 ? links : links - 1);
    }

    static String quoted(byte[] name) {
        return "\"" + new String(name, StandardCharsets.UTF_8) + "\"";
    }
}
