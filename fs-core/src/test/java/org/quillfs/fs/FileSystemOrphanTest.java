package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.errnoOf;
import static org.quillfs.fs.TestFileSystems.name;
import static org.quillfs.fs.TestFileSystems.random;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;

/**
 * Unlinked-but-open files: readable and writable through their handles, freed by the last
 * release, by a clean close, or — after a crash — by the next open; statfs shows exactly when.
 */
class FileSystemOrphanTest {

    private TestFileSystems t;
    private long dir;
    private FsStats empty;

    @BeforeEach
    void setUp() {
        t = TestFileSystems.standard();
        dir = t.mkdir(ROOT, "d");
        t.file(dir, "keep", "the directory keeps a leaf block throughout");
        empty = t.fs.statfs();
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    @Test
    void anUnlinkedOpenFileStaysReadableAndWritableUntilItsLastRelease() {
        long f = t.file(dir, "f", random(50_000, 1));
        FsStats withFile = t.fs.statfs();
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        t.fs.unlink(dir, name("f"));

        assertThat(errnoOf(() -> t.fs.lookup(dir, name("f")))).isEqualTo(Errno.ENOENT);
        assertThat(t.fs.getattr(f).links()).isZero();
        assertThat(t.readHandle(h, 0, 50_000)).isEqualTo(random(50_000, 1));
        assertThat(t.fs.write(h, 50_000, ByteBuffer.wrap(random(20_000, 2)))).isEqualTo(20_000);
        assertThat(t.fs.getattr(f).size()).isEqualTo(70_000);
        assertThat(t.readHandle(h, 50_000, 20_000)).isEqualTo(random(20_000, 2));
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(withFile.freeInodes());

        t.fs.release(h);
        assertThat(t.fs.statfs()).as("inode and every block back at once").isEqualTo(empty);
        assertThat(errnoOf(() -> t.fs.getattr(f))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void onlyTheLastOfSeveralHandlesFreesIt() {
        long f = t.file(dir, "f", "data");
        long h1 = t.fs.open(f, OpenFlags.O_RDONLY);
        long h2 = t.fs.open(f, OpenFlags.O_RDWR);
        t.fs.unlink(dir, name("f"));
        t.fs.release(h1);
        assertThat(t.fs.getattr(f).links()).isZero();
        assertThat(t.readHandle(h2, 0, 10)).isEqualTo(name("data"));
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(empty.freeInodes() - 1);
        t.fs.release(h2);
        assertThat(t.fs.statfs()).isEqualTo(empty);
    }

    @Test
    void aFileStillNamedElsewhereIsNotAnOrphan() {
        long f = t.file(dir, "f", "data");
        t.fs.link(f, ROOT, name("other"));
        long h = t.fs.open(f, OpenFlags.O_RDONLY);
        t.fs.unlink(dir, name("f"));
        t.fs.release(h);
        assertThat(t.fs.getattr(f).links()).isEqualTo(1);
        assertThat(t.read(t.ino("/other"))).isEqualTo(name("data"));
    }

    @Test
    void aCleanCloseFreesOrphansWhoseHandlesWereNeverReleased() {
        long f = t.file(dir, "f", random(30_000, 3));
        t.fs.open(f, OpenFlags.O_RDWR);
        t.fs.unlink(dir, name("f"));
        t.reopen();
        assertThat(t.fs.statfs()).isEqualTo(empty);
        assertThat(errnoOf(() -> t.fs.getattr(f))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void afterACrashTheNextOpenReclaimsAnUnlinkedOpenFile() {
        long f = t.file(dir, "f", random(200_000, 4));
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        t.fs.unlink(dir, name("f"));
        t.fs.fsync(h, false);
        t.crashAndReopen();
        assertThat(t.fs.statfs()).as("space reclaimed on the next open").isEqualTo(empty);
        assertThat(errnoOf(() -> t.fs.getattr(f))).isEqualTo(Errno.ENOENT);
        // The freed inode and blocks are usable again.
        long g = t.file(dir, "g", random(200_000, 5));
        assertThat(t.read(g)).isEqualTo(random(200_000, 5));
    }

    @Test
    void afterACrashSeveralOrphansAreAllReclaimedAndOpenFilesWithNamesKept() {
        long kept = t.file(dir, "kept", "still here");
        t.fs.open(kept, OpenFlags.O_RDONLY); // open, but with a name: not an orphan
        long[] handles = new long[5];
        for (int i = 0; i < handles.length; i++) {
            long f = t.file(dir, "o" + i, random(10_000 * (i + 1), i));
            handles[i] = t.fs.open(f, OpenFlags.O_RDONLY);
            t.fs.unlink(dir, name("o" + i));
        }
        t.fs.release(handles[2]); // one of them freed the normal way, from the middle of the list
        t.fs.sync();
        t.crashAndReopen();
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(empty.freeInodes() - 1);
        assertThat(t.read(kept)).isEqualTo(name("still here"));
        t.fs.unlink(dir, name("kept"));
        assertThat(t.fs.statfs()).isEqualTo(empty);
    }

    /** Writes {@code extents} separate blocks through {@code h}: enough for an extent tree of depth ≥ 1. */
    private void scatter(long h, int extents, byte[] block) {
        for (int i = 0; i < extents; i++) {
            t.fs.write(h, 2L * i * 4096, ByteBuffer.wrap(block));
        }
    }

    @Test
    void aLargeUnlinkedOpenFileIsReclaimedAfterACrash() {
        // Freed in several transactions, some after the crash, at the next open.
        long f = t.file(dir, "big", new byte[0]);
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        byte[] block = random(4096, 6);
        scatter(h, 400, block);
        t.fs.unlink(dir, name("big"));
        assertThat(t.readHandle(h, 2L * 399 * 4096, 4096)).isEqualTo(block);
        t.fs.sync();
        t.crashAndReopen();
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(empty.freeInodes());
        assertThat(errnoOf(() -> t.fs.getattr(f))).isEqualTo(Errno.ENOENT);
        t.reopen(); // past a checkpoint, freed tree blocks are no longer held
        assertThat(t.fs.statfs()).isEqualTo(empty);
    }

    @Test
    void aLargeFileUnlinkedWithoutHandlesIsFreedWhole() {
        long f = t.file(dir, "big", new byte[0]);
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        scatter(h, 2000, random(4096, 7));
        t.fs.release(h);
        t.fs.unlink(dir, name("big"));
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(empty.freeInodes());
        t.reopen();
        assertThat(t.fs.statfs()).isEqualTo(empty);
        t.syncAndCrash();
        assertThat(t.fs.statfs()).isEqualTo(empty);
    }

    @Test
    void anOrphanStaysFreeAfterACrashFollowingItsRelease() {
        long f = t.file(dir, "f", random(10_000, 8));
        long h = t.fs.open(f, OpenFlags.O_RDONLY);
        t.fs.unlink(dir, name("f"));
        t.fs.release(h);
        t.syncAndCrash();
        assertThat(t.fs.statfs()).isEqualTo(empty);
        // The inode number may be reused at once, for something else.
        long g = t.file(dir, "g", "new");
        assertThat(t.read(g)).isEqualTo(name("new"));
    }

    @Test
    void aRemovedDirectoryStillOpenIsFreedByTheRelease() {
        long sub = t.mkdir(dir, "sub");
        long h = t.fs.open(sub, OpenFlags.O_RDONLY);
        t.fs.rmdir(dir, name("sub"));
        assertThat(errnoOf(() -> t.fs.lookup(dir, name("sub")))).isEqualTo(Errno.ENOENT);
        assertThat(t.fs.getattr(sub).links()).isZero();
        t.fs.release(h);
        assertThat(t.fs.statfs()).isEqualTo(empty);
    }

    @Test
    void truncatingAnOrphanThroughItsHandleWorks() {
        long f = t.file(dir, "f", random(40_000, 9));
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        t.fs.unlink(dir, name("f"));
        t.fs.setattr(f, AttributeChanges.size(10));
        assertThat(t.readHandle(h, 0, 100)).isEqualTo(Arrays.copyOf(random(40_000, 9), 10));
        t.fs.release(h);
        assertThat(t.fs.statfs()).isEqualTo(empty);
    }

    @Test
    void createdOpenedAndUnlinkedBeforeAnyReleaseIsAnOrphanToo() {
        OpenFile o = t.fs.create(dir, name("tmp"), 0600, OpenFlags.O_RDWR, CALLER);
        t.fs.unlink(dir, name("tmp"));
        t.fs.write(o.handle(), 0, ByteBuffer.wrap(random(9000, 10)));
        assertThat(t.readHandle(o.handle(), 0, 9000)).isEqualTo(random(9000, 10));
        t.fs.sync();
        t.crashAndReopen();
        assertThat(t.fs.statfs()).isEqualTo(empty);
    }
}
