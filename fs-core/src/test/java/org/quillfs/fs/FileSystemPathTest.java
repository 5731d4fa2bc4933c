package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.errnoOf;
import static org.quillfs.fs.TestFileSystems.name;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;

/**
 * {@link FileSystem#resolve}: path_resolution(7) — "." and "..", symlinks anywhere in a path,
 * the 40-symlink limit (ELOOP), ENOTDIR through a non-directory (trailing slash included),
 * ENAMETOOLONG for a long component or path.
 */
class FileSystemPathTest {

    private TestFileSystems t;
    private long a;
    private long b;
    private long file;

    /** /a/b/file ("x"). */
    @BeforeEach
    void setUp() {
        t = TestFileSystems.standard();
        a = t.mkdir(ROOT, "a");
        b = t.mkdir(a, "b");
        file = t.file(b, "file", "x");
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    private long symlink(long dir, String n, String target) {
        return t.fs.symlink(dir, name(n), name(target), CALLER).inode();
    }

    @Test
    void plainPathsDotsAndRepeatedSlashes() {
        assertThat(t.fs.resolve("/", true)).isEqualTo(ROOT);
        assertThat(t.fs.resolve("/a/b/file", true)).isEqualTo(file);
        assertThat(t.fs.resolve("//a///b//file", true)).isEqualTo(file);
        assertThat(t.fs.resolve("/a/./b/../b/file", true)).isEqualTo(file);
        assertThat(t.fs.resolve("/..", true)).isEqualTo(ROOT);
        assertThat(t.fs.resolve("/../../a", true)).isEqualTo(a);
        assertThat(t.fs.resolve("/a/b/..", true)).isEqualTo(a);
        assertThat(t.fs.resolve("/a/b/", true)).isEqualTo(b);
        assertThat(t.fs.resolve("/a/b/.", true)).isEqualTo(b);
    }

    @Test
    void missingComponentsAreEnoentAndAnEmptyPathToo() {
        assertThat(errnoOf(() -> t.fs.resolve("/nope", true))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.resolve("/a/nope/file", true))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.resolve("", true))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void aFileInTheMiddleOfAPathIsEnotdir() {
        assertThat(errnoOf(() -> t.fs.resolve("/a/b/file/x", true))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.resolve("/a/b/file/..", true))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.resolve("/a/b/file/.", true))).isEqualTo(Errno.ENOTDIR);
    }

    @Test
    void aTrailingSlashAfterAFileIsEnotdir() {
        // stat("/a/b/file/") is ENOTDIR on Linux: a trailing slash asks for a directory.
        assertThat(errnoOf(() -> t.fs.resolve("/a/b/file/", true))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.resolve("/a/b/file/", false))).isEqualTo(Errno.ENOTDIR);
    }

    @Test
    void aTrailingSlashFollowsASymlinkToADirectoryEvenWithoutFollowLast() {
        // lstat("link/") resolves the symlink: the trailing slash makes it a directory lookup.
        long link = symlink(ROOT, "toB", "/a/b");
        assertThat(t.fs.resolve("/toB", false)).isEqualTo(link);
        assertThat(t.fs.resolve("/toB/", false)).isEqualTo(b);
        assertThat(t.fs.resolve("/toB/.", false)).isEqualTo(b);
    }

    @Test
    void symlinksAreFollowedInTheMiddleAndAtTheEndWhenAsked() {
        long abs = symlink(ROOT, "abs", "/a/b");
        long rel = symlink(a, "rel", "b/file");
        long up = symlink(b, "up", "../..");
        assertThat(t.fs.resolve("/abs/file", false)).isEqualTo(file);
        assertThat(t.fs.resolve("/abs", false)).isEqualTo(abs);
        assertThat(t.fs.resolve("/abs", true)).isEqualTo(b);
        assertThat(t.fs.resolve("/a/rel", true)).isEqualTo(file);
        assertThat(t.fs.resolve("/a/rel", false)).isEqualTo(rel);
        assertThat(t.fs.resolve("/a/b/up", true)).isEqualTo(ROOT);
        assertThat(t.fs.resolve("/a/b/up/a/b/up/a", true)).isEqualTo(a);
        assertThat(t.fs.resolve("/a/b/up", false)).isEqualTo(up);
    }

    @Test
    void dotDotAfterASymlinkIsTheParentOfItsTargetNotOfTheLink() {
        long c = t.mkdir(ROOT, "c");
        long deep = t.mkdir(c, "deep");
        symlink(b, "toDeep", "/c/deep");
        assertThat(t.fs.resolve("/a/b/toDeep/..", true)).isEqualTo(c);
        assertThat(t.fs.resolve("/a/b/toDeep", true)).isEqualTo(deep);
    }

    @Test
    void aDanglingSymlinkIsEnoentWhenFollowedAndItselfOtherwise() {
        long dangling = symlink(a, "dangling", "nowhere");
        assertThat(t.fs.resolve("/a/dangling", false)).isEqualTo(dangling);
        assertThat(errnoOf(() -> t.fs.resolve("/a/dangling", true))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.resolve("/a/dangling/x", false))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void aSymlinkToAFileInTheMiddleIsEnotdir() {
        symlink(a, "toFile", "b/file");
        assertThat(errnoOf(() -> t.fs.resolve("/a/toFile/x", true))).isEqualTo(Errno.ENOTDIR);
    }

    @Test
    void symlinkLoopsAreEloop() {
        symlink(a, "self", "self");
        symlink(a, "ping", "pong");
        symlink(a, "pong", "ping");
        symlink(a, "loopDir", "loopDir/x");
        assertThat(errnoOf(() -> t.fs.resolve("/a/self", true))).isEqualTo(Errno.ELOOP);
        assertThat(errnoOf(() -> t.fs.resolve("/a/ping", true))).isEqualTo(Errno.ELOOP);
        assertThat(errnoOf(() -> t.fs.resolve("/a/ping/x", false))).isEqualTo(Errno.ELOOP);
        assertThat(errnoOf(() -> t.fs.resolve("/a/loopDir", true))).isEqualTo(Errno.ELOOP);
        // Not following the last component, a loop at the end is just a symlink.
        assertThat(t.fs.resolve("/a/self", false)).isEqualTo(t.fs.lookup(a, name("self")).inode());
    }

    /** A chain /a/l1 → l2 → ... → l{n} → b/file: n expansions. */
    private void chain(int n) {
        for (int i = 1; i <= n; i++) {
            symlink(a, "l" + i, i == n ? "b/file" : "l" + (i + 1));
        }
    }

    @Test
    void fortySymlinksInOnePathResolve() {
        chain(40);
        assertThat(t.fs.resolve("/a/l1", true)).isEqualTo(file);
    }

    @Test
    void fortyOneSymlinksInOnePathAreEloop() {
        chain(41);
        assertThat(errnoOf(() -> t.fs.resolve("/a/l1", true))).isEqualTo(Errno.ELOOP);
        assertThat(t.fs.resolve("/a/l2", true)).isEqualTo(file);
    }

    @Test
    void theFortyLimitCountsExpansionsAcrossTheWholePathNotPerComponent() {
        // 20 symlinks to "." in a row plus a chain of 21: 41 expansions in one resolution.
        for (int i = 0; i < 20; i++) {
            symlink(a, "dot" + i, ".");
        }
        chain(21);
        StringBuilder path = new StringBuilder("/a");
        for (int i = 0; i < 20; i++) {
            path.append("/dot").append(i);
        }
        assertThat(errnoOf(() -> t.fs.resolve(path + "/l1", true))).isEqualTo(Errno.ELOOP);
        assertThat(t.fs.resolve(path + "/l2", true)).isEqualTo(file);
    }

    @Test
    void aComponentOf256BytesIsEnametoolongAndOf255IsLookedUp() {
        String n255 = "c".repeat(255);
        long dir = t.mkdir(a, n255);
        assertThat(t.fs.resolve("/a/" + n255, true)).isEqualTo(dir);
        assertThat(errnoOf(() -> t.fs.resolve("/a/" + "c".repeat(256), true))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> t.fs.resolve("/a/" + "c".repeat(256) + "/x", true))).isEqualTo(Errno.ENAMETOOLONG);
    }

    @Test
    void aPathOf4096BytesIsEnametoolongAndOf4095Resolves() {
        // "/a/b" followed by "/." repeated: 4095 bytes resolve to b, 4096 do not.
        StringBuilder p = new StringBuilder("/a/b");
        while (p.length() < 4095) {
            p.append(p.length() + 2 <= 4095 ? "/." : "/");
        }
        assertThat(p.length()).isEqualTo(4095);
        assertThat(t.fs.resolve(p.toString(), true)).isEqualTo(b);
        assertThat(errnoOf(() -> t.fs.resolve(p + "/", true))).isEqualTo(Errno.ENAMETOOLONG);
    }

    @Test
    void aLongSymlinkTargetIsFollowed() {
        // A 4000-byte target (stored in a data block, not inline) made of "./" steps, then the file.
        StringBuilder target = new StringBuilder();
        while (target.length() < 4000 - "b/file".length()) {
            target.append("./");
        }
        target.append("b/file");
        symlink(a, "long", target.toString());
        assertThat(t.fs.resolve("/a/long", true)).isEqualTo(file);
        t.reopen();
        assertThat(t.fs.resolve("/a/long", true)).isEqualTo(file);
    }

    @Test
    void resolutionSeesRenamesAndRemovals() {
        t.fs.rename(a, name("b"), ROOT, name("moved"), 0);
        assertThat(t.fs.resolve("/moved/file", true)).isEqualTo(file);
        assertThat(errnoOf(() -> t.fs.resolve("/a/b/file", true))).isEqualTo(Errno.ENOENT);
        t.fs.unlink(b, name("file"));
        assertThat(errnoOf(() -> t.fs.resolve("/moved/file", true))).isEqualTo(Errno.ENOENT);
    }
}
