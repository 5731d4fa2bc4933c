package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.RENAME_EXCHANGE;
import static org.quillfs.fs.FileSystem.RENAME_NOREPLACE;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.errnoOf;
import static org.quillfs.fs.TestFileSystems.name;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quillfs.errno.Errno;
import org.quillfs.format.DirectoryKeys;

/**
 * rename(2) and renameat2(2): replacing, RENAME_NOREPLACE, RENAME_EXCHANGE, directories over
 * directories, moves into a directory's own subtree, and the no-op cases — with '..', link
 * counts and free counts as ext4 leaves them.
 */
class FileSystemRenameTest {

    private TestFileSystems t;
    private long a;
    private long b;
    private long f;
    private long x;
    private long g;
    private long e;

    /** /a/f ("F"), /a/x/ holding /a/x/inner, /b/g ("G"), /b/e/ (empty). */
    @BeforeEach
    void setUp() {
        t = TestFileSystems.standard();
        a = t.mkdir(ROOT, "a");
        b = t.mkdir(ROOT, "b");
        f = t.file(a, "f", "F");
        x = t.mkdir(a, "x");
        t.file(x, "inner", "I");
        g = t.file(b, "g", "G");
        e = t.mkdir(b, "e");
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    private long at(long dir, String n) {
        return t.fs.lookup(dir, name(n)).inode();
    }

    private long links(long inode) {
        return t.fs.getattr(inode).links();
    }

    // ------------------------------------------------------------------ plain rename

    @Test
    void renameMovesAFileBetweenDirectories() {
        t.fs.rename(a, name("f"), b, name("moved"), 0);
        assertThat(at(b, "moved")).isEqualTo(f);
        assertThat(errnoOf(() -> t.fs.lookup(a, name("f")))).isEqualTo(Errno.ENOENT);
        assertThat(links(f)).isEqualTo(1);
        assertThat(t.read(f)).isEqualTo(name("F"));
    }

    @Test
    void renameOverAFileReplacesItAndFreesTheReplacedInode() {
        FsStats before = t.fs.statfs();
        t.fs.rename(a, name("f"), b, name("g"), 0);
        assertThat(at(b, "g")).isEqualTo(f);
        assertThat(t.read(f)).isEqualTo(name("F"));
        assertThat(errnoOf(() -> t.fs.getattr(g))).isEqualTo(Errno.ENOENT);
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(before.freeInodes() + 1);
        assertThat(t.fs.statfs().freeBlocks()).isGreaterThan(before.freeBlocks());
        assertThat(TreeSnapshot.names(t.fs, b)).containsExactlyInAnyOrder("g", "e");
    }

    @Test
    void renameOverAFileWithAnotherNameKeepsItWithOneLinkLess() {
        t.fs.link(g, ROOT, name("g2"));
        assertThat(links(g)).isEqualTo(2);
        t.fs.rename(a, name("f"), b, name("g"), 0);
        assertThat(links(g)).isEqualTo(1);
        assertThat(t.read(at(ROOT, "g2"))).isEqualTo(name("G"));
    }

    @Test
    void renameNoreplaceOverAnExistingNameIsEexistAndChangesNothing() {
        Map<String, TreeSnapshot.Node> before = TreeSnapshot.of(t);
        assertThat(errnoOf(() -> t.fs.rename(a, name("f"), b, name("g"), RENAME_NOREPLACE))).isEqualTo(Errno.EEXIST);
        assertThat(errnoOf(() -> t.fs.rename(a, name("x"), b, name("e"), RENAME_NOREPLACE))).isEqualTo(Errno.EEXIST);
        assertThat(TreeSnapshot.of(t)).isEqualTo(before);
        t.fs.rename(a, name("f"), b, name("new"), RENAME_NOREPLACE);
        assertThat(at(b, "new")).isEqualTo(f);
    }

    @Test
    void renameNoreplaceOntoAnotherLinkOfTheSameInodeIsEexist() {
        // do_renameat2 checks RENAME_NOREPLACE against the target name before vfs_rename's
        // "same inode, nothing to do".
        t.fs.link(f, a, name("f2"));
        assertThat(errnoOf(() -> t.fs.rename(a, name("f"), a, name("f2"), RENAME_NOREPLACE))).isEqualTo(Errno.EEXIST);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 8, 0x40, RENAME_NOREPLACE | RENAME_EXCHANGE, RENAME_EXCHANGE | 4})
    void unknownOrContradictoryFlagsAreEinval(int flags) {
        Map<String, TreeSnapshot.Node> before = TreeSnapshot.of(t);
        assertThat(errnoOf(() -> t.fs.rename(a, name("f"), b, name("g"), flags))).isEqualTo(Errno.EINVAL);
        assertThat(TreeSnapshot.of(t)).isEqualTo(before);
    }

    @Test
    void aMissingSourceIsEnoentAndAFileAsEitherDirectoryIsEnotdir() {
        assertThat(errnoOf(() -> t.fs.rename(a, name("nope"), b, name("y"), 0))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.rename(f, name("y"), b, name("y"), 0))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.rename(a, name("f"), g, name("y"), 0))).isEqualTo(Errno.ENOTDIR);
        assertThat(at(a, "f")).isEqualTo(f);
    }

    // ------------------------------------------------------------------ types

    @Test
    void aFileOverADirectoryIsEisdir() {
        assertThat(errnoOf(() -> t.fs.rename(a, name("f"), b, name("e"), 0))).isEqualTo(Errno.EISDIR);
        assertThat(at(b, "e")).isEqualTo(e);
        assertThat(at(a, "f")).isEqualTo(f);
    }

    @Test
    void aDirectoryOverAFileIsEnotdir() {
        assertThat(errnoOf(() -> t.fs.rename(a, name("x"), b, name("g"), 0))).isEqualTo(Errno.ENOTDIR);
        assertThat(at(b, "g")).isEqualTo(g);
        assertThat(at(a, "x")).isEqualTo(x);
    }

    @Test
    void aDirectoryOverANonEmptyDirectoryIsEnotempty() {
        assertThat(errnoOf(() -> t.fs.rename(b, name("e"), a, name("x"), 0))).isEqualTo(Errno.ENOTEMPTY);
        assertThat(at(a, "x")).isEqualTo(x);
        assertThat(at(b, "e")).isEqualTo(e);
    }

    @Test
    void aDirectoryOverAnEmptyDirectoryInAnotherParentReplacesItWithParentsAndLinksRight() {
        long rootLinks = links(ROOT);
        FsStats before = t.fs.statfs();
        t.fs.rename(a, name("x"), b, name("e"), 0);
        assertThat(at(b, "e")).isEqualTo(x);
        assertThat(t.fs.lookup(x, name("..")).inode()).isEqualTo(b);
        assertThat(errnoOf(() -> t.fs.getattr(e))).isEqualTo(Errno.ENOENT);
        assertThat(links(a)).as("a lost its subdirectory x").isEqualTo(2);
        assertThat(links(b)).as("b: e replaced by x").isEqualTo(3);
        assertThat(links(x)).isEqualTo(2);
        assertThat(links(ROOT)).isEqualTo(rootLinks);
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(before.freeInodes() + 1);
        assertThat(t.read(t.ino("/b/e/inner"))).isEqualTo(name("I"));
        assertThat(dotDotEntry(x)).isEqualTo(b);
    }

    @Test
    void aDirectoryOverAnEmptyDirectoryInTheSameParentLeavesOneSubdirectory() {
        long y = t.mkdir(a, "y");
        assertThat(links(a)).isEqualTo(4);
        t.fs.rename(a, name("x"), a, name("y"), 0);
        assertThat(at(a, "y")).isEqualTo(x);
        assertThat(errnoOf(() -> t.fs.getattr(y))).isEqualTo(Errno.ENOENT);
        assertThat(links(a)).isEqualTo(3);
        assertThat(TreeSnapshot.names(t.fs, a)).containsExactlyInAnyOrder("f", "y");
    }

    // ------------------------------------------------------------------ subtree

    @Test
    void aDirectoryCannotMoveIntoItsOwnSubtree() {
        long deep = t.mkdir(x, "deep");
        assertThat(errnoOf(() -> t.fs.rename(ROOT, name("a"), x, name("a"), 0))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.rename(ROOT, name("a"), deep, name("a"), 0))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.rename(ROOT, name("a"), a, name("a"), 0))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.rename(a, name("x"), x, name("self"), 0))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.rename(ROOT, name("a"), x, name("a"), RENAME_NOREPLACE))).isEqualTo(Errno.EINVAL);
        assertThat(t.fs.lookup(ROOT, name("a")).inode()).isEqualTo(a);
        assertThat(t.fs.lookup(x, name("..")).inode()).isEqualTo(a);
    }

    @Test
    void aDirectoryOverItsOwnChildIsEinval() {
        // rename("/a", "/a/x"): the source is the trap of lock_rename, EINVAL.
        assertThat(errnoOf(() -> t.fs.rename(ROOT, name("a"), a, name("x"), 0))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void aFileOverAnAncestorOfItsOwnDirectoryIsEnotempty() {
        // rename("/a/x/inner", "/a"): the target is lock_rename's trap (an ancestor of the source),
        // which do_renameat2 refuses with ENOTEMPTY before it looks at types.
        assertThat(errnoOf(() -> t.fs.rename(x, name("inner"), ROOT, name("a"), 0))).isEqualTo(Errno.ENOTEMPTY);
    }

    @Test
    void aDirectoryOverAnAncestorIsEnotempty() {
        long deep = t.mkdir(x, "deep");
        assertThat(errnoOf(() -> t.fs.rename(x, name("deep"), ROOT, name("a"), 0))).isEqualTo(Errno.ENOTEMPTY);
        assertThat(t.fs.lookup(x, name("deep")).inode()).isEqualTo(deep);
    }

    @Test
    void aDirectoryMayMoveUpOrSidewaysOutOfItsParent() {
        long deep = t.mkdir(x, "deep");
        t.fs.rename(x, name("deep"), ROOT, name("up"), 0);
        assertThat(t.fs.lookup(deep, name("..")).inode()).isEqualTo(ROOT);
        t.fs.rename(ROOT, name("up"), b, name("side"), 0);
        assertThat(t.fs.lookup(deep, name("..")).inode()).isEqualTo(b);
        assertThat(links(x)).isEqualTo(2);
        assertThat(links(b)).isEqualTo(4);
    }

    // ------------------------------------------------------------------ no-ops

    @Test
    void renameBetweenTwoLinksOfOneInodeDoesNothing() {
        t.fs.link(f, b, name("f-too"));
        TestFileSystems.tick();
        Map<String, TreeSnapshot.Node> before = TreeSnapshot.of(t);
        t.fs.rename(a, name("f"), b, name("f-too"), 0);
        assertThat(at(a, "f")).isEqualTo(f);
        assertThat(at(b, "f-too")).isEqualTo(f);
        assertThat(links(f)).isEqualTo(2);
        assertThat(TreeSnapshot.of(t)).as("not even a time changes").isEqualTo(before);
    }

    @Test
    void renameOfANameOntoItselfDoesNothing() {
        TestFileSystems.tick();
        Map<String, TreeSnapshot.Node> before = TreeSnapshot.of(t);
        t.fs.rename(a, name("f"), a, name("f"), 0);
        t.fs.rename(a, name("x"), a, name("x"), 0);
        t.fs.rename(a, name("x"), a, name("x"), RENAME_EXCHANGE);
        assertThat(TreeSnapshot.of(t)).isEqualTo(before);
    }

    // ------------------------------------------------------------------ RENAME_EXCHANGE

    @Test
    void exchangeSwapsTwoFiles() {
        t.fs.rename(a, name("f"), b, name("g"), RENAME_EXCHANGE);
        assertThat(at(a, "f")).isEqualTo(g);
        assertThat(at(b, "g")).isEqualTo(f);
        assertThat(t.read(t.ino("/a/f"))).isEqualTo(name("G"));
        assertThat(links(f)).isEqualTo(1);
        assertThat(links(g)).isEqualTo(1);
    }

    @Test
    void exchangeWithAMissingTargetIsEnoent() {
        assertThat(errnoOf(() -> t.fs.rename(a, name("f"), b, name("nope"), RENAME_EXCHANGE))).isEqualTo(Errno.ENOENT);
        assertThat(at(a, "f")).isEqualTo(f);
    }

    @Test
    void exchangeOfADirectoryAndAFileAcrossDirectoriesFixesDotDotAndLinkCounts() {
        // /a/x (directory) <-> /b/g (file): a loses a subdirectory, b gains one.
        t.fs.rename(a, name("x"), b, name("g"), RENAME_EXCHANGE);
        assertThat(at(a, "x")).isEqualTo(g);
        assertThat(at(b, "g")).isEqualTo(x);
        assertThat(t.fs.lookup(x, name("..")).inode()).isEqualTo(b);
        assertThat(dotDotEntry(x)).isEqualTo(b);
        assertThat(links(a)).isEqualTo(2);
        assertThat(links(b)).isEqualTo(4);
        assertThat(links(x)).isEqualTo(2);
        assertThat(links(g)).isEqualTo(1);
        assertThat(entryType(a, "x")).isEqualTo(DirectoryKeys.DT_REG);
        assertThat(entryType(b, "g")).isEqualTo(DirectoryKeys.DT_DIR);
        t.syncAndCrash();
        assertThat(t.fs.lookup(x, name("..")).inode()).isEqualTo(b);
        assertThat(links(a)).isEqualTo(2);
        assertThat(links(b)).isEqualTo(4);
        assertThat(t.read(t.ino("/b/g/inner"))).isEqualTo(name("I"));
    }

    @Test
    void exchangeOfAFileAndADirectoryTheOtherWayRoundAlsoFixesLinkCounts() {
        t.fs.rename(b, name("g"), a, name("x"), RENAME_EXCHANGE);
        assertThat(at(a, "x")).isEqualTo(g);
        assertThat(at(b, "g")).isEqualTo(x);
        assertThat(t.fs.lookup(x, name("..")).inode()).isEqualTo(b);
        assertThat(links(a)).isEqualTo(2);
        assertThat(links(b)).isEqualTo(4);
    }

    @Test
    void exchangeOfTwoDirectoriesAcrossParentsSwapsTheirParents() {
        t.fs.rename(a, name("x"), b, name("e"), RENAME_EXCHANGE);
        assertThat(at(a, "x")).isEqualTo(e);
        assertThat(at(b, "e")).isEqualTo(x);
        assertThat(t.fs.lookup(x, name("..")).inode()).isEqualTo(b);
        assertThat(t.fs.lookup(e, name("..")).inode()).isEqualTo(a);
        assertThat(links(a)).isEqualTo(3);
        assertThat(links(b)).isEqualTo(3);
    }

    @Test
    void exchangeOfANonEmptyDirectoryWithAnEmptyOneIsAllowed() {
        // Unlike a replacing rename, an exchange destroys nothing: no ENOTEMPTY.
        t.fs.rename(b, name("e"), a, name("x"), RENAME_EXCHANGE);
        assertThat(at(b, "e")).isEqualTo(x);
        assertThat(t.read(t.ino("/b/e/inner"))).isEqualTo(name("I"));
    }

    @Test
    void exchangeOfADirectoryWithSomethingInsideItIsEinval() {
        long deep = t.mkdir(x, "deep");
        assertThat(errnoOf(() -> t.fs.rename(ROOT, name("a"), x, name("deep"), RENAME_EXCHANGE)))
                .isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.rename(x, name("deep"), ROOT, name("a"), RENAME_EXCHANGE)))
                .isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.rename(x, name("inner"), ROOT, name("a"), RENAME_EXCHANGE)))
                .isEqualTo(Errno.EINVAL);
        assertThat(t.fs.lookup(deep, name("..")).inode()).isEqualTo(x);
        assertThat(t.fs.lookup(ROOT, name("a")).inode()).isEqualTo(a);
    }

    // ------------------------------------------------------------------ durability

    @Test
    void renamesSurviveReopenAndCrash() {
        t.fs.rename(a, name("f"), b, name("g"), 0);
        t.fs.rename(a, name("x"), b, name("e"), 0);
        t.fs.rename(ROOT, name("a"), ROOT, name("a2"), 0);
        Map<String, TreeSnapshot.Node> expected = TreeSnapshot.of(t);
        t.reopen();
        assertThat(TreeSnapshot.of(t)).isEqualTo(expected);
        t.fs.rename(b, name("g"), ROOT, name("top"), 0);
        expected = TreeSnapshot.of(t);
        t.syncAndCrash();
        assertThat(TreeSnapshot.of(t)).isEqualTo(expected);
    }

    @Test
    void renameOverAnOpenFileKeepsItReadableUntilReleased() {
        FsStats before = t.fs.statfs();
        long h = t.fs.open(g, OpenFlags.O_RDWR);
        t.fs.rename(a, name("f"), b, name("g"), 0);
        assertThat(links(g)).isZero();
        assertThat(t.readHandle(h, 0, 10)).isEqualTo(name("G"));
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(before.freeInodes());
        t.fs.release(h);
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(before.freeInodes() + 1);
    }

    @Test
    void aMovedRelativeSymlinkResolvesFromItsNewDirectory() {
        t.fs.symlink(a, name("s"), name("f"), CALLER);
        assertThat(t.fs.resolve("/a/s", true)).isEqualTo(f);
        t.fs.rename(a, name("s"), b, name("s"), 0);
        assertThat(errnoOf(() -> t.fs.resolve("/b/s", true))).isEqualTo(Errno.ENOENT);
        long other = t.file(b, "f", "other");
        assertThat(t.fs.resolve("/b/s", true)).isEqualTo(other);
    }

    private long dotDotEntry(long dir) {
        return TreeSnapshot.list(t.fs, dir).stream().filter(en -> new String(en.name()).equals(".."))
                .findFirst().orElseThrow().inode();
    }

    private int entryType(long dir, String n) {
        return TreeSnapshot.list(t.fs, dir).stream().filter(en -> new String(en.name()).equals(n))
                .findFirst().orElseThrow().type();
    }
}
