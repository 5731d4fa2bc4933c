package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.errnoOf;
import static org.quillfs.fs.TestFileSystems.name;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;

/**
 * Link counts as ext4 keeps them: a file one per name (at most 65,000: EMLINK), a directory
 * 2 + one per subdirectory, the root 3 on a fresh filesystem (".", its own "..", and
 * lost+found's ".."). The limits (65,000 names of a file, 64,998 subdirectories before a
 * directory shows 1) take 65,000 operations each: they are in {@link FileSystemLargeTest}.
 */
class FileSystemLinkCountTest {

    private TestFileSystems t;

    @BeforeEach
    void setUp() {
        t = TestFileSystems.standard();
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    private long links(long inode) {
        return t.fs.getattr(inode).links();
    }

    @Test
    void aFreshRootHasThreeLinksWithLostAndFound() {
        assertThat(links(ROOT)).isEqualTo(3);
        long lostFound = t.fs.lookup(ROOT, name("lost+found")).inode();
        assertThat(t.fs.getattr(lostFound).isDirectory()).isTrue();
        assertThat(links(lostFound)).isEqualTo(2);
        assertThat(TreeSnapshot.names(t.fs, ROOT)).containsExactly("lost+found");
    }

    @Test
    void aDirectoryHasTwoPlusOnePerSubdirectoryAndFilesDoNotCount() {
        long d = t.mkdir(ROOT, "d");
        assertThat(links(d)).isEqualTo(2);
        assertThat(links(ROOT)).isEqualTo(4);
        for (int i = 0; i < 10; i++) {
            t.mkdir(d, "sub" + i);
            t.file(d, "file" + i, "x");
        }
        t.fs.symlink(d, name("link"), name("sub0"), TestFileSystems.CALLER);
        assertThat(links(d)).isEqualTo(12);
        for (int i = 0; i < 4; i++) {
            t.fs.rmdir(d, name("sub" + i));
        }
        assertThat(links(d)).isEqualTo(8);
        t.reopen();
        assertThat(links(d)).isEqualTo(8);
        assertThat(links(ROOT)).isEqualTo(4);
    }

    @Test
    void aFileHasOneLinkPerName() {
        long d = t.mkdir(ROOT, "d");
        long f = t.file(d, "f", "data");
        assertThat(links(f)).isEqualTo(1);
        t.fs.link(f, d, name("g"));
        t.fs.link(f, ROOT, name("h"));
        assertThat(links(f)).isEqualTo(3);
        assertThat(t.fs.lookup(ROOT, name("h")).links()).isEqualTo(3);
        t.fs.unlink(d, name("f"));
        assertThat(links(f)).isEqualTo(2);
        t.syncAndCrash();
        assertThat(links(f)).isEqualTo(2);
        assertThat(t.read(t.ino("/d/g"))).isEqualTo(name("data"));
        t.fs.unlink(d, name("g"));
        t.fs.unlink(ROOT, name("h"));
        assertThat(errnoOf(() -> t.fs.getattr(f))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void symlinksAndSpecialFilesCanHaveSeveralNamesToo() {
        long s = t.fs.symlink(ROOT, name("s"), name("target"), TestFileSystems.CALLER).inode();
        t.fs.link(s, ROOT, name("s2"));
        assertThat(links(s)).isEqualTo(2);
        assertThat(t.fs.readlink(t.fs.lookup(ROOT, name("s2")).inode())).isEqualTo(name("target"));
    }

    @Test
    void movingADirectoryMovesItsLinkFromOneParentToTheOther() {
        long a = t.mkdir(ROOT, "a");
        long b = t.mkdir(ROOT, "b");
        long x = t.mkdir(a, "x");
        t.mkdir(x, "y");
        t.fs.rename(a, name("x"), b, name("x"), 0);
        assertThat(links(a)).isEqualTo(2);
        assertThat(links(b)).isEqualTo(3);
        assertThat(links(x)).isEqualTo(3);
        assertThat(links(ROOT)).isEqualTo(5);
        t.fs.rename(b, name("x"), b, name("renamed"), 0);
        assertThat(links(b)).isEqualTo(3);
    }

    @Test
    void movingAFileDoesNotChangeDirectoryLinks() {
        long a = t.mkdir(ROOT, "a");
        long b = t.mkdir(ROOT, "b");
        t.file(a, "f", "x");
        t.fs.rename(a, name("f"), b, name("f"), 0);
        assertThat(links(a)).isEqualTo(2);
        assertThat(links(b)).isEqualTo(2);
    }

    @Test
    void lostAndFoundCanBeRemovedAndTheRootDropsToTwo() {
        t.fs.rmdir(ROOT, name("lost+found"));
        assertThat(links(ROOT)).isEqualTo(2);
        t.reopen();
        assertThat(links(ROOT)).isEqualTo(2);
    }
}
