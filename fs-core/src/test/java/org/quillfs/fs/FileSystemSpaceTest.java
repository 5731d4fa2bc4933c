package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.errnoOf;
import static org.quillfs.fs.TestFileSystems.name;
import static org.quillfs.fs.TestFileSystems.random;

import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.Inode;

/**
 * statfs counts exactly what is allocated; a full filesystem fails operations with ENOSPC and
 * leaves nothing half done; freed space is usable again at once; the counts survive reopen and
 * crash.
 */
class FileSystemSpaceTest {

    @Test
    void statfsDescribesTheFilesystem() {
        try (TestFileSystems t = TestFileSystems.standard()) {
            FsStats s = t.fs.statfs();
            assertThat(s.blockSize()).isEqualTo(4096);
            assertThat(s.blocks()).isEqualTo((256L << 20) / 4096);
            assertThat(s.maxNameLength()).isEqualTo(255);
            assertThat(s.freeBlocks()).isPositive().isLessThan(s.blocks());
            assertThat(s.freeInodes()).isPositive().isLessThan(s.inodes());
        }
    }

    @Test
    void freeCountsChangeByExactlyWhatEachOperationAllocates() {
        try (TestFileSystems t = TestFileSystems.standard()) {
            long d = t.mkdir(ROOT, "d");
            t.file(d, "first", new byte[0]); // the directory has its leaf block from here on
            FsStats base = t.fs.statfs();

            long f = t.file(d, "f", new byte[0]);
            assertThat(t.fs.statfs().freeInodes()).isEqualTo(base.freeInodes() - 1);
            assertThat(t.fs.statfs().freeBlocks()).isEqualTo(base.freeBlocks());

            t.write(f, 0, random(7 * 4096 + 1, 1));
            assertThat(t.fs.statfs().freeBlocks()).isEqualTo(base.freeBlocks() - 8);
            t.write(f, 100L * 4096, random(10, 2)); // a block far away, and a hole
            assertThat(t.fs.statfs().freeBlocks()).isEqualTo(base.freeBlocks() - 9);
            t.write(f, 3 * 4096, random(4096, 3)); // overwrite: nothing new
            assertThat(t.fs.statfs().freeBlocks()).isEqualTo(base.freeBlocks() - 9);

            t.fs.symlink(d, name("short"), name("target"), CALLER);
            assertThat(t.fs.statfs().freeBlocks()).as("a short target lives in the inode").isEqualTo(base.freeBlocks() - 9);
            t.fs.symlink(d, name("long"), TestFileSystems.longName(500), CALLER);
            assertThat(t.fs.statfs().freeBlocks()).isEqualTo(base.freeBlocks() - 10);
            assertThat(t.fs.statfs().freeInodes()).isEqualTo(base.freeInodes() - 3);

            t.fs.mknod(d, name("fifo"), Inode.S_IFIFO | 0644, 0, CALLER);
            assertThat(t.fs.statfs().freeBlocks()).isEqualTo(base.freeBlocks() - 10);

            t.fs.unlink(d, name("f"));
            t.fs.unlink(d, name("short"));
            t.fs.unlink(d, name("long"));
            t.fs.unlink(d, name("fifo"));
            assertThat(t.fs.statfs()).isEqualTo(base);
        }
    }

    @Test
    void freeCountsSurviveReopenAndCrashExactly() {
        try (TestFileSystems t = TestFileSystems.standard()) {
            long d = t.mkdir(ROOT, "d");
            for (int i = 0; i < 50; i++) {
                t.file(d, "f" + i, random(i * 1000, i));
            }
            for (int i = 0; i < 50; i += 3) {
                t.fs.unlink(d, name("f" + i));
            }
            FsStats s = t.fs.statfs();
            t.reopen();
            assertThat(t.fs.statfs()).isEqualTo(s);
            t.file(d, "more", random(100_000, 99));
            s = t.fs.statfs();
            t.syncAndCrash();
            assertThat(t.fs.statfs()).isEqualTo(s);
        }
    }

    /**
     * 16 MiB with 4 KiB blocks, for filling up. (Renames need {@link #tinyOneKiB}: on this one
     * every rename asks for more log than its 1 MiB journal can give, see
     * FileSystemSmallFilesystemTest.)
     */
    private static TestFileSystems tiny() {
        return new TestFileSystems(4096, 16L << 20);
    }

    /** 8 MiB with 1 KiB blocks: the smallest filesystem mkfs makes (writes of 512 KiB or more fail on it). */
    private static TestFileSystems tinyOneKiB() {
        return new TestFileSystems(1024, 8L << 20);
    }

    /** Writes to {@code inode} until the disk is full; returns the bytes it holds. */
    private static long fill(TestFileSystems t, long inode) {
        long h = t.fs.open(inode, OpenFlags.O_WRONLY | OpenFlags.O_APPEND);
        long total = 0;
        try {
            while (true) {
                int n = t.fs.write(h, 0, ByteBuffer.wrap(new byte[64 << 10]));
                total += n;
                if (n < (64 << 10)) {
                    break;
                }
            }
        } catch (FsException e) {
            assertThat(e.errno()).isEqualTo(Errno.ENOSPC);
        }
        // Whatever is left is less than one write; fill it block by block.
        try {
            while (true) {
                total += t.fs.write(h, 0, ByteBuffer.wrap(new byte[t.fs.statfs().blockSize()]));
            }
        } catch (FsException e) {
            assertThat(e.errno()).isEqualTo(Errno.ENOSPC);
        }
        t.fs.release(h);
        return total;
    }

    @Test
    void aFullDiskFailsAWriteWithEnospcAndLeavesTheFileAsItWas() {
        try (TestFileSystems t = tiny()) {
            long d = t.mkdir(ROOT, "d");
            long victim = t.file(d, "victim", "before");
            long hog = t.file(d, "hog", new byte[0]);
            FsStats empty = t.fs.statfs();
            long held = fill(t, hog);
            assertThat(held).isGreaterThan(empty.freeBlocks() * 4096 * 9 / 10);
            FsStats full = t.fs.statfs();
            assertThat(full.freeBlocks()).as("a write of one block more fails").isLessThan(2);
            assertThat(t.fs.getattr(hog).size()).isEqualTo(held);

            Attributes before = t.fs.getattr(victim);
            long h = t.fs.open(victim, OpenFlags.O_RDWR);
            assertThat(errnoOf(() -> t.fs.write(h, 1 << 20, ByteBuffer.wrap(new byte[8192])))).isEqualTo(Errno.ENOSPC);
            assertThat(errnoOf(() -> t.fs.write(h, 6, ByteBuffer.wrap(new byte[3 * 4096])))).isEqualTo(Errno.ENOSPC);
            t.fs.release(h);
            Attributes after = t.fs.getattr(victim);
            assertThat(after.size()).isEqualTo(before.size());
            assertThat(after.blocks()).isEqualTo(before.blocks());
            assertThat(after.mtime()).isEqualTo(before.mtime());
            assertThat(t.read(victim)).isEqualTo(name("before"));
            assertThat(t.fs.statfs()).isEqualTo(full);

            t.fs.unlink(d, name("hog"));
            assertThat(t.fs.statfs().freeBlocks()).as("freed at once").isEqualTo(empty.freeBlocks());
            assertThat(t.fs.statfs().freeInodes()).isEqualTo(empty.freeInodes() + 1);
            int again = (int) (held / 2);
            t.write(victim, 6, random(again, 5));
            assertThat(t.read(victim, 6, again)).isEqualTo(random(again, 5));
        }
    }

    @Test
    void aWriteLargerThanTheFreeSpaceWritesWhatFits() {
        // write(2) on a filling disk returns a short count rather than failing outright (ext4
        // writes page by page and stops at the first page it cannot allocate).
        try (TestFileSystems t = tiny()) {
            long hog = t.file(ROOT, "hog", new byte[0]);
            long f = t.file(ROOT, "f", new byte[0]);
            long free = t.fs.statfs().freeBlocks();
            t.write(hog, 0, new byte[(int) (free - 100) * 4096]);
            long left = t.fs.statfs().freeBlocks();
            assertThat(left).isBetween(90L, 100L);
            // 200 blocks: less than one of the facade's 1 MiB write transactions.
            long h = t.fs.open(f, OpenFlags.O_WRONLY);
            int n = t.fs.write(h, 0, ByteBuffer.wrap(random(200 * 4096, 6)));
            t.fs.release(h);
            assertThat(n).isPositive().isLessThanOrEqualTo((int) left * 4096);
            assertThat(t.fs.getattr(f).size()).isEqualTo(n);
            assertThat(t.read(f)).isEqualTo(java.util.Arrays.copyOf(random(200 * 4096, 6), n));
        }
    }

    @Test
    void nothingNamespaceLikeIsHalfDoneWhenInodesRunOut() {
        try (TestFileSystems t = TestFileSystems.withInodes(1024, 8L << 20, 64)) {
            long d = t.mkdir(ROOT, "d");
            int made = 0;
            long free = t.fs.statfs().freeInodes();
            while (true) {
                try {
                    t.fs.mknod(d, name("n" + made), Inode.S_IFREG | 0644, 0, CALLER);
                    made++;
                } catch (FsException e) {
                    assertThat(e.errno()).isEqualTo(Errno.ENOSPC);
                    break;
                }
            }
            assertThat(made).isEqualTo((int) free);
            FsStats full = t.fs.statfs();
            assertThat(full.freeInodes()).isZero();
            Map<String, TreeSnapshot.Node> before = TreeSnapshot.of(t);
            assertThat(errnoOf(() -> t.fs.mknod(d, name("x"), Inode.S_IFREG | 0644, 0, CALLER))).isEqualTo(Errno.ENOSPC);
            assertThat(errnoOf(() -> t.fs.mkdir(d, name("x"), 0755, CALLER))).isEqualTo(Errno.ENOSPC);
            assertThat(errnoOf(() -> t.fs.symlink(d, name("x"), name("t"), CALLER))).isEqualTo(Errno.ENOSPC);
            assertThat(errnoOf(() -> t.fs.create(d, name("x"), 0644, OpenFlags.O_RDWR, CALLER)))
                    .isEqualTo(Errno.ENOSPC);
            assertThat(errnoOf(() -> t.fs.lookup(d, name("x")))).isEqualTo(Errno.ENOENT);
            assertThat(TreeSnapshot.of(t)).isEqualTo(before);
            assertThat(t.fs.statfs()).isEqualTo(full);
            // A link needs no inode: it still works.
            t.fs.link(t.ino("/d/n0"), d, name("link"));

            t.fs.unlink(d, name("n1"));
            t.fs.mkdir(d, name("x"), 0755, CALLER);
            assertThat(t.fs.statfs().freeInodes()).isZero();
            t.reopen();
            assertThat(t.fs.statfs().freeInodes()).isZero();
            assertThat(t.fs.getattr(t.ino("/d/x")).isDirectory()).isTrue();
        }
    }

    @Test
    void aFullDiskStillAllowsRemovingAndRenaming() {
        try (TestFileSystems t = tinyOneKiB()) {
            long d = t.mkdir(ROOT, "d");
            t.file(d, "a", "A");
            t.file(d, "b", "B");
            long hog = t.file(ROOT, "hog", new byte[0]);
            fill(t, hog);
            t.fs.rename(d, name("a"), d, name("b"), 0);
            assertThat(t.read(t.ino("/d/b"))).isEqualTo(name("A"));
            t.fs.unlink(d, name("b"));
            t.fs.rmdir(ROOT, name("d"));
            t.fs.unlink(ROOT, name("hog"));
            t.reopen();
            assertThat(TreeSnapshot.names(t.fs, ROOT)).containsExactly("lost+found");
        }
    }

    @Test
    void aFullDiskKeepsEverythingAcrossACrash() {
        try (TestFileSystems t = tiny()) {
            long hog = t.file(ROOT, "hog", new byte[0]);
            t.file(ROOT, "small", "s");
            fill(t, hog);
            Map<String, TreeSnapshot.Node> before = TreeSnapshot.of(t);
            FsStats s = t.fs.statfs();
            t.syncAndCrash();
            assertThat(TreeSnapshot.of(t)).isEqualTo(before);
            assertThat(t.fs.statfs()).isEqualTo(s);
        }
    }
}
