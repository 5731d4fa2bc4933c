package org.quillfs.stress;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.fs.AttributeChanges;
import org.quillfs.fs.Caller;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.OpenFlags;

/**
 * One thread of the stress run: random operations on the shared tree, where any outcome a
 * racing POSIX filesystem could give is fine (an errno from {@link #RACE_ERRNOS}), and on a
 * file of its own, where every byte is checked against what the worker wrote (a lost update
 * fails the run).
 *
 * <p>The shared tree: directories {@code /s0 .. /s3}, which stay, and in them (and in each
 * other) names from a small set — so that the workers collide: files {@code f0..f7}, directories
 * {@code d0..d3}. Renames go across directories in both directions, directories included.
 */
final class StressWorker {

    /**
     * What operations on a shared tree may answer when another thread got there first. EPERM:
     * an inode number looked up, then freed and reused for a directory before the link.
     */
    static final Set<Errno> RACE_ERRNOS = EnumSet.of(Errno.ENOENT, Errno.EEXIST, Errno.ENOTEMPTY, Errno.ENOTDIR,
            Errno.EISDIR, Errno.EINVAL, Errno.ENODATA, Errno.EMLINK, Errno.EPERM);
    static final int TOP_DIRS = 4;
    static final Caller CALLER = new Caller(0, 0);
    private static final int PRIVATE_SPAN = 256 << 10;
    /** The stress image's block size. */
    static final int BLOCK = 4096;

    private final FileSystem fs;
    private final int id;
    private final Random random;
    private final Watchdog watchdog;
    private final long privateFile;
    /** What {@link #privateFile} must hold. */
    private byte[] expected = new byte[0];
    long operations;

    StressWorker(FileSystem fs, int id, long seed, Watchdog watchdog) {
        this.fs = fs;
        this.id = id;
        this.random = new Random(seed);
        this.watchdog = watchdog;
        long privateDir = fs.resolve("/p", true);
        this.privateFile = fs.mknod(privateDir, name("w" + id), 0100644, 0, CALLER).inode();
    }

    /** Runs operations until {@code stop} says so; throws on anything a filesystem must not do. */
    void run(BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            watchdog.started(id);
            try {
                if (random.nextInt(4) == 0) {
                    privateOperation();
                } else {
                    sharedOperation();
                }
            } catch (FsException e) {
                if (!RACE_ERRNOS.contains(e.errno())) {
                    throw new AssertionError("worker " + id + ": " + e.errno() + " " + e.getMessage(), e);
                }
            } finally {
                watchdog.finished(id);
            }
            operations++;
        }
        checkPrivateFile();
    }

    private void sharedOperation() {
        long dir = randomDir();
        byte[] file = name("f" + random.nextInt(8));
        byte[] subdir = name("d" + random.nextInt(4));
        switch (random.nextInt(14)) {
            case 0, 1 -> fs.mknod(dir, file, 0100644, 0, CALLER);
            case 2 -> fs.mkdir(dir, subdir, 0755, CALLER);
            case 3 -> fs.unlink(dir, file);
            case 4 -> fs.rmdir(dir, subdir);
            case 5 -> fs.rename(dir, file, randomDir(), name("f" + random.nextInt(8)), 0);
            case 6 -> fs.rename(dir, subdir, randomDir(), name("d" + random.nextInt(4)), 0);
            case 7 -> fs.link(fs.lookup(dir, file).inode(), randomDir(), name("f" + random.nextInt(8)));
            case 8 -> writeShared(dir, file);
            case 9 -> fs.setattr(fs.lookup(dir, file).inode(), AttributeChanges.size(random.nextInt(20_000)));
            case 10 -> listAll(dir);
            case 11 -> fs.getattr(fs.lookup(dir, random.nextBoolean() ? file : subdir).inode());
            case 12 -> fs.setxattr(fs.lookup(dir, file).inode(), "user.w" + id, name("v" + random.nextInt()), 0);
            default -> fs.getxattr(fs.lookup(dir, file).inode(), "user.w" + random.nextInt(16));
        }
    }

    /** A top directory, or one of its subdirectories (whichever is there now). */
    private long randomDir() {
        long top = fs.resolve("/s" + random.nextInt(TOP_DIRS), true);
        if (random.nextBoolean()) {
            return top;
        }
        try {
            return fs.lookup(top, name("d" + random.nextInt(4))).inode();
        } catch (FsException e) {
            return top;
        }
    }

    private void writeShared(long dir, byte[] file) {
        long handle = fs.open(fs.lookup(dir, file).inode(), OpenFlags.O_WRONLY);
        try {
            if (random.nextBoolean()) {
                writeBlocksTwice(handle, 4);
            } else {
                byte[] bytes = new byte[1 + random.nextInt(8192)];
                random.nextBytes(bytes);
                fs.write(handle, random.nextInt(16_384), ByteBuffer.wrap(bytes));
            }
        } finally {
            fs.release(handle);
        }
    }

    /**
     * Whole blocks at a block offset below {@code span} blocks, written twice in a row: the
     * second write usually finds mtime and ctime already set in this millisecond and, if the
     * blocks are the file's and written, overwrites them in place under shared locks only — the
     * path that must hold against the other workers' truncates and unlinks. Returns where it
     * wrote and what the file now holds there.
     */
    private Written writeBlocksTwice(long handle, int span) {
        long offset = (long) BLOCK * random.nextInt(span);
        byte[] bytes = new byte[BLOCK * (1 + random.nextInt(2))];
        random.nextBytes(bytes);
        fs.write(handle, offset, ByteBuffer.wrap(bytes));
        random.nextBytes(bytes);
        fs.write(handle, offset, ByteBuffer.wrap(bytes));
        return new Written((int) offset, bytes);
    }

    private record Written(int offset, byte[] bytes) {
    }

    private void listAll(long dir) {
        Listings.forEachEntry(fs, dir, 64, e -> { });
    }

    /** A write, truncate or read of the worker's own file, checked against {@link #expected}. */
    private void privateOperation() {
        switch (random.nextInt(3)) {
            case 0 -> {
                long handle = fs.open(privateFile, OpenFlags.O_WRONLY);
                Written w;
                try {
                    if (random.nextBoolean()) {
                        w = writeBlocksTwice(handle, PRIVATE_SPAN / BLOCK);
                    } else {
                        w = new Written(random.nextInt(PRIVATE_SPAN), new byte[1 + random.nextInt(32 << 10)]);
                        random.nextBytes(w.bytes());
                        fs.write(handle, w.offset(), ByteBuffer.wrap(w.bytes()));
                    }
                } finally {
                    fs.release(handle);
                }
                if (w.offset() + w.bytes().length > expected.length) {
                    expected = Arrays.copyOf(expected, w.offset() + w.bytes().length);
                }
                System.arraycopy(w.bytes(), 0, expected, w.offset(), w.bytes().length);
            }
            case 1 -> {
                int size = random.nextInt(PRIVATE_SPAN);
                fs.setattr(privateFile, AttributeChanges.size(size));
                expected = Arrays.copyOf(expected, size);
            }
            default -> checkPrivateFile();
        }
    }

    private void checkPrivateFile() {
        long size = fs.getattr(privateFile).size();
        if (size != expected.length) {
            throw new AssertionError("worker " + id + ": its file has " + size + " bytes, not " + expected.length);
        }
        ByteBuffer actual = ByteBuffer.allocate(expected.length);
        long handle = fs.open(privateFile, OpenFlags.O_RDONLY);
        try {
            while (actual.hasRemaining() && fs.read(handle, actual.position(), actual) > 0) {
                // read on
            }
        } finally {
            fs.release(handle);
        }
        int differs = Arrays.mismatch(actual.array(), expected);
        if (differs >= 0) {
            throw new AssertionError("worker " + id + ": its file differs from what it wrote at byte " + differs);
        }
    }

    static byte[] name(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
