package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.errnoOf;
import static org.quillfs.fs.TestFileSystems.longName;
import static org.quillfs.fs.TestFileSystems.name;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quillfs.errno.Errno;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.Inode;

/**
 * Creating and removing names — mknod, create, mkdir, symlink, link, unlink, rmdir, lookup,
 * readlink — and the errno Linux (ext4) gives for each way they can go wrong.
 */
class FileSystemNamespaceTest {

    private TestFileSystems t;
    private long dir;
    private long file;
    private long sub;
    private long link;

    /** /d holding a file "f" (3 bytes), an empty directory "sub" and a symlink "l" → "f". */
    @BeforeEach
    void setUp() {
        t = TestFileSystems.standard();
        dir = t.mkdir(ROOT, "d");
        file = t.file(dir, "f", "abc");
        sub = t.mkdir(dir, "sub");
        link = t.fs.symlink(dir, name("l"), name("f"), CALLER).inode();
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    // ------------------------------------------------------------------ EEXIST

    @ParameterizedTest
    @ValueSource(strings = {"f", "sub", "l"})
    void everyCreatingOperationFailsWithEexistOverAnExistingNameOfAnyType(String existing) {
        byte[] n = name(existing);
        long before = t.fs.statfs().freeInodes();
        assertThat(errnoOf(() -> t.fs.create(dir, n, 0644, OpenFlags.O_RDWR, CALLER))).isEqualTo(Errno.EEXIST);
        assertThat(errnoOf(() -> t.fs.mkdir(dir, n, 0755, CALLER))).isEqualTo(Errno.EEXIST);
        assertThat(errnoOf(() -> t.fs.mknod(dir, n, Inode.S_IFIFO | 0644, 0, CALLER))).isEqualTo(Errno.EEXIST);
        assertThat(errnoOf(() -> t.fs.symlink(dir, n, name("x"), CALLER))).isEqualTo(Errno.EEXIST);
        assertThat(errnoOf(() -> t.fs.link(file, dir, n))).isEqualTo(Errno.EEXIST);
        assertThat(t.fs.statfs().freeInodes()).as("no inode leaked by the failed creates").isEqualTo(before);
        assertThat(t.fs.getattr(file).links()).as("the failed link left the count").isEqualTo(1);
        assertThat(t.fs.lookup(dir, n).inode()).isEqualTo(t.ino("/d/" + existing));
    }

    @Test
    void linkOfADirectoryOverAnExistingNameIsEexistBeforeEperm() {
        // vfs_link: may_create (EEXIST for an existing name) is checked before S_ISDIR (EPERM).
        assertThat(errnoOf(() -> t.fs.link(sub, dir, name("f")))).isEqualTo(Errno.EEXIST);
    }

    @ParameterizedTest
    @ValueSource(strings = {".", ".."})
    void creatingDotOrDotDotIsEexist(String dot) {
        // mkdir("d/.") and friends: the name exists (it is the directory or its parent).
        byte[] n = name(dot);
        assertThat(errnoOf(() -> t.fs.mkdir(dir, n, 0755, CALLER))).isEqualTo(Errno.EEXIST);
        assertThat(errnoOf(() -> t.fs.mknod(dir, n, Inode.S_IFREG | 0644, 0, CALLER))).isEqualTo(Errno.EEXIST);
        assertThat(errnoOf(() -> t.fs.symlink(dir, n, name("x"), CALLER))).isEqualTo(Errno.EEXIST);
        assertThat(errnoOf(() -> t.fs.link(file, dir, n))).isEqualTo(Errno.EEXIST);
    }

    // ------------------------------------------------------------------ ENOENT

    @Test
    void missingNamesAreEnoent() {
        byte[] missing = name("missing");
        assertThat(errnoOf(() -> t.fs.lookup(dir, missing))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.unlink(dir, missing))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.rmdir(dir, missing))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.rename(dir, missing, dir, name("x"), 0))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.resolve("/d/missing", true))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.resolve("/d/missing/f", true))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void aSymlinkWithAnEmptyTargetIsEnoent() {
        long before = t.fs.statfs().freeInodes();
        assertThat(errnoOf(() -> t.fs.symlink(dir, name("empty"), new byte[0], CALLER))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.lookup(dir, name("empty")))).isEqualTo(Errno.ENOENT);
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(before);
    }

    @Test
    void anInodeWithNoNameLeftIsEnoentForLinkAndGetattr() {
        long h = t.fs.open(file, OpenFlags.O_RDONLY);
        t.fs.unlink(dir, name("f"));
        // linkat(fd, "", dir, name, AT_EMPTY_PATH) of an unlinked file: ENOENT (i_nlink == 0).
        assertThat(errnoOf(() -> t.fs.link(file, dir, name("again")))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.lookup(dir, name("again")))).isEqualTo(Errno.ENOENT);
        t.fs.release(h);
        assertThat(errnoOf(() -> t.fs.getattr(file))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.open(file, OpenFlags.O_RDONLY))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void creatingInARemovedDirectoryIsEnoent() {
        long h = t.fs.open(sub, OpenFlags.O_RDONLY);
        t.fs.rmdir(dir, name("sub"));
        assertThat(errnoOf(() -> t.fs.mkdir(sub, name("x"), 0755, CALLER))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.create(sub, name("y"), 0644, OpenFlags.O_RDWR, CALLER)))
                .isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.symlink(sub, name("z"), name("t"), CALLER))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.link(file, sub, name("w")))).isEqualTo(Errno.ENOENT);
        t.fs.release(h);
    }

    // ------------------------------------------------------------------ ENOTDIR

    @Test
    void namesInsideAFileAreEnotdir() {
        assertThat(errnoOf(() -> t.fs.lookup(file, name("x")))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.mkdir(file, name("x"), 0755, CALLER))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.create(file, name("x"), 0644, OpenFlags.O_RDWR, CALLER)))
                .isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.symlink(file, name("x"), name("y"), CALLER))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.link(file, file, name("x")))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.unlink(file, name("x")))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.rmdir(file, name("x")))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.readdir(file, 0, 10))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.lookup(link, name("x")))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.resolve("/d/f/x", true))).isEqualTo(Errno.ENOTDIR);
    }

    @Test
    void rmdirOfAFileOrSymlinkIsEnotdir() {
        assertThat(errnoOf(() -> t.fs.rmdir(dir, name("f")))).isEqualTo(Errno.ENOTDIR);
        assertThat(errnoOf(() -> t.fs.rmdir(dir, name("l")))).isEqualTo(Errno.ENOTDIR);
        assertThat(t.fs.lookup(dir, name("f")).inode()).isEqualTo(file);
        assertThat(t.fs.lookup(dir, name("l")).inode()).isEqualTo(link);
    }

    // ------------------------------------------------------------------ EISDIR, ENOTEMPTY

    @Test
    void unlinkOfADirectoryIsEisdir() {
        assertThat(errnoOf(() -> t.fs.unlink(dir, name("sub")))).isEqualTo(Errno.EISDIR);
        assertThat(t.fs.lookup(dir, name("sub")).inode()).isEqualTo(sub);
        assertThat(t.fs.getattr(dir).links()).isEqualTo(3);
    }

    @Test
    void unlinkOfDotOrDotDotIsEisdir() {
        // do_unlinkat: a last component that is "." or ".." (not LAST_NORM) is EISDIR.
        assertThat(errnoOf(() -> t.fs.unlink(dir, name(".")))).isEqualTo(Errno.EISDIR);
        assertThat(errnoOf(() -> t.fs.unlink(dir, name("..")))).isEqualTo(Errno.EISDIR);
    }

    @Test
    void rmdirOfDotIsEinvalAndOfDotDotIsEnotempty() {
        // do_rmdir: LAST_DOT is EINVAL, LAST_DOTDOT is ENOTEMPTY.
        assertThat(errnoOf(() -> t.fs.rmdir(sub, name(".")))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.rmdir(sub, name("..")))).isEqualTo(Errno.ENOTEMPTY);
    }

    @Test
    void rmdirOfANonEmptyDirectoryIsEnotemptyWhateverItHolds() {
        long inner = t.mkdir(sub, "inner");
        assertThat(errnoOf(() -> t.fs.rmdir(dir, name("sub")))).isEqualTo(Errno.ENOTEMPTY);
        t.fs.rmdir(sub, name("inner"));
        t.fs.symlink(sub, name("s"), name("x"), CALLER);
        assertThat(errnoOf(() -> t.fs.rmdir(dir, name("sub")))).isEqualTo(Errno.ENOTEMPTY);
        t.fs.unlink(sub, name("s"));
        t.fs.mknod(sub, name("p"), Inode.S_IFIFO | 0600, 0, CALLER);
        assertThat(errnoOf(() -> t.fs.rmdir(dir, name("sub")))).isEqualTo(Errno.ENOTEMPTY);
        t.fs.unlink(sub, name("p"));
        t.fs.rmdir(dir, name("sub"));
        assertThat(errnoOf(() -> t.fs.lookup(dir, name("sub")))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> t.fs.getattr(inner))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void aDirectoryEmptiedAfterHoldingManyNamesCanBeRemoved() {
        for (int i = 0; i < 500; i++) {
            t.fs.mknod(sub, name("entry-" + i), Inode.S_IFREG | 0644, 0, CALLER);
        }
        assertThat(errnoOf(() -> t.fs.rmdir(dir, name("sub")))).isEqualTo(Errno.ENOTEMPTY);
        for (int i = 0; i < 500; i++) {
            t.fs.unlink(sub, name("entry-" + i));
        }
        assertThat(TreeSnapshot.names(t.fs, sub)).isEmpty();
        t.fs.rmdir(dir, name("sub"));
        assertThat(errnoOf(() -> t.fs.lookup(dir, name("sub")))).isEqualTo(Errno.ENOENT);
    }

    // ------------------------------------------------------------------ ENAMETOOLONG, EINVAL

    @Test
    void aNameOf255BytesWorksEverywhere() {
        byte[] n = longName(255);
        long ino = t.fs.mkdir(dir, n, 0755, CALLER).inode();
        assertThat(t.fs.lookup(dir, n).inode()).isEqualTo(ino);
        assertThat(TreeSnapshot.names(t.fs, dir)).contains(new String(n));
        t.fs.rename(dir, n, sub, n, 0);
        assertThat(t.fs.lookup(sub, n).inode()).isEqualTo(ino);
        t.reopen();
        assertThat(t.fs.resolve("/d/sub/" + new String(n), false)).isEqualTo(ino);
        t.fs.rmdir(sub, n);
    }

    @Test
    void aNameOf256BytesIsEnametoolongForEveryOperation() {
        byte[] n = longName(256);
        assertThat(errnoOf(() -> t.fs.lookup(dir, n))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> t.fs.mkdir(dir, n, 0755, CALLER))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> t.fs.create(dir, n, 0644, OpenFlags.O_RDWR, CALLER)))
                .isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> t.fs.mknod(dir, n, Inode.S_IFIFO | 0644, 0, CALLER)))
                .isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> t.fs.symlink(dir, n, name("f"), CALLER))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> t.fs.link(file, dir, n))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> t.fs.unlink(dir, n))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> t.fs.rmdir(dir, n))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> t.fs.rename(dir, name("f"), dir, n, 0))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(errnoOf(() -> t.fs.rename(dir, n, dir, name("g"), 0))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(t.fs.getattr(file).links()).isEqualTo(1);
        assertThat(TreeSnapshot.names(t.fs, dir)).containsExactlyInAnyOrder("f", "sub", "l");
    }

    @Test
    void aSymlinkTargetOf4095BytesIsKeptWholeAndOf4096IsEnametoolong() {
        byte[] target = new byte[4095];
        for (int i = 0; i < target.length; i++) {
            target[i] = (byte) (i % 64 == 63 ? '/' : 'a' + i % 26);
        }
        Attributes a = t.fs.symlink(dir, name("long"), target, CALLER);
        assertThat(a.size()).isEqualTo(4095);
        assertThat(t.fs.readlink(a.inode())).isEqualTo(target);
        t.reopen();
        assertThat(t.fs.readlink(a.inode())).isEqualTo(target);
        assertThat(t.fs.getattr(a.inode()).isSymlink()).isTrue();

        byte[] tooLong = Arrays.copyOf(target, 4096);
        tooLong[4095] = 'z';
        long before = t.fs.statfs().freeInodes();
        assertThat(errnoOf(() -> t.fs.symlink(dir, name("longer"), tooLong, CALLER))).isEqualTo(Errno.ENAMETOOLONG);
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(before);
    }

    @Test
    void removingALongSymlinkFreesItsBlock() {
        FsStats before = t.fs.statfs();
        t.fs.symlink(dir, name("long"), longName(3000), CALLER);
        assertThat(t.fs.statfs().freeBlocks()).isLessThan(before.freeBlocks());
        t.fs.unlink(dir, name("long"));
        assertThat(t.fs.statfs().freeBlocks()).isEqualTo(before.freeBlocks());
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(before.freeInodes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "/", "ab/", "a\0b", "\0"})
    void namesWithSlashOrNulAreEinval(String bad) {
        byte[] n = name(bad);
        assertThat(errnoOf(() -> t.fs.mkdir(dir, n, 0755, CALLER))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.create(dir, n, 0644, OpenFlags.O_RDWR, CALLER))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.symlink(dir, n, name("f"), CALLER))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.link(file, dir, n))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.rename(dir, name("f"), dir, n, 0))).isEqualTo(Errno.EINVAL);
        assertThat(TreeSnapshot.names(t.fs, dir)).containsExactlyInAnyOrder("f", "sub", "l");
    }

    // ------------------------------------------------------------------ EPERM, mknod

    @Test
    void linkToADirectoryIsEperm() {
        assertThat(errnoOf(() -> t.fs.link(sub, dir, name("alias")))).isEqualTo(Errno.EPERM);
        assertThat(errnoOf(() -> t.fs.link(ROOT, dir, name("alias")))).isEqualTo(Errno.EPERM);
        assertThat(t.fs.getattr(sub).links()).isEqualTo(2);
        assertThat(errnoOf(() -> t.fs.lookup(dir, name("alias")))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void mknodOfADirectoryIsEpermAndOfASymlinkEinval() {
        // may_mknod: S_IFDIR is EPERM, any type it does not know (S_IFLNK included) is EINVAL.
        assertThat(errnoOf(() -> t.fs.mknod(dir, name("x"), Inode.S_IFDIR | 0755, 0, CALLER))).isEqualTo(Errno.EPERM);
        assertThat(errnoOf(() -> t.fs.mknod(dir, name("y"), Inode.S_IFLNK | 0777, 0, CALLER))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void mknodMakesEveryOtherTypeWithItsDirectoryEntryType() {
        Attributes fifo = t.fs.mknod(dir, name("fifo"), Inode.S_IFIFO | 0640, 0, CALLER);
        Attributes chr = t.fs.mknod(dir, name("chr"), Inode.S_IFCHR | 0600, (1L << 8) | 3, CALLER);
        Attributes blk = t.fs.mknod(dir, name("blk"), Inode.S_IFBLK | 0600, (8L << 8) | 1, CALLER);
        Attributes sock = t.fs.mknod(dir, name("sock"), Inode.S_IFSOCK | 0755, 0, CALLER);
        Attributes plain = t.fs.mknod(dir, name("plain"), 0644, 0, CALLER);
        t.reopen();
        assertThat(t.fs.getattr(fifo.inode()).mode()).isEqualTo(Inode.S_IFIFO | 0640);
        assertThat(t.fs.getattr(chr.inode()).mode()).isEqualTo(Inode.S_IFCHR | 0600);
        assertThat(t.fs.getattr(chr.inode()).rdev()).isEqualTo((1L << 8) | 3);
        assertThat(t.fs.getattr(blk.inode()).rdev()).isEqualTo((8L << 8) | 1);
        assertThat(t.fs.getattr(sock.inode()).mode()).isEqualTo(Inode.S_IFSOCK | 0755);
        assertThat(t.fs.getattr(plain.inode()).mode()).isEqualTo(Inode.S_IFREG | 0644);
        assertThat(t.fs.getattr(plain.inode()).links()).isEqualTo(1);
        for (DirectoryEntry e : TreeSnapshot.list(t.fs, dir)) {
            String n = new String(e.name());
            int expected = switch (n) {
                case ".", "..", "sub" -> DirectoryKeys.DT_DIR;
                case "fifo" -> DirectoryKeys.DT_FIFO;
                case "chr" -> DirectoryKeys.DT_CHR;
                case "blk" -> DirectoryKeys.DT_BLK;
                case "sock" -> DirectoryKeys.DT_SOCK;
                case "l" -> DirectoryKeys.DT_LNK;
                default -> DirectoryKeys.DT_REG;
            };
            assertThat(e.type()).as(n).isEqualTo(expected);
        }
    }

    @Test
    void newInodesBelongToTheCallerWithTheModeAsked() {
        Caller other = new Caller(4242, 77);
        Attributes f = t.fs.create(dir, name("owned"), 0640, OpenFlags.O_RDWR, other).attributes();
        Attributes d = t.fs.mkdir(dir, name("owned-dir"), 0700, other);
        Attributes s = t.fs.symlink(dir, name("owned-link"), name("x"), other);
        assertThat(t.fs.getattr(f.inode())).extracting(Attributes::uid, Attributes::gid, Attributes::mode)
                .containsExactly(4242L, 77L, Inode.S_IFREG | 0640);
        assertThat(t.fs.getattr(d.inode())).extracting(Attributes::uid, Attributes::gid, Attributes::mode)
                .containsExactly(4242L, 77L, Inode.S_IFDIR | 0700);
        assertThat(t.fs.getattr(s.inode())).extracting(Attributes::uid, Attributes::mode)
                .containsExactly(4242L, Inode.S_IFLNK | 0777);
    }

    @Test
    void aSetGroupIdDirectoryGivesItsGroupAndNewDirectoriesTheBit() {
        t.fs.setattr(sub, AttributeChanges.owner(-1, 555).withMode(02775));
        Attributes f = t.fs.mknod(sub, name("f"), Inode.S_IFREG | 0644, 0, CALLER);
        Attributes d = t.fs.mkdir(sub, name("d"), 0755, CALLER);
        assertThat(f.gid()).isEqualTo(555);
        assertThat(f.mode() & Inode.S_ISGID).isZero();
        assertThat(d.gid()).isEqualTo(555);
        assertThat(d.mode() & 07777).isEqualTo(02755);
    }

    // ------------------------------------------------------------------ lookup, readlink

    @Test
    void lookupOfDotAndDotDotGivesTheDirectoryAndItsParent() {
        assertThat(t.fs.lookup(sub, name(".")).inode()).isEqualTo(sub);
        assertThat(t.fs.lookup(sub, name("..")).inode()).isEqualTo(dir);
        assertThat(t.fs.lookup(dir, name("..")).inode()).isEqualTo(ROOT);
        assertThat(t.fs.lookup(ROOT, name("..")).inode()).isEqualTo(ROOT);
    }

    @Test
    void readlinkOfAnythingButASymlinkIsEinval() {
        assertThat(t.fs.readlink(link)).isEqualTo(name("f"));
        assertThat(errnoOf(() -> t.fs.readlink(file))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.readlink(sub))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void aSymlinkHoldsItsTargetBytesAsGivenWhetherOrNotTheyNameAnything() {
        byte[] odd = {'.', '.', '/', (byte) 0xff, (byte) 0x80, 'x', '/', '/'};
        Attributes a = t.fs.symlink(dir, name("odd"), odd, CALLER);
        assertThat(a.size()).isEqualTo(odd.length);
        assertThat(a.links()).isEqualTo(1);
        t.reopen();
        assertThat(t.fs.readlink(a.inode())).isEqualTo(odd);
    }

    @Test
    void namesAreBytesNotCharacters() {
        byte[] latin1 = {(byte) 0xe9, 't', (byte) 0xe9};
        byte[] utf8 = name("été");
        long a = t.fs.mknod(dir, latin1, Inode.S_IFREG | 0644, 0, CALLER).inode();
        long b = t.fs.mknod(dir, utf8, Inode.S_IFREG | 0644, 0, CALLER).inode();
        assertThat(a).isNotEqualTo(b);
        assertThat(t.fs.lookup(dir, latin1).inode()).isEqualTo(a);
        assertThat(t.fs.lookup(dir, utf8).inode()).isEqualTo(b);
        List<byte[]> listed = TreeSnapshot.list(t.fs, dir).stream().map(DirectoryEntry::name).toList();
        assertThat(listed).anySatisfy(n -> assertThat(n).isEqualTo(latin1));
        assertThat(listed).anySatisfy(n -> assertThat(n).isEqualTo(utf8));
    }

    @Test
    void rmdirOfADirectoryThatHeldEntriesFreesItsBlocks() {
        t.reopen(); // a checkpoint: nothing freed earlier is still held
        FsStats before = t.fs.statfs();
        long big = t.mkdir(dir, "big");
        for (int i = 0; i < 500; i++) {
            t.fs.mknod(big, name("entry-" + i), Inode.S_IFREG | 0644, 0, CALLER);
        }
        for (int i = 0; i < 500; i++) {
            t.fs.unlink(big, name("entry-" + i));
        }
        t.fs.rmdir(dir, name("big"));
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(before.freeInodes());
        t.reopen();
        assertThat(t.fs.statfs()).isEqualTo(before);
    }

    @Test
    void unlinkFreesTheInodeAndItsBlocksExactly() {
        FsStats before = t.fs.statfs();
        long big = t.file(dir, "big", TestFileSystems.random(10 * 4096 + 1, 1));
        FsStats during = t.fs.statfs();
        assertThat(before.freeInodes() - during.freeInodes()).isEqualTo(1);
        assertThat(before.freeBlocks() - during.freeBlocks()).isEqualTo(t.fs.getattr(big).blocks() * 512 / 4096);
        t.fs.unlink(dir, name("big"));
        assertThat(t.fs.statfs()).isEqualTo(before);
    }

    @Test
    void createOpensTheNewFileWithTheFlagsGiven() {
        OpenFile ro = t.fs.create(dir, name("ro"), 0644, OpenFlags.O_RDONLY, CALLER);
        assertThat(errnoOf(() -> t.fs.write(ro.handle(), 0, ByteBuffer.wrap(name("x"))))).isEqualTo(Errno.EBADF);
        t.fs.release(ro.handle());
        OpenFile wo = t.fs.create(dir, name("wo"), 0644, OpenFlags.O_WRONLY, CALLER);
        assertThat(t.fs.write(wo.handle(), 0, ByteBuffer.wrap(name("xy")))).isEqualTo(2);
        assertThat(errnoOf(() -> t.fs.read(wo.handle(), 0, ByteBuffer.allocate(2)))).isEqualTo(Errno.EBADF);
        t.fs.release(wo.handle());
        assertThat(t.read(wo.attributes().inode())).isEqualTo(name("xy"));
    }
}
