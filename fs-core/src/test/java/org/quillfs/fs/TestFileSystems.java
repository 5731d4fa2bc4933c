package org.quillfs.fs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.TestFormats;
import org.quillfs.format.Timestamp;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A formatted memory device and a facade over it that tests can close, reopen and crash, with
 * the few steps most tests repeat: make a directory or a file by name, read a whole file, find
 * the errno an operation fails with.
 */
public final class TestFileSystems implements AutoCloseable {

    public static final Caller CALLER = new Caller(1000, 1000);

    public final MemoryBlockDevice device;
    public final FsOptions options;
    public FileSystem fs;

    public TestFileSystems(int blockSize, long bytes) {
        this(TestFormats.options(blockSize, bytes), FsOptions.defaults());
    }

    /** A device of {@code format}'s geometry, formatted with it, opened with {@code options}. */
    public TestFileSystems(FormatOptions format, FsOptions options) {
        this.device = new MemoryBlockDevice("fs", format.blockSize(), format.blockCount());
        this.options = options;
        Formatter.format(device, format);
        this.fs = FileSystem.open(device, options);
    }

    /** 64 MiB with 4 KiB blocks. */
    public static TestFileSystems small() {
        return new TestFileSystems(4096, 64L << 20);
    }

    /** 256 MiB with 4 KiB blocks (a 4 MiB journal): what most tests use. */
    public static TestFileSystems standard() {
        return new TestFileSystems(4096, 256L << 20);
    }

    /** 256 MiB with 4 KiB blocks, opened with {@code options}. */
    public static TestFileSystems standard(FsOptions options) {
        return new TestFileSystems(TestFormats.options(4096, 256L << 20), options);
    }

    /** {@code bytes} with blocks of {@code blockSize} and exactly {@code inodes} inodes (rounded up by the format to whole groups). */
    public static TestFileSystems withInodes(int blockSize, long bytes, long inodes) {
        FormatOptions o = TestFormats.options(blockSize, bytes);
        return new TestFileSystems(new FormatOptions(o.blockSize(), o.blockCount(), o.journalBlocks(), inodes,
                Limits.DEFAULT_BYTES_PER_INODE, o.label(), o.uuid(), o.ownerUid(), o.ownerGid(), o.now(),
                new Random(42)), FsOptions.defaults());
    }

    /** A clean close, then open again. */
    public void reopen() {
        fs.close();
        fs = FileSystem.open(device, options);
    }

    /** Stops as a crash would (nothing more written, nothing flushed that was not), then opens again. */
    public void crashAndReopen() {
        fs.halt();
        fs = FileSystem.open(device, options);
    }

    /** {@link FileSystem#sync}, then a crash: everything done before must be there after. */
    public void syncAndCrash() {
        fs.sync();
        crashAndReopen();
    }

    // ------------------------------------------------------------------ making things

    /** mkdir {@code name} in {@code dir}, mode 0755; returns its inode. */
    public long mkdir(long dir, String name) {
        return fs.mkdir(dir, name(name), 0755, CALLER).inode();
    }

    /** A regular file {@code name} in {@code dir} holding {@code content} (released again); returns its inode. */
    public long file(long dir, String name, byte[] content) {
        OpenFile f = fs.create(dir, name(name), 0644, OpenFlags.O_RDWR, CALLER);
        try {
            if (content.length > 0) {
                int n = fs.write(f.handle(), 0, ByteBuffer.wrap(content));
                if (n != content.length) {
                    throw new AssertionError("short write: " + n + " of " + content.length);
                }
            }
        } finally {
            fs.release(f.handle());
        }
        return f.attributes().inode();
    }

    public long file(long dir, String name, String content) {
        return file(dir, name, name(content));
    }

    /** Writes {@code data} at {@code offset} of file {@code inode} through a handle of its own. */
    public void write(long inode, long offset, byte[] data) {
        long h = fs.open(inode, OpenFlags.O_WRONLY);
        try {
            int n = fs.write(h, offset, ByteBuffer.wrap(data));
            if (n != data.length) {
                throw new AssertionError("short write: " + n + " of " + data.length);
            }
        } finally {
            fs.release(h);
        }
    }

    /** The whole content of file {@code inode}, as its size says. */
    public byte[] read(long inode) {
        long h = fs.open(inode, OpenFlags.O_RDONLY);
        try {
            return readHandle(h, 0, Math.toIntExact(fs.getattr(inode).size()));
        } finally {
            fs.release(h);
        }
    }

    /** Up to {@code length} bytes at {@code offset} through handle {@code h} (fewer at the end of the file). */
    public byte[] readHandle(long h, long offset, int length) {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int n = fs.read(h, offset + buf.position(), buf);
            if (n <= 0) {
                break;
            }
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    /** {@code length} bytes at {@code offset} of file {@code inode} (fewer at its end). */
    public byte[] read(long inode, long offset, int length) {
        long h = fs.open(inode, OpenFlags.O_RDONLY);
        try {
            return readHandle(h, offset, length);
        } finally {
            fs.release(h);
        }
    }

    /** The inode {@code path} names, not following a symlink at its end. */
    public long ino(String path) {
        return fs.resolve(path, false);
    }

    public Attributes stat(String path) {
        return fs.getattr(ino(path));
    }

    // ------------------------------------------------------------------ small helpers

    /**
     * The errno {@code op} fails with.
     *
     * @throws AssertionError if it succeeds
     */
    public static Errno errnoOf(Runnable op) {
        try {
            op.run();
        } catch (FsException e) {
            return e.errno();
        }
        throw new AssertionError("expected the operation to fail with an errno, but it succeeded");
    }

    public static byte[] name(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A name of {@code length} bytes ('n' repeated). */
    public static byte[] longName(int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) 'n');
        return b;
    }

    public static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(name(s));
    }

    /** {@code n} pseudo-random bytes from {@code seed}. */
    public static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static Instant instant(Timestamp t) {
        return t.toInstant();
    }

    /** Waits until the clock has moved on by at least a millisecond, so that "changed" times can differ from "before". */
    public static Instant tick() {
        Instant start = Instant.now();
        Instant now;
        do {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            now = Instant.now();
        } while (!now.isAfter(start.plusMillis(1)));
        return now;
    }

    @Override
    public void close() {
        fs.close();
    }
}
