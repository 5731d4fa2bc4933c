package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.name;
import static org.quillfs.fs.TestFileSystems.random;

import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every operation once on small filesystems of each block size. mkfs gives the journal 1/64 of
 * the filesystem and at least 1 MiB, so a small filesystem has a small journal, and no
 * operation may ask it for more log than it can give: the operation works, or fails with an
 * errno, never with an IllegalArgumentException. (64 KiB blocks need a journal of at least 4 MiB,
 * more than mkfs gives a small filesystem by default: a known limit, docs/FILESYSTEM.md.)
 */
class FileSystemSmallFilesystemTest {

    @ParameterizedTest(name = "{0} MiB, {1}-byte blocks")
    @CsvSource({"8, 1024", "16, 2048", "16, 4096", "64, 4096", "128, 4096", "256, 4096"})
    void everyOperationWorks(long mib, int blockSize) {
        try (TestFileSystems t = new TestFileSystems(blockSize, mib << 20)) {
            long a = t.mkdir(ROOT, "a");
            long b = t.mkdir(ROOT, "b");
            long f = t.file(a, "f", random(3 * blockSize + 5, 1));
            t.file(b, "g", "g");
            t.fs.link(f, b, name("f-link"));
            t.fs.symlink(a, name("s"), TestFileSystems.longName(blockSize == 1024 ? 1000 : 2000), CALLER);
            t.fs.rename(a, name("f"), a, name("f2"), 0);
            t.fs.rename(a, name("f2"), b, name("g"), 0);
            t.fs.rename(b, name("g"), ROOT, name("top"), FileSystem.RENAME_NOREPLACE);
            long x = t.mkdir(a, "x");
            t.fs.rename(a, name("x"), b, name("f-link"), FileSystem.RENAME_EXCHANGE);
            t.fs.rename(ROOT, name("top"), b, name("f-link"), FileSystem.RENAME_EXCHANGE);
            long h = t.fs.open(f, OpenFlags.O_RDWR);
            for (int i = 0; i < 20; i++) {
                t.fs.write(h, 2L * i * blockSize, ByteBuffer.wrap(random(blockSize, i)));
            }
            t.fs.fallocate(h, FileSystem.FALLOC_FL_PUNCH_HOLE | FileSystem.FALLOC_FL_KEEP_SIZE, 0, 4L * blockSize);
            t.fs.setattr(f, AttributeChanges.size(blockSize + 1));
            t.fs.release(h);
            t.fs.unlink(a, name("s"));
            assertThat(t.fs.lookup(a, name("x")).inode()).isNotEqualTo(x);
            Map<String, TreeSnapshot.Node> before = TreeSnapshot.of(t);
            t.reopen();
            assertThat(TreeSnapshot.of(t)).isEqualTo(before);
            t.syncAndCrash();
            assertThat(TreeSnapshot.of(t)).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "{0} MiB, {1}-byte blocks, one write of {2} KiB")
    @CsvSource({"8, 1024, 512", "8, 1024, 1024", "8, 1024, 4096", "64, 1024, 1024", "16, 4096, 4096"})
    void aLargeWriteInOneCallWorks(long mib, int blockSize, int kib) {
        try (TestFileSystems t = new TestFileSystems(blockSize, mib << 20)) {
            long f = t.file(ROOT, "f", new byte[0]);
            long h = t.fs.open(f, OpenFlags.O_WRONLY);
            assertThat(t.fs.write(h, 0, ByteBuffer.wrap(random(kib << 10, kib)))).isEqualTo(kib << 10);
            t.fs.release(h);
            assertThat(t.read(f)).isEqualTo(random(kib << 10, kib));
        }
    }
}
