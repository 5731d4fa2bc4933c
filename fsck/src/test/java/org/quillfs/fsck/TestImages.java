package org.quillfs.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.fs.Caller;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.OpenFile;
import org.quillfs.fs.OpenFlags;
import org.quillfs.volume.MemoryBlockDevice;

/** Small real filesystems made through the facade, for fsck's tests. */
final class TestImages {

    static final UUID UUID = java.util.UUID.fromString("3a6f2c1e-5b7d-4e9f-8a1b-2c3d4e5f6a7b");
    static final Caller CALLER = new Caller(1000, 1000);

    private TestImages() {
    }

    static MemoryBlockDevice format(int blockSize, long bytes) {
        return (MemoryBlockDevice) format(TestDevices.SINGLE, blockSize, bytes).device();
    }

    /** A device of {@code devices}' kind of at most {@code bytes}, formatted. */
    static TestDevices.Made format(TestDevices devices, int blockSize, long bytes) {
        TestDevices.Made made = devices.make(blockSize, bytes);
        Formatter.format(made.device(), new FormatOptions(blockSize, made.device().blockCount(), 0, 0,
                Limits.DEFAULT_BYTES_PER_INODE, "fsck-test", UUID, 1000, 1000, Instant.parse("2026-11-23T12:00:00Z"),
                new Random(7)));
        return made;
    }

    /** A few directories, files of several sizes, links, symlinks short and long, a fifo, an attribute. */
    static void populate(FileSystem fs, int blockSize) {
        long a = fs.mkdir(FileSystem.ROOT, name("a"), 0755, CALLER).inode();
        long b = fs.mkdir(a, name("b"), 0755, CALLER).inode();
        long c = fs.mkdir(FileSystem.ROOT, name("c"), 0750, CALLER).inode();
        long f1 = file(fs, a, "f1", bytes(3 * blockSize + 100, 1));
        file(fs, b, "f2", bytes(10, 2));
        file(fs, c, "empty", new byte[0]);
        long big = file(fs, c, "big", bytes(40 * blockSize, 3));
        long h = fs.open(big, OpenFlags.O_RDWR);
        for (int i = 0; i < 12; i++) { // holes: more than five extents, so the tree has a node
            fs.write(h, (60L + 3 * i) * blockSize, ByteBuffer.wrap(bytes(blockSize, 10 + i)));
        }
        fs.release(h);
        fs.link(f1, c, name("f1-link"));
        fs.symlink(FileSystem.ROOT, name("short"), name("a/f1"), CALLER);
        fs.symlink(a, name("long"), bytes(300, 'x'), CALLER);
        fs.mknod(b, name("fifo"), 0010644, 0, CALLER);
        fs.setxattr(f1, "user.note", name("hello"), 0);
        for (int i = 0; i < 30; i++) {
            file(fs, b, "many-" + i, bytes(i * 7, i));
        }
        long wide = fs.mkdir(FileSystem.ROOT, name("wide"), 0755, CALLER).inode();
        for (int i = 0; i < 300; i++) { // several leaves under a node
            fs.mknod(wide, name("entry-with-a-longer-name-" + i), 0100644, 0, CALLER);
        }
        long deep = file(fs, c, "deep", new byte[0]);
        long d = fs.open(deep, OpenFlags.O_RDWR);
        for (int i = 0; i < 260; i++) { // more extents than one level of nodes holds with 1 KiB blocks
            fs.write(d, 2L * i * blockSize, ByteBuffer.wrap(bytes(16, 100 + i)));
        }
        fs.release(d);
    }

    static long file(FileSystem fs, long dir, String name, byte[] content) {
        OpenFile f = fs.create(dir, name(name), 0644, OpenFlags.O_RDWR, CALLER);
        if (content.length > 0) {
            fs.write(f.handle(), 0, ByteBuffer.wrap(content));
        }
        fs.release(f.handle());
        return f.attributes().inode();
    }

    static byte[] name(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        for (int i = 0; i < n; i++) {
            if (b[i] == 0 || b[i] == '/') {
                b[i] = 'y';
            }
        }
        return b;
    }

    /** Writes every block of {@code device} to {@code file}. */
    static void save(MemoryBlockDevice device, Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer block = ByteBuffer.allocate(device.blockSize());
            for (long b = 0; b < device.blockCount(); b++) {
                block.clear();
                device.read(b, block);
                block.flip();
                ch.write(block, b * device.blockSize());
            }
        }
    }
}
