package org.quillfs.fs;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Features;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.format.Timestamp;
import org.quillfs.journal.RecoveryReport;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.ConcurrencyCounters;
import org.quillfs.txn.MetadataStore;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.FileBlockDevice;
import org.quillfs.volume.VolumeIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filesystem as POSIX operations (DESIGN.md, layer 8): what the FUSE adapter and Java
 * programs call. Every operation that changes something is one transaction; every failure is an
 * {@link FsException} carrying the errno Linux gives for the same case. Inodes are named by
 * number ({@link #ROOT} is the root directory), names are raw bytes (any byte but {@code /} and
 * NUL, at most 255), open files by the handle {@link #open} returns.
 *
 * <h2>Life cycle</h2>
 * {@link #open} recovers the journal, frees what the orphan list still holds from the last run,
 * and marks the superblock in use (not CLEAN, one more mount). {@link #close} frees orphans
 * whose handles were never released, marks the superblock CLEAN with the free counts, writes
 * everything home and leaves an empty log.
 *
 * <p>Thread-safe: any number of threads may call it at once. Permission checks are not done
 * here: the kernel does them (the mount uses {@code default_permissions}).
 */
public final class FileSystem implements AutoCloseable {

    public static final long ROOT = Limits.ROOT_INODE;
    public static final int RENAME_NOREPLACE = 1;
    public static final int RENAME_EXCHANGE = 2;
    public static final int FALLOC_FL_KEEP_SIZE = 1;
    public static final int FALLOC_FL_PUNCH_HOLE = 2;
    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;

    /** readdir offsets of the two entries that are not stored; stored keys are at least 2¹⁵. */
    private static final long DOT_OFFSET = 1;
    private static final long DOT_DOT_OFFSET = 2;
    private static final Duration RELATIME_AGE = Duration.ofDays(1);

    private static final Logger log = LoggerFactory.getLogger(FileSystem.class);

    private final Layers layers;
    private final SuperblockUpdates superblock;
    private final OrphanList orphans;
    private final InodeReclaimer reclaimer;
    private final OpenFiles open = new OpenFiles();
    private final Namespace namespace;
    private final FileIo files;
    private final PathResolver paths;
    private final ExtendedAttributes xattrs;
    private BlockDevice ownedDevice;
    private boolean closed;

    private FileSystem(BlockDevice device, Superblock sb, FsOptions options) {
        MetadataStore store = MetadataStore.open(device, sb, options.store());
        this.layers = new Layers(device, sb, store, options);
        long maxStepLogBytes = Math.min(1L << 20, store.log().region().capacity() / 16);
        this.superblock = new SuperblockUpdates(sb.geometry().blockSize(), sb.uuid());
        this.orphans = new OrphanList(superblock, layers.inodes);
        this.reclaimer = new InodeReclaimer(layers, orphans, maxStepLogBytes);
        this.namespace = new Namespace(layers, orphans, reclaimer, open);
        this.files = new FileIo(layers, maxStepLogBytes);
        this.xattrs = new ExtendedAttributes(layers);
        this.paths = new PathResolver(layers, new PathResolver.Lookup() {
            @Override
            public long child(BlockReader txn, long dir, byte[] name) {
                return childOf(txn, dir, name);
            }

            @Override
            public byte[] target(BlockReader txn, long symlink, Inode inode) {
                return symlinkTarget(txn, inode);
            }
        });
    }

    /**
     * Opens the quillfs filesystem on {@code device}: recovers its journal and reclaims orphans.
     *
     * @throws FsException EINVAL when the device holds no quillfs filesystem this build can
     *     open (the message says why), EIO when it cannot be read
     */
    public static FileSystem open(BlockDevice device, FsOptions options) {
        Superblock sb;
        try {
            sb = readSuperblock(device, !options.readOnly());
        } catch (VolumeIOException e) {
            throw new FsException(Errno.EIO, e.getMessage());
        }
        if ((sb.state() & Superblock.STATE_ERRORS) != 0) {
            log.warn("quillfs {}: mounting a filesystem with errors (the superblock says ERRORS): run fsck.quillfs -f {} "
                    + "soon", device.name(), device.name());
        }
        FileSystem fs;
        try {
            fs = new FileSystem(device, sb, options);
        } catch (VolumeIOException e) {
            throw new FsException(Errno.EIO, "journal recovery failed: " + e.getMessage());
        }
        if (!options.readOnly()) {
            try {
                fs.startMount();
            } catch (RuntimeException e) {
                fs.halt();
                throw fs.layers.failures.errno(e);
            }
        }
        return fs;
    }

    /**
     * Opens the quillfs filesystem in the image file or block device {@code image}, as
     * {@link #open(BlockDevice, FsOptions)}; {@link #close} closes the device too. The device is
     * opened for writing even when {@code options} say read-only: journal recovery writes, as
     * ext4 replays its journal on a read-only mount.
     *
     * @throws FsException EINVAL when {@code image} holds no quillfs filesystem, EIO when it
     *     cannot be read
     */
    public static FileSystem open(Path image, FsOptions options) {
        FileBlockDevice device = FileBlockDevice.open(image, blockSizeOf(image), true);
        try {
            FileSystem fs = open(device, options);
            fs.ownedDevice = device;
            return fs;
        } catch (RuntimeException | Error e) {
            device.close();
            throw e;
        }
    }

    /** The block size the superblock at the start of {@code image} gives. */
    private static int blockSizeOf(Path image) {
        try (FileBlockDevice probe = FileBlockDevice.open(image, Limits.MIN_BLOCK_SIZE, false)) {
            if (probe.blockCount() == 0) {
                throw new FsException(Errno.EINVAL, image + " is not a quillfs filesystem (too small)");
            }
            ByteBuffer head = ByteBuffer.allocate(Limits.MIN_BLOCK_SIZE);
            probe.read(0, head);
            if (BlockHeader.magic(head) != BlockHeader.MAGIC
                    || BlockHeader.typeCode(head) != BlockType.SUPERBLOCK.code()) {
                throw new FsException(Errno.EINVAL, image + " is not a quillfs filesystem (no quillfs superblock)");
            }
            int blockSize = Superblock.decode(head).geometry().blockSize();
            if (!Limits.isValidBlockSize(blockSize)) {
                throw new FsException(Errno.EINVAL, image + ": the superblock's block size " + blockSize + " is damaged");
            }
            return blockSize;
        }
    }

    private static Superblock readSuperblock(BlockDevice device, boolean writable) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(0, block);
        Superblock sb = Superblock.decode(block);
        String problem = BlockHeader.problem(block, sb.uuid(), BlockType.SUPERBLOCK, 0).or(sb::problem).orElse(null);
        if (problem != null) {
            throw new FsException(Errno.EINVAL, device.name() + " holds no usable quillfs superblock: " + problem);
        }
        if (sb.geometry().blockSize() != device.blockSize()) {
            throw new FsException(Errno.EINVAL, device.name() + " is opened with " + device.blockSize()
                    + "-byte blocks but the filesystem has " + sb.geometry().blockSize());
        }
        Features.problem(sb, writable).ifPresent(why -> {
            throw new FsException(Errno.EINVAL, device.name() + ": " + why);
        });
        return sb;
    }

    /** What journal recovery did when this filesystem was opened (the line a mount logs). */
    public RecoveryReport recovery() {
        return layers.store.recovery();
    }

    /** Frees what the last run left on the orphan list, then marks the filesystem in use. */
    private void startMount() {
        for (long number : layers.transactions.read(orphans::all)) {
            reclaimer.reclaim(number);
        }
        long lsn = layers.transactions.write(txn -> superblock.logBytesPerWrite(), txn -> {
            Superblock sb = superblock.readForUpdate(txn);
            superblock.write(txn, sb.withState(sb.state() & ~Superblock.STATE_CLEAN)
                    .withMount(sb.mountCount() + 1, layers.now().seconds()));
            return null;
        }).commitLsn();
        layers.transactions.force(lsn);
    }

    // ------------------------------------------------------------------ attributes and names

    public Attributes getattr(long inode) {
        return call(() -> {
            return layers.transactions.read(txn -> attributes(inode, layers.inode(txn, inode)));
        });
    }

    /**
     * The inode {@code name} names in directory {@code dir} ({@code .} and {@code ..} included).
     *
     * @throws FsException ENOENT, ENOTDIR, ENAMETOOLONG
     */
    public Attributes lookup(long dir, byte[] name) {
        return call(() -> {
            return layers.transactions.read(txn -> {
                long child = childOf(txn, dir, name);
                return attributes(child, layers.inode(txn, child));
            });
        });
    }

    private long childOf(BlockReader txn, long dir, byte[] name) {
        Inode d = layers.directory(txn, dir);
        if (Namespace.isDotOrDotDot(name)) {
            return name.length == 1 ? dir : d.parent();
        }
        return layers.directories.lookup(txn, dir, DirectoryRoot.decode(d.data()), name)
                .orElseThrow(() -> new FsException(Errno.ENOENT, Namespace.quoted(name) + " does not exist"))
                .inode();
    }

    /**
     * The inode an absolute path names, following symlinks (the last component's only when
     * {@code followLast}).
     *
     * @throws FsException ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG
     */
    public long resolve(String path, boolean followLast) {
        return call(() -> {
            return paths.resolve(path, followLast);
        });
    }

    /** Changes mode, owner, size and times as {@code changes} says; ctime becomes now. */
    public Attributes setattr(long inode, AttributeChanges changes) {
        return call(() -> {
            if (changes.equals(AttributeChanges.none())) {
                return getattr(inode); // utimensat with both times UTIME_OMIT changes nothing, not even ctime
            }
            layers.checkWritable();
            if (changes.size().isPresent()) {
                // The other changes go in the truncate's last transaction: one call, one transaction.
                Inode[] changed = new Inode[1];
                files.truncate(inode, changes.size().getAsLong(), (node, now) -> changed[0] = changed(node, changes, now));
                return attributes(inode, changed[0]);
            }
            return layers.transactions.write(txn -> FileIo.inodeLogBytes(), txn -> {
                Inode node = changed(layers.inodeForUpdate(txn, inode), changes, layers.now());
                layers.inodes.write(txn, inode, node);
                return attributes(inode, node);
            }).result();
        });
    }

    /**
     * Clears set-user-ID, and set-group-ID if group-executable, of {@code inode}, as a change of
     * its contents by a caller without CAP_FSETID does (for the changes whose own call cannot say
     * so: truncate, fallocate); ctime becomes now if a bit was cleared, else nothing changes.
     * Returns whether it cleared a bit.
     */
    public boolean clearSetId(long inode) {
        return call(() -> {
            if (!layers.transactions.read(txn -> layers.inode(txn, inode).hasSetIdToClear())) {
                return false;
            }
            layers.checkWritable();
            return layers.transactions.write(txn -> FileIo.inodeLogBytes(), txn -> {
                Inode node = layers.inodeForUpdate(txn, inode);
                if (!node.hasSetIdToClear()) {
                    return false;
                }
                Timestamp now = layers.now();
                layers.inodes.write(txn, inode, node.withSetIdCleared().withTimes(node.atime(), node.mtime(), now));
                return true;
            }).result();
        });
    }

    /**
     * {@code node} with setattr's mode, owner and times; ctime {@code now}. A new owner or group
     * clears the set-ID bits of all but a directory, as chown(2) on Linux, unless the same call
     * sets the mode.
     */
    private static Inode changed(Inode node, AttributeChanges changes, Timestamp now) {
        if (changes.mode().isPresent()) {
            node = node.withMode((node.mode() & Inode.S_IFMT) | (changes.mode().getAsInt() & 07777));
        }
        if (changes.uid().isPresent() || changes.gid().isPresent()) {
            node = node.withOwner(changes.uid().orElse(node.uid()), changes.gid().orElse(node.gid()));
            if (changes.mode().isEmpty() && (node.mode() & Inode.S_IFMT) != Inode.S_IFDIR) {
                node = node.withSetIdCleared();
            }
        }
        return node.withTimes(timeAfter(changes.atime(), node.atime(), now),
                timeAfter(changes.mtime(), node.mtime(), now), now);
    }

    private static Timestamp timeAfter(AttributeChanges.TimeChange change, Timestamp old, Timestamp now) {
        if (change instanceof AttributeChanges.TimeChange.At at) {
            return at.time();
        }
        return change instanceof AttributeChanges.TimeChange.Now ? now : old;
    }

    // ------------------------------------------------------------------ namespace

    /** mknod(2) for any type but directory and symlink ({@code mode} 0 type means regular). */
    public Attributes mknod(long dir, byte[] name, int mode, long rdev, Caller caller) {
        return call(() -> {
            int type = mode & Inode.S_IFMT;
            if (type == Inode.S_IFDIR) {
                throw new FsException(Errno.EPERM, "mknod makes no directories: use mkdir");
            }
            if (type == Inode.S_IFLNK) {
                throw new FsException(Errno.EINVAL, "mknod makes no symlinks: use symlink");
            }
            int m = type == 0 ? mode | Inode.S_IFREG : mode;
            return namespace.create(dir, name, m, rdev, null, caller, -1).attributes();
        });
    }

    /** Creates regular file {@code name} and opens it with {@code flags}, atomically. */
    public OpenFile create(long dir, byte[] name, int mode, int flags, Caller caller) {
        return call(() -> {
            Namespace.Created c = namespace.create(dir, name, Inode.S_IFREG | (mode & 07777), 0, null, caller,
                    flags & ~OpenFlags.O_TRUNC);
            return new OpenFile(c.attributes(), c.handle());
        });
    }

    public Attributes mkdir(long dir, byte[] name, int mode, Caller caller) {
        return call(() -> {
            return namespace.create(dir, name, Inode.S_IFDIR | (mode & 07777), 0, null, caller, -1).attributes();
        });
    }

    /** A symlink {@code name} → {@code target}; its mode is 0777 as on Linux. */
    public Attributes symlink(long dir, byte[] name, byte[] target, Caller caller) {
        return call(() -> {
            return namespace.create(dir, name, Inode.S_IFLNK | 0777, 0, target, caller, -1).attributes();
        });
    }

    public byte[] readlink(long inode) {
        return call(() -> {
            return layers.transactions.read(txn -> {
                Inode node = layers.inode(txn, inode);
                if ((node.mode() & Inode.S_IFMT) != Inode.S_IFLNK) {
                    throw new FsException(Errno.EINVAL, "inode " + inode + " is not a symlink");
                }
                return symlinkTarget(txn, node);
            });
        });
    }

    private byte[] symlinkTarget(BlockReader txn, Inode symlink) {
        byte[] target = new byte[(int) symlink.size()];
        if ((symlink.flags() & Inode.INLINE_DATA) != 0) {
            System.arraycopy(symlink.data(), 0, target, 0, target.length);
        } else {
            layers.data.read(txn, ExtentRoot.decode(symlink.data()), symlink.size(), 0, ByteBuffer.wrap(target));
        }
        return target;
    }

    /** A new name {@code name} in {@code dir} for {@code inode}. */
    public Attributes link(long inode, long dir, byte[] name) {
        return call(() -> {
            return namespace.link(inode, dir, name);
        });
    }

    public void unlink(long dir, byte[] name) {
        run(() -> {
            namespace.unlink(dir, name);
        });
    }

    public void rmdir(long dir, byte[] name) {
        run(() -> {
            namespace.rmdir(dir, name);
        });
    }

    /** rename(2), with {@link #RENAME_NOREPLACE} or {@link #RENAME_EXCHANGE} as renameat2(2). */
    public void rename(long fromDir, byte[] fromName, long toDir, byte[] toName, int flags) {
        run(() -> {
            namespace.rename(fromDir, fromName, toDir, toName, flags);
        });
    }

    /**
     * Up to {@code max} entries of directory {@code dir} after {@code offset} (0 = from the
     * start), {@code .} and {@code ..} first; pass the last entry's {@code nextOffset} to go on.
     * An entry that exists throughout a listing is returned exactly once, however the directory
     * changes meanwhile.
     */
    public List<DirectoryEntry> readdir(long dir, long offset, int max) {
        return call(() -> {
            List<DirectoryEntry> out = new ArrayList<>();
            boolean touched = layers.transactions.read(txn -> {
                out.clear();
                Inode d = layers.directory(txn, dir);
                if (offset < DOT_OFFSET && out.size() < max) {
                    out.add(new DirectoryEntry(new byte[] {'.'}, dir, DirectoryKeys.DT_DIR, DOT_OFFSET));
                }
                if (offset < DOT_DOT_OFFSET && out.size() < max) {
                    out.add(new DirectoryEntry(new byte[] {'.', '.'}, d.parent(), DirectoryKeys.DT_DIR, DOT_DOT_OFFSET));
                }
                for (DirEntry e : layers.directories.list(txn, dir, DirectoryRoot.decode(d.data()),
                        Math.max(offset, DOT_DOT_OFFSET), max - out.size())) {
                    out.add(new DirectoryEntry(e.name(), e.inode(), e.fileType(), e.key()));
                }
                return needsAtime(d);
            });
            if (touched) {
                touchAtime(dir);
            }
            return out;
        });
    }

    public FsStats statfs() {
        return call(() -> {
            return new FsStats(layers.geometry.blockSize(), layers.geometry.blockCount(), layers.allocator.freeBlocks(),
                    layers.geometry.inodeCount(), layers.allocator.freeInodes(), Limits.MAX_NAME_BYTES);
        });
    }

    /**
     * Page-lock waits, deadlocks, replays and real conflicts since the filesystem was opened
     * (docs/CONCURRENCY.md, "Replay").
     */
    public ConcurrencyCounters.Snapshot concurrency() {
        return layers.store.transactions().counters().snapshot();
    }

    /**
     * Read-only transaction objects made since the filesystem was opened: they come from a pool,
     * so this stays a handful however many read-only operations run.
     */
    public long readOnlyTransactionObjects() {
        return layers.store.transactions().readOnlyObjectsCreated();
    }

    /** Read-write transaction objects made since the filesystem was opened: pooled as well. */
    public long readWriteTransactionObjects() {
        return layers.store.transactions().readWriteObjectsCreated();
    }

    // ------------------------------------------------------------------ open files

    /**
     * Opens {@code inode} with {@code open(2)} {@code flags}; returns the handle for read, write,
     * fsync, fallocate and release. O_TRUNC truncates a regular file opened for writing.
     *
     * @throws FsException ENOENT for a removed inode, EISDIR for a directory opened to write,
     *     ELOOP for a symlink
     */
    public long open(long inode, int flags) {
        return call(() -> {
            long handle = layers.transactions.read(txn -> {
                Inode node = layers.inode(txn, inode);
                int type = node.mode() & Inode.S_IFMT;
                boolean writing = (flags & OpenFlags.ACCMODE) != OpenFlags.O_RDONLY;
                if (node.links() == 0) {
                    throw new FsException(Errno.ENOENT, "inode " + inode + " has been removed");
                }
                if (type == Inode.S_IFDIR && writing) {
                    throw new FsException(Errno.EISDIR, "inode " + inode + " is a directory");
                }
                if (type == Inode.S_IFLNK) {
                    throw new FsException(Errno.ELOOP, "inode " + inode + " is a symlink");
                }
                if (writing) {
                    layers.checkWritable();
                }
                return open.opened(inode, flags);
            });
            if ((flags & OpenFlags.O_TRUNC) != 0 && (flags & OpenFlags.ACCMODE) != OpenFlags.O_RDONLY
                    && getattr(inode).isRegularFile()) {
                try {
                    setattr(inode, AttributeChanges.size(0));
                } catch (RuntimeException e) {
                    release(handle);
                    throw e;
                }
            }
            return handle;
        });
    }

    /** Closes {@code handle}; the last handle of an inode with no name left frees it. */
    public void release(long handle) {
        run(() -> {
            long inode = open.remove(handle).inode();
            // The inode's page lock orders this with an unlink of its last name: whichever comes
            // second sees the other's effect (no longer open, or no link left) and frees it. A shared
            // lock does that as well as an exclusive one, and a read-only transaction logs nothing.
            boolean reclaim = layers.transactions.read(txn -> {
                Inode node = layers.inode(txn, inode);
                return open.closed(inode) && node.links() == 0;
            });
            if (reclaim && layers.writable()) { // else the orphan list keeps it for the next mount
                reclaimer.reclaim(inode);
            }
        });
    }

    public int read(long handle, long offset, ByteBuffer dst) {
        return call(() -> {
            OpenFiles.Handle h = open.get(handle);
            if (!h.readable()) {
                throw new FsException(Errno.EBADF, "handle " + handle + " is not open for reading");
            }
            FileIo.Read read = files.read(h.inode(), offset, dst, this::needsAtime);
            if (read.touchAtime()) {
                touchAtime(h.inode());
            }
            return read.bytes();
        });
    }

    /** Writes as a caller with CAP_FSETID: set-ID bits stay (see {@link #write(long, long, ByteBuffer, boolean)}). */
    public int write(long handle, long offset, ByteBuffer src) {
        return write(handle, offset, src, false);
    }

    /**
     * Writes {@code src} at {@code offset} (at the end for a handle opened with O_APPEND); returns
     * the bytes written. {@code clearSetId}: the writer lacks CAP_FSETID, and the file loses
     * set-user-ID, and set-group-ID if it is group-executable, in the write's transaction, as
     * write(2) on Linux.
     */
    public int write(long handle, long offset, ByteBuffer src, boolean clearSetId) {
        return call(() -> {
            OpenFiles.Handle h = open.get(handle);
            if (!h.writable()) {
                throw new FsException(Errno.EBADF, "handle " + handle + " is not open for writing");
            }
            return files.write(h.inode(), offset, src, h.appends(), clearSetId);
        });
    }

    /** Makes everything written through {@code handle}, data and metadata, durable. */
    public void fsync(long handle, boolean dataOnly) {
        run(() -> {
            open.get(handle);
            sync();
        });
    }

    /** Makes every completed operation durable. */
    public void sync() {
        run(() -> layers.store.log().forceAll()); // the log, and data no log write has flushed yet
    }

    /**
     * fallocate(2): mode 0 and {@link #FALLOC_FL_KEEP_SIZE} allocate the range (reading as
     * zeros), {@link #FALLOC_FL_PUNCH_HOLE} with KEEP_SIZE frees it.
     *
     * @throws FsException ENOTSUP for other modes (PUNCH_HOLE without KEEP_SIZE included, as
     *     Linux), EINVAL for a negative offset or a length ≤ 0, EBADF for a handle not open to write
     */
    public void fallocate(long handle, int mode, long offset, long length) {
        run(() -> {
            OpenFiles.Handle h = open.get(handle);
            if (!h.writable()) {
                throw new FsException(Errno.EBADF, "handle " + handle + " is not open for writing");
            }
            layers.checkWritable();
            if (offset < 0 || length <= 0) {
                throw new FsException(Errno.EINVAL, "fallocate needs offset ≥ 0 and length > 0");
            }
            if (mode == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
                files.punchHole(h.inode(), offset, length);
                return;
            }
            if (mode == 0 || mode == FALLOC_FL_KEEP_SIZE) {
                if (offset > Long.MAX_VALUE - length) {
                    throw new FsException(Errno.EFBIG, "fallocate past the largest file offset");
                }
                files.preallocate(h.inode(), offset, length, mode == FALLOC_FL_KEEP_SIZE);
                return;
            }
            throw new FsException(Errno.ENOTSUP, "fallocate mode 0x" + Integer.toHexString(mode) + " is not supported");
        });
    }

    // ------------------------------------------------------------------ extended attributes

    /**
     * The value of extended attribute {@code name} of {@code inode}.
     *
     * @throws FsException ENODATA when there is none, ENOTSUP for an unknown namespace
     */
    public byte[] getxattr(long inode, String name) {
        return call(() -> {
            return xattrs.get(inode, name);
        });
    }

    /** The names of {@code inode}'s extended attributes. */
    public List<String> listxattr(long inode) {
        return call(() -> {
            return xattrs.list(inode);
        });
    }

    /**
     * Sets extended attribute {@code name}; {@code flags} {@link #XATTR_CREATE} fails with EEXIST
     * if it exists, {@link #XATTR_REPLACE} with ENODATA if it does not.
     *
     * @throws FsException ERANGE for a name over 255 bytes, E2BIG for a value over 64 KiB,
     *     ENOSPC when the inode's attributes would not fit one block, ENOTSUP for an unknown namespace
     */
    public void setxattr(long inode, String name, byte[] value, int flags) {
        run(() -> {
            xattrs.set(inode, name, value, flags);
        });
    }

    /** @throws FsException ENODATA when there is no such attribute */
    public void removexattr(long inode, String name) {
        run(() -> {
            xattrs.remove(inode, name);
        });
    }

    // ------------------------------------------------------------------ times

    /** Whether reading {@code inode} now should update its access time, by the mount's atime mode. */
    private boolean needsAtime(Inode inode) {
        if (!layers.writable() || (inode.flags() & Inode.NOATIME) != 0) {
            return false;
        }
        return switch (layers.options.atime()) {
            case NOATIME -> false;
            case STRICTATIME -> true;
            case RELATIME -> compare(inode.atime(), inode.mtime()) <= 0 || compare(inode.atime(), inode.ctime()) <= 0
                    || layers.now().seconds() - inode.atime().seconds() >= RELATIME_AGE.toSeconds();
        };
    }

    private static int compare(Timestamp a, Timestamp b) {
        int bySeconds = Long.compare(a.seconds(), b.seconds());
        return bySeconds != 0 ? bySeconds : Integer.compareUnsigned(a.nanos(), b.nanos());
    }

    private void touchAtime(long inode) {
        layers.transactions.write(txn -> FileIo.inodeLogBytes(), txn -> {
            Inode node = layers.inodeForUpdate(txn, inode);
            layers.inodes.write(txn, inode, node.withTimes(layers.now(), node.mtime(), node.ctime()));
            return null;
        });
    }

    // ------------------------------------------------------------------ closing

    /**
     * Clean unmount: frees inodes whose last handle was never released, marks the superblock
     * CLEAN with its free counts, writes everything home and leaves an empty log.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (layers.failures.reason().isPresent()) {
            halt(); // stopped after an error: nothing more is written, the next mount recovers
            return;
        }
        try {
            if (!layers.options.readOnly()) {
                for (long number : layers.transactions.read(orphans::all)) {
                    reclaimer.reclaim(number);
                }
                layers.transactions.write(txn -> superblock.logBytesPerWrite(), txn -> {
                    Superblock sb = superblock.readForUpdate(txn);
                    superblock.write(txn, sb.withState(sb.state() | Superblock.STATE_CLEAN)
                            .withWrite(layers.now().seconds(), layers.allocator.freeBlocks(), layers.allocator.freeInodes()));
                    return null;
                });
            }
            layers.store.close();
        } catch (RuntimeException e) {
            RuntimeException errno = layers.failures.errno(e);
            halt();
            throw errno;
        }
        closeOwnedDevice();
    }

    /**
     * Why the filesystem turned read-only after an error (docs/FILESYSTEM.md, "Device errors"),
     * or empty while it runs normally.
     */
    public Optional<String> failure() {
        return layers.failures.reason();
    }

    private void closeOwnedDevice() {
        if (ownedDevice != null) {
            ownedDevice.close();
        }
    }

    /**
     * Stops without writing anything more, as a crash would: for tests and for a device that
     * failed. The next {@link #open} recovers.
     */
    public synchronized void halt() {
        closed = true;
        layers.store.halt();
        closeOwnedDevice();
    }

    /** Runs a facade operation: a failure from below becomes its errno ({@link Failures#errno}). */
    private <R> R call(Supplier<R> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            throw layers.failures.errno(e);
        }
    }

    private void run(Runnable operation) {
        try {
            operation.run();
        } catch (RuntimeException e) {
            throw layers.failures.errno(e);
        }
    }

    private Attributes attributes(long number, Inode inode) {
        return Attributes.of(number, inode, layers.geometry.blockSize());
    }
}
