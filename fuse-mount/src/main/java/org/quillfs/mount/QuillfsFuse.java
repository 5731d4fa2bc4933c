package org.quillfs.mount;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.Inode;
import org.quillfs.format.Timestamp;
import org.quillfs.fs.AttributeChanges;
import org.quillfs.fs.AttributeChanges.TimeChange;
import org.quillfs.fs.Attributes;
import org.quillfs.fs.Caller;
import org.quillfs.fs.DirectoryEntry;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsStats;
import org.quillfs.fs.OpenFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE adapter: each libfuse 2 high-level callback (path based) becomes one or two calls of
 * the inode-based {@link FileSystem} facade.
 *
 * <h2>Overview</h2>
 * A path is resolved to an inode on every call that names one, with the facade's own path
 * resolution (the kernel sends only paths without symlinks in them, made of the names it has
 * looked up). Calls that make or remove a name resolve the parent directory and pass the last
 * component as bytes. Open files and directories are reached through {@code fi->fh} alone:
 * a file's {@code fh} is the facade's handle, a directory's is its inode number. The mount sets
 * libfuse's {@code nullpath_ok} and {@code nopath} flags and the {@code hard_remove} option, so
 * an open file that is unlinked really loses its name and stays readable and writable through
 * its handle until released (the facade keeps it on the orphan list until then).
 *
 * <h2>Errors</h2>
 * Every callback catches everything: an {@link FsException} becomes its errno, negated;
 * anything else is a bug, logged once with its stack trace, and the caller sees EIO. Nothing
 * escapes to jnr-fuse, which would swallow it and answer something arbitrary.
 *
 * <h2>Threads</h2>
 * Callbacks arrive on {@link FuseLoop}'s worker threads, several at once. The facade is
 * thread-safe; the only state here is {@link #inodeOfHandle}, a concurrent map, and
 * per-thread scratch buffers for readdir.
 */
public class QuillfsFuse extends FuseStubFS {

    private static final Logger log = LoggerFactory.getLogger(QuillfsFuse.class);

    /** Entries asked of the facade per round of a readdir (a 4 KiB reply holds about 100). */
    private static final int READDIR_BATCH = 128;
    /** utimensat(2)'s special nanosecond values. */
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    /** uid_t and gid_t -1: "leave it". */
    private static final long NO_ID = 0xffff_ffffL;
    /** Bits of fuse_operations' flag word (libfuse 2.9, fuse.h), set by {@link #setOperationFlags}. */
    private static final int FLAG_NULLPATH_OK = 1;
    private static final int FLAG_NOPATH = 2;
    private static final int FLAG_UTIME_OMIT_OK = 4;
    /** How many unexpected failures are logged with a stack trace; later ones get one line. */
    private static final int STACK_TRACES_LOGGED = 50;
    /** Names cached for path resolution (about 100 bytes each): see {@link NameCache}. */
    static final int NAME_CACHE_ENTRIES = 1 << 16;

    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private final FileSystem fs;
    private final Runnable onInit;
    private final ConcurrentHashMap<Long, Long> inodeOfHandle = new ConcurrentHashMap<>();
    private final NameCache names = new NameCache(NAME_CACHE_ENTRIES);
    private final AtomicLong unexpectedFailures = new AtomicLong();
    private final ThreadLocal<ReaddirScratch> readdirScratch = ThreadLocal.withInitial(ReaddirScratch::new);

    /**
     * @param fs     the opened filesystem; the caller closes it after the mount ends
     * @param onInit run (once, on a libfuse thread; it must not block) when the kernel's INIT
     *               arrives, that is when the mount is up
     */
    public QuillfsFuse(FileSystem fs, Runnable onInit) {
        this.fs = fs;
        this.onInit = onInit;
        setOperationFlags();
    }

    /**
     * Sets {@code flag_nullpath_ok | flag_nopath | flag_utime_omit_ok}. jnr-fuse declares the
     * C bitfield as four padding bytes, so the bits are written into its first byte directly
     * (little-endian: the first bit-field is the lowest bit).
     */
    private void setOperationFlags() {
        Struct.getMemory(fuseOperations).putByte(offsetOf(fuseOperations.flag_nullpath_ok),
                (byte) (FLAG_NULLPATH_OK | FLAG_NOPATH | FLAG_UTIME_OMIT_OK));
    }

    /** The number of files open through the mount now. */
    int openFiles() {
        return inodeOfHandle.size();
    }

    // ------------------------------------------------------------------ life cycle

    @Override
    public Pointer init(Pointer conn) {
        try {
            onInit.run();
        } catch (RuntimeException | Error e) {
            unexpected("init", "", e);
        }
        return null;
    }

    /** The {@code struct fuse_operations} jnr-fuse filled in, for {@link FuseLoop}. */
    Pointer operations() {
        return Struct.getMemory(fuseOperations);
    }

    long operationsSize() {
        return Struct.size(fuseOperations);
    }

    // ------------------------------------------------------------------ attributes

    @Override
    public int getattr(String path, FileStat stat) {
        try {
            fill(stat, fs.getattr(inodeOf(path)));
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("getattr", path, e);
        }
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        try {
            fill(stat, fs.getattr(inodeOfHandle(fi)));
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("fgetattr", path, e);
        }
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        try {
            fs.setattr(inodeOf(path), AttributeChanges.mode((int) mode));
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("chmod", path, e);
        }
    }

    @Override
    public int chown(String path, @uid_t long uid, @gid_t long gid) {
        try {
            fs.setattr(inodeOf(path), AttributeChanges.owner(id(uid), id(gid)));
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("chown", path, e);
        }
    }

    private static long id(long id) {
        return id == NO_ID || id < 0 ? -1 : id;
    }

    @Override
    public int truncate(String path, @off_t long size) {
        try {
            truncateTo(inodeOf(path), size);
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("truncate", path, e);
        }
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        try {
            truncateTo(inodeOfHandle(fi), size);
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("ftruncate", path, e);
        }
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        try {
            fs.setattr(inodeOf(path), AttributeChanges.times(timeChange(timespec[0]), timeChange(timespec[1])));
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("utimens", path, e);
        }
    }

    private static TimeChange timeChange(Timespec t) {
        long nanos = t.tv_nsec.longValue();
        if (nanos == UTIME_NOW) {
            return TimeChange.NOW;
        }
        if (nanos == UTIME_OMIT) {
            return TimeChange.OMIT;
        }
        if (nanos < 0 || nanos > 999_999_999) {
            throw new FsException(Errno.EINVAL, "tv_nsec " + nanos + " is out of range");
        }
        return TimeChange.at(new Timestamp(t.tv_sec.get(), (int) nanos));
    }

    @Override
    public int access(String path, int mask) {
        try {
            inodeOf(path); // the kernel checks permissions (default_permissions): only existence is left
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("access", path, e);
        }
    }

    @Override
    public int statfs(String path, Statvfs st) {
        try {
            FsStats s = fs.statfs();
            st.f_bsize.set(s.blockSize());
            st.f_frsize.set(s.blockSize());
            st.f_blocks.set(s.blocks());
            st.f_bfree.set(s.freeBlocks());
            st.f_bavail.set(s.freeBlocks());
            st.f_files.set(s.inodes());
            st.f_ffree.set(s.freeInodes());
            st.f_favail.set(s.freeInodes());
            st.f_namemax.set(s.maxNameLength());
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("statfs", path, e);
        }
    }

    // ------------------------------------------------------------------ names

    @Override
    public int mknod(String path, @mode_t long mode, @dev_t long rdev) {
        try {
            Name n = parentAndName(path);
            fs.mknod(n.dir, n.name, (int) mode, rdev, caller());
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("mknod", path, e);
        }
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        try {
            Name n = parentAndName(path);
            fs.mkdir(n.dir, n.name, (int) mode, caller());
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("mkdir", path, e);
        }
    }

    @Override
    public int unlink(String path) {
        try {
            Name n = parentAndName(path);
            names.changing();
            try {
                fs.unlink(n.dir, n.name);
            } finally {
                names.changed(n.dir, n.name);
            }
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("unlink", path, e);
        }
    }

    @Override
    public int rmdir(String path) {
        try {
            Name n = parentAndName(path);
            names.changing();
            try {
                fs.rmdir(n.dir, n.name);
            } finally {
                names.changed(n.dir, n.name);
            }
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("rmdir", path, e);
        }
    }

    @Override
    public int symlink(String target, String linkPath) {
        try {
            Name n = parentAndName(linkPath);
            fs.symlink(n.dir, n.name, NativeNames.bytes(target), caller());
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("symlink", linkPath, e);
        }
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        try {
            byte[] target = fs.readlink(inodeOf(path));
            if (size <= 0) {
                return 0;
            }
            int n = (int) Math.min(target.length, size - 1); // truncated and NUL-terminated, as libfuse asks
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("readlink", path, e);
        }
    }

    @Override
    public int rename(String oldPath, String newPath) {
        try {
            Name from = parentAndName(oldPath);
            Name to = parentAndName(newPath);
            names.changing();
            try {
                fs.rename(from.dir, from.name, to.dir, to.name, 0);
            } finally {
                names.changed(from.dir, from.name, to.dir, to.name);
            }
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("rename", oldPath + " -> " + newPath, e);
        }
    }

    @Override
    public int link(String oldPath, String newPath) {
        try {
            long inode = inodeOf(oldPath);
            Name to = parentAndName(newPath);
            fs.link(inode, to.dir, to.name);
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("link", oldPath + " -> " + newPath, e);
        }
    }

    // ------------------------------------------------------------------ open files

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        try {
            Name n = parentAndName(path);
            OpenFile opened = fs.create(n.dir, n.name, (int) mode, fi.flags.get(), caller());
            inodeOfHandle.put(opened.handle(), opened.attributes().inode());
            fi.fh.set(opened.handle());
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("create", path, e);
        }
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        try {
            long inode = inodeOf(path);
            long handle = fs.open(inode, fi.flags.get());
            inodeOfHandle.put(handle, inode);
            fi.fh.set(handle);
            if (fs.getattr(inode).links() > 1) {
                setDirectIo(fi);
            }
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("open", path, e);
        }
    }

    /**
     * Makes the kernel send this open file's reads and writes straight here, past its page cache.
     * For a file with several names: libfuse 2 gives each name its own kernel inode, so the
     * size and pages the kernel caches for one name do not see writes made through another,
     * and a read would return old or cut-short data until the attribute timeout.
     *
     * <p>jnr-fuse declares the C bit-fields of {@code struct fuse_file_info} as bytes starting
     * where C has {@code int writepage}; in C they are the 32-bit word just before {@code fh},
     * {@code direct_io} its lowest bit (little-endian).
     */
    private static void setDirectIo(FuseFileInfo fi) {
        Pointer memory = Struct.getMemory(fi);
        long bits = offsetOf(fi.fh) - 4;
        memory.putByte(bits, (byte) (memory.getByte(bits) | 1));
    }

    /** A jnr struct member's offset: {@code Struct.Member.offset()} is reachable by reflection only. */
    private static long offsetOf(Object member) {
        try {
            java.lang.reflect.Method method = Class.forName("jnr.ffi.Struct$Member").getDeclaredMethod("offset");
            method.setAccessible(true);
            return (Long) method.invoke(member);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read jnr-fuse's struct layout", e);
        }
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        try {
            long handle = fi.fh.get();
            ByteBuffer dst = MEMORY.newDirectByteBuffer(buf.address(), (int) size);
            // A short reply means end of file to the kernel: fill it unless the file ends first.
            while (dst.hasRemaining()) {
                int n = fs.read(handle, offset + dst.position(), dst);
                if (n <= 0) {
                    break;
                }
            }
            return dst.position();
        } catch (RuntimeException | Error e) {
            return failed("read", path, e);
        }
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        try {
            ByteBuffer src = MEMORY.newDirectByteBuffer(buf.address(), (int) size);
            boolean clearSetId = CurrentRequest.clearSetId();
            boolean clears = clearSetId && hasSetIdToClear(inodeOfHandle(fi));
            int written = fs.write(fi.fh.get(), offset, src, clearSetId);
            if (clears) {
                CurrentRequest.invalidateKernelAttributes();
            }
            return written;
        } catch (RuntimeException | Error e) {
            return failed("write", path, e);
        }
    }

    // No flush: close(2) promises nothing about durability (fsync does), so there is nothing to do
    // on FLUSH. Left unimplemented, libfuse answers the kernel's first FLUSH with ENOSYS, after
    // which the kernel sends none (fc->no_flush): every close(2) saves a round trip to the daemon.
    // POSIX locks need no FLUSH either: without a lock operation the kernel keeps them itself.

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        try {
            fs.fsync(fi.fh.get(), isdatasync != 0);
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("fsync", path, e);
        }
    }

    @Override
    public int fallocate(String path, int mode, @off_t long off, @off_t long length, FuseFileInfo fi) {
        try {
            // The kernel says nothing in a FALLOCATE about the caller's CAP_FSETID; a caller other
            // than root is taken to lack it, as nearly all do (docs/MOUNT.md, "Set-ID bits").
            if (mode != FileSystem.FALLOC_FL_KEEP_SIZE && caller().uid() != 0 && fs.clearSetId(inodeOfHandle(fi))) {
                CurrentRequest.invalidateKernelAttributes();
            }
            fs.fallocate(fi.fh.get(), mode, off, length);
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("fallocate", path, e);
        }
    }

    /**
     * Truncates or extends {@code inode} to {@code size}, first clearing its set-ID bits if the
     * caller lacks CAP_FSETID: cleared in a transaction of their own, before the size changes, so
     * a crash in a truncate of many transactions never leaves a shortened file with the bits.
     */
    private void truncateTo(long inode, long size) {
        if (CurrentRequest.clearSetId()) {
            fs.clearSetId(inode);
        }
        fs.setattr(inode, AttributeChanges.size(size));
    }

    private boolean hasSetIdToClear(long inode) {
        return Inode.hasSetIdToClear(fs.getattr(inode).mode());
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        try {
            long handle = fi.fh.get();
            inodeOfHandle.remove(handle);
            fs.release(handle);
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("release", path, e);
        }
    }

    // ------------------------------------------------------------------ directories

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        try {
            long inode = inodeOf(path);
            if (!fs.getattr(inode).isDirectory()) {
                throw new FsException(Errno.ENOTDIR, "not a directory");
            }
            fi.fh.set(inode);
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("opendir", path, e);
        }
    }

    /**
     * Fills the kernel's buffer from {@code offset} on, giving each entry the offset of the next
     * (libfuse's offset mode), so that a directory of any size streams in buffer-sized pieces.
     */
    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        try {
            long dir = fi.fh.get();
            ReaddirScratch scratch = readdirScratch.get();
            long at = offset;
            while (true) {
                List<DirectoryEntry> entries = fs.readdir(dir, at, READDIR_BATCH);
                for (DirectoryEntry e : entries) {
                    if (filler.apply(buf, scratch.name(e), scratch.stat(e), e.nextOffset()) != 0) {
                        return 0; // the buffer is full; the kernel asks again from this entry
                    }
                    at = e.nextOffset();
                }
                if (entries.size() < READDIR_BATCH) {
                    return 0;
                }
            }
        } catch (RuntimeException | Error e) {
            return failed("readdir", path, e);
        }
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int fsyncdir(String path, FuseFileInfo fi) {
        try {
            fs.sync();
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("fsyncdir", path, e);
        }
    }

    /** One thread's buffers for the name and the stat that readdir hands to the filler. */
    private static final class ReaddirScratch {
        private static final int STAT_SIZE = Struct.size(new FileStat(Runtime.getSystemRuntime()));

        private final ByteBuffer nameBuffer = ByteBuffer.allocateDirect(4096 + 1);
        private final Pointer statMemory = Runtime.getSystemRuntime().getMemoryManager().allocateDirect(STAT_SIZE);
        private final FileStat stat = FileStat.of(statMemory);

        /** The entry's name, NUL-terminated, at the start of a direct buffer. */
        ByteBuffer name(DirectoryEntry e) {
            byte[] name = e.name();
            nameBuffer.clear();
            nameBuffer.put(name, 0, Math.min(name.length, nameBuffer.capacity() - 1)).put((byte) 0);
            nameBuffer.flip();
            return nameBuffer;
        }

        /** What libfuse takes from a readdir stat: the inode number (use_ino) and the type. */
        Pointer stat(DirectoryEntry e) {
            statMemory.setMemory(0, STAT_SIZE, (byte) 0);
            stat.st_ino.set(e.inode());
            stat.st_mode.set(e.type() << 12); // DT_x << 12 == S_IFx
            return statMemory;
        }
    }

    // ------------------------------------------------------------------ extended attributes

    /**
     * POSIX ACLs are not supported by this mount: with libfuse 2 the kernel neither enforces them
     * nor derives the mode from them, so storing {@code system.posix_acl_*} as plain attributes
     * would make {@code cp -a} and {@code tar --acls} believe they set a mode they did not.
     * EOPNOTSUPP makes them fall back to chmod, as on a filesystem mounted with {@code noacl}.
     */
    private static String supportedXattr(String fromNative) {
        String name = xattrName(fromNative);
        if (isAcl(name)) {
            throw new FsException(Errno.ENOTSUP, "POSIX ACLs are not supported on a FUSE mount of quillfs");
        }
        return name;
    }

    private static boolean isAcl(String name) {
        return name.equals("system.posix_acl_access") || name.equals("system.posix_acl_default");
    }

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        try {
            byte[] v = fs.getxattr(inodeOf(path), supportedXattr(name));
            return copyOut(v, value, size);
        } catch (RuntimeException | Error e) {
            return failed("getxattr", path, e);
        }
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        try {
            List<String> names = fs.listxattr(inodeOf(path)).stream().filter(n -> !isAcl(n)).toList();
            ByteBuffer all = ByteBuffer.allocate(names.stream().mapToInt(n -> n.length() * 4 + 1).sum());
            for (String n : names) {
                all.put(n.getBytes(StandardCharsets.UTF_8)).put((byte) 0);
            }
            byte[] bytes = new byte[all.position()];
            all.flip().get(bytes);
            return copyOut(bytes, list, size);
        } catch (RuntimeException | Error e) {
            return failed("listxattr", path, e);
        }
    }

    /** getxattr(2)'s convention: size 0 asks for the length; a smaller buffer is ERANGE. */
    private static int copyOut(byte[] bytes, Pointer to, long size) {
        if (size == 0) {
            return bytes.length;
        }
        if (bytes.length > size) {
            throw new FsException(Errno.ERANGE, "the value is " + bytes.length + " bytes, the buffer " + size);
        }
        to.put(0, bytes, 0, bytes.length);
        return bytes.length;
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        try {
            byte[] v = new byte[(int) size];
            value.get(0, v, 0, v.length);
            fs.setxattr(inodeOf(path), supportedXattr(name), v, flags);
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("setxattr", path, e);
        }
    }

    @Override
    public int removexattr(String path, String name) {
        try {
            fs.removexattr(inodeOf(path), supportedXattr(name));
            return 0;
        } catch (RuntimeException | Error e) {
            return failed("removexattr", path, e);
        }
    }

    /** An attribute name as the facade takes it: the bytes the caller gave, read as UTF-8. */
    private static String xattrName(String fromNative) {
        return new String(NativeNames.bytes(fromNative), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ paths

    /** A name to make or remove: its directory's inode and its last component. */
    private record Name(long dir, byte[] name) {
    }

    /** The inode {@code path} names; a symlink at its end is not followed. */
    private long inodeOf(String path) {
        byte[] bytes = NativeNames.bytes(path);
        return walk(bytes, bytes.length);
    }

    private Name parentAndName(String path) {
        byte[] bytes = NativeNames.bytes(path);
        int slash = lastSlash(bytes);
        byte[] name = java.util.Arrays.copyOfRange(bytes, slash + 1, bytes.length);
        return new Name(slash <= 0 ? FileSystem.ROOT : walk(bytes, slash), name);
    }

    private static int lastSlash(byte[] path) {
        for (int i = path.length - 1; i >= 0; i--) {
            if (path[i] == '/') {
                return i;
            }
        }
        throw new FsException(Errno.EINVAL, "libfuse sent a relative path");
    }

    /**
     * Resolves the first {@code length} bytes of an absolute path one name at a time, through
     * {@link #names}: a name not cached is looked up in the facade and cached. libfuse builds its
     * paths from the names the kernel looked up, so they hold no symlink, {@code .} or {@code ..}
     * (the kernel resolved those itself); a name that is not a directory before the last one
     * gets ENOTDIR from the facade. Names are bytes, UTF-8 or not.
     */
    private long walk(byte[] path, int length) {
        long at = FileSystem.ROOT;
        int start = 1;
        while (start < length) {
            int end = start;
            while (end < length && path[end] != '/') {
                end++;
            }
            if (end > start) {
                byte[] name = java.util.Arrays.copyOfRange(path, start, end);
                long child = names.get(at, name);
                if (child == NameCache.MISSING) {
                    long stamp = names.stamp();
                    child = fs.lookup(at, name).inode();
                    names.put(stamp, at, name, child);
                }
                at = child;
            }
            start = end + 1;
        }
        return at;
    }

    private long inodeOfHandle(FuseFileInfo fi) {
        Long inode = inodeOfHandle.get(fi.fh.get());
        if (inode == null) {
            throw new FsException(Errno.EBADF, "no open file has handle " + fi.fh.get());
        }
        return inode;
    }

    private Caller caller() {
        FuseContext context = getContext();
        return new Caller(context.uid.get(), context.gid.get());
    }

    // ------------------------------------------------------------------ attributes out

    private static void fill(FileStat st, Attributes a) {
        st.st_mode.set(a.mode());
        st.st_ino.set(a.inode());
        st.st_nlink.set(a.links());
        st.st_uid.set(a.uid());
        st.st_gid.set(a.gid());
        st.st_rdev.set(a.rdev());
        st.st_size.set(a.size());
        st.st_blksize.set(a.blockSize());
        st.st_blocks.set(a.blocks());
        set(st.st_atim, a.atime());
        set(st.st_mtim, a.mtime());
        set(st.st_ctim, a.ctime());
    }

    private static void set(Timespec t, Timestamp time) {
        t.tv_sec.set(time.seconds());
        t.tv_nsec.set(Integer.toUnsignedLong(time.nanos()));
    }

    // ------------------------------------------------------------------ errors

    /** The negative errno a callback returns for {@code e}; unexpected failures are logged. */
    private int failed(String operation, String path, Throwable e) {
        if (e instanceof FsException fe) {
            if (log.isDebugEnabled()) {
                log.debug("{} {}: {}", operation, path, fe.getMessage());
            }
            return -fe.errno().number();
        }
        unexpected(operation, path, e);
        return -Errno.EIO.number();
    }

    private void unexpected(String operation, String path, Throwable e) {
        long n = unexpectedFailures.incrementAndGet();
        if (n <= STACK_TRACES_LOGGED) {
            log.error("{} {} failed unexpectedly; the caller gets EIO", operation, path, e);
        } else {
            log.error("{} {} failed unexpectedly ({}); the caller gets EIO", operation, path, e.toString());
        }
    }
}
