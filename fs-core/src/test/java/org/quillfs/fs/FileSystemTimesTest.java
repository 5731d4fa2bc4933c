package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.errnoOf;
import static org.quillfs.fs.TestFileSystems.name;
import static org.quillfs.fs.TestFileSystems.tick;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;
import org.quillfs.fs.AttributeChanges.TimeChange;
import org.quillfs.format.Inode;
import org.quillfs.format.Timestamp;

/**
 * Which operations change which of atime, mtime, ctime and birth time (POSIX, as Linux on
 * ext4), utimensat with UTIME_NOW and UTIME_OMIT, and the atime modes relatime, strictatime
 * and noatime.
 */
class FileSystemTimesTest {

    private TestFileSystems t;
    private long dir;

    @BeforeEach
    void setUp() {
        t = TestFileSystems.standard();
        dir = t.mkdir(ROOT, "d");
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    /**
     * The window an operation ran in: every time it set lies inside, once its start is cut to
     * the millisecond as the times the filesystem sets are.
     */
    private record Window(Instant from, Instant to) {
        boolean contains(Timestamp time) {
            Instant i = time.toInstant();
            return !i.isBefore(from.truncatedTo(ChronoUnit.MILLIS)) && !i.isAfter(to);
        }
    }

    private static Window during(Runnable op) {
        Instant from = tick();
        op.run();
        Instant to = Instant.now();
        tick();
        return new Window(from, to);
    }

    private static <T> T during(Supplier<T> op, Window[] window) {
        Instant from = tick();
        T result = op.get();
        window[0] = new Window(from, Instant.now());
        tick();
        return result;
    }

    private Attributes stat(long inode) {
        return t.fs.getattr(inode);
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.of(i);
    }

    private void utimens(long inode, TimeChange atime, TimeChange mtime) {
        t.fs.setattr(inode, AttributeChanges.times(atime, mtime));
    }

    // ------------------------------------------------------------------ creating

    @Test
    void everyCreateSetsAllFourTimesAndTheDirectorysMtimeAndCtime() {
        Attributes dirBefore = stat(dir);
        Window[] w = new Window[1];
        Attributes[] made = {
            during(() -> t.fs.create(dir, name("f"), 0644, OpenFlags.O_RDWR, CALLER).attributes(), w),
        };
        checkCreated(made[0], w[0], dirBefore);
        dirBefore = stat(dir);
        checkCreated(during(() -> t.fs.mkdir(dir, name("sub"), 0755, CALLER), w), w[0], dirBefore);
        dirBefore = stat(dir);
        checkCreated(during(() -> t.fs.symlink(dir, name("l"), name("f"), CALLER), w), w[0], dirBefore);
        dirBefore = stat(dir);
        checkCreated(during(() -> t.fs.mknod(dir, name("p"), Inode.S_IFIFO | 0644, 0, CALLER), w), w[0], dirBefore);
    }

    private void checkCreated(Attributes made, Window w, Attributes dirBefore) {
        Attributes a = stat(made.inode());
        assertThat(w.contains(a.btime())).as("btime %s in %s", a.btime(), w).isTrue();
        assertThat(a.atime()).isEqualTo(a.btime());
        assertThat(a.mtime()).isEqualTo(a.btime());
        assertThat(a.ctime()).isEqualTo(a.btime());
        Attributes d = stat(dir);
        assertThat(w.contains(d.mtime())).as("directory mtime").isTrue();
        assertThat(w.contains(d.ctime())).as("directory ctime").isTrue();
        assertThat(d.atime()).as("directory atime").isEqualTo(dirBefore.atime());
        assertThat(d.btime()).isEqualTo(dirBefore.btime());
    }

    // ------------------------------------------------------------------ changing data and attributes

    @Test
    void writeChangesMtimeAndCtimeButNotAtime() {
        long f = t.file(dir, "f", "abc");
        long h = t.fs.open(f, OpenFlags.O_WRONLY);
        Attributes before = stat(f);
        Window w = during(() -> t.fs.write(h, 1, ByteBuffer.wrap(name("x"))));
        t.fs.release(h);
        Attributes after = stat(f);
        assertThat(w.contains(after.mtime())).isTrue();
        assertThat(w.contains(after.ctime())).isTrue();
        assertThat(after.atime()).isEqualTo(before.atime());
        assertThat(after.btime()).isEqualTo(before.btime());
    }

    @Test
    void truncateChangesMtimeAndCtime() {
        long f = t.file(dir, "f", "abcdef");
        Attributes before = stat(f);
        Window w = during(() -> t.fs.setattr(f, AttributeChanges.size(2)));
        Attributes after = stat(f);
        assertThat(w.contains(after.mtime())).isTrue();
        assertThat(w.contains(after.ctime())).isTrue();
        assertThat(after.atime()).isEqualTo(before.atime());
    }

    @Test
    void chmodAndChownChangeOnlyCtime() {
        long f = t.file(dir, "f", "abc");
        Attributes before = stat(f);
        Attributes dirBefore = stat(dir);
        Window w = during(() -> t.fs.setattr(f, AttributeChanges.mode(0600)));
        Attributes after = stat(f);
        assertThat(after.mode()).isEqualTo(Inode.S_IFREG | 0600);
        assertThat(w.contains(after.ctime())).isTrue();
        assertThat(after.mtime()).isEqualTo(before.mtime());
        assertThat(after.atime()).isEqualTo(before.atime());

        Window w2 = during(() -> t.fs.setattr(f, AttributeChanges.owner(7, 8)));
        Attributes owned = stat(f);
        assertThat(owned.uid()).isEqualTo(7);
        assertThat(owned.gid()).isEqualTo(8);
        assertThat(w2.contains(owned.ctime())).isTrue();
        assertThat(owned.mtime()).isEqualTo(before.mtime());
        assertThat(stat(dir)).as("the directory is not touched").isEqualTo(dirBefore);
    }

    @Test
    void chmodKeepsTheFileTypeAndTakesOnlyPermissionBits() {
        long f = t.file(dir, "f", "abc");
        t.fs.setattr(f, AttributeChanges.mode(Inode.S_IFDIR | 04755));
        assertThat(stat(f).mode()).isEqualTo(Inode.S_IFREG | 04755);
        assertThat(stat(f).isRegularFile()).isTrue();
    }

    // ------------------------------------------------------------------ names

    @Test
    void renameChangesTheMovedInodesCtimeAndBothDirectoriesMtimeAndCtime() {
        long other = t.mkdir(ROOT, "other");
        long f = t.file(dir, "f", "abc");
        Attributes before = stat(f);
        Attributes otherBefore = stat(other);
        Window w = during(() -> t.fs.rename(dir, name("f"), other, name("g"), 0));
        Attributes after = stat(f);
        assertThat(w.contains(after.ctime())).as("moved inode ctime").isTrue();
        assertThat(after.mtime()).as("moved inode mtime").isEqualTo(before.mtime());
        assertThat(after.atime()).isEqualTo(before.atime());
        for (long d : new long[] {dir, other}) {
            assertThat(w.contains(stat(d).mtime())).as("mtime of directory " + d).isTrue();
            assertThat(w.contains(stat(d).ctime())).as("ctime of directory " + d).isTrue();
        }
        assertThat(stat(other).atime()).isEqualTo(otherBefore.atime());
    }

    @Test
    void renameWithinOneDirectoryChangesItsMtimeAndCtime() {
        long f = t.file(dir, "f", "abc");
        Window w = during(() -> t.fs.rename(dir, name("f"), dir, name("g"), 0));
        assertThat(w.contains(stat(dir).mtime())).isTrue();
        assertThat(w.contains(stat(f).ctime())).isTrue();
    }

    @Test
    void renameOverAFileWithAnotherLinkChangesTheReplacedInodesCtime() {
        long f = t.file(dir, "f", "abc");
        long g = t.file(dir, "g", "def");
        t.fs.link(g, ROOT, name("g-too"));
        Window w = during(() -> t.fs.rename(dir, name("f"), dir, name("g"), 0));
        assertThat(w.contains(stat(g).ctime())).isTrue();
        assertThat(stat(g).links()).isEqualTo(1);
        assertThat(w.contains(stat(f).ctime())).isTrue();
    }

    @Test
    void exchangeChangesBothInodesCtimeAndBothDirectories() {
        long other = t.mkdir(ROOT, "other");
        long f = t.file(dir, "f", "abc");
        long g = t.file(other, "g", "def");
        Attributes fBefore = stat(f);
        Window w = during(() -> t.fs.rename(dir, name("f"), other, name("g"), FileSystem.RENAME_EXCHANGE));
        assertThat(w.contains(stat(f).ctime())).isTrue();
        assertThat(w.contains(stat(g).ctime())).isTrue();
        assertThat(stat(f).mtime()).isEqualTo(fBefore.mtime());
        assertThat(w.contains(stat(dir).mtime())).isTrue();
        assertThat(w.contains(stat(other).mtime())).isTrue();
    }

    @Test
    void linkAndUnlinkChangeTheInodesCtimeAndTheDirectorysMtimeAndCtime() {
        long f = t.file(dir, "f", "abc");
        Attributes before = stat(f);
        Window w = during(() -> t.fs.link(f, dir, name("g")));
        assertThat(w.contains(stat(f).ctime())).isTrue();
        assertThat(stat(f).mtime()).isEqualTo(before.mtime());
        assertThat(w.contains(stat(dir).mtime())).isTrue();
        assertThat(w.contains(stat(dir).ctime())).isTrue();

        Window w2 = during(() -> t.fs.unlink(dir, name("f")));
        assertThat(w2.contains(stat(f).ctime())).as("the inode lives on with one name less").isTrue();
        assertThat(stat(f).mtime()).isEqualTo(before.mtime());
        assertThat(w2.contains(stat(dir).mtime())).isTrue();
        assertThat(w2.contains(stat(dir).ctime())).isTrue();
    }

    @Test
    void rmdirChangesTheParentsMtimeAndCtime() {
        t.mkdir(dir, "sub");
        Window w = during(() -> t.fs.rmdir(dir, name("sub")));
        assertThat(w.contains(stat(dir).mtime())).isTrue();
        assertThat(w.contains(stat(dir).ctime())).isTrue();
    }

    @Test
    void failedOperationsChangeNoTime() {
        long f = t.file(dir, "f", "abc");
        t.mkdir(dir, "sub");
        t.file(t.ino("/d/sub"), "inner", "x");
        tick();
        Attributes dirBefore = stat(dir);
        Attributes fBefore = stat(f);
        errnoOf(() -> t.fs.mkdir(dir, name("f"), 0755, CALLER));
        errnoOf(() -> t.fs.rmdir(dir, name("sub")));
        errnoOf(() -> t.fs.rename(dir, name("f"), dir, name("sub"), 0));
        errnoOf(() -> t.fs.link(f, dir, name("sub")));
        errnoOf(() -> t.fs.unlink(dir, name("nope")));
        assertThat(stat(dir)).isEqualTo(dirBefore);
        assertThat(stat(f)).isEqualTo(fBefore);
    }

    @Test
    void timesTheFilesystemSetsAreCutToTheMillisecond() {
        Instant at = Instant.parse("2026-11-24T12:00:00.123456789Z");
        Timestamp cut = new Timestamp(at.getEpochSecond(), 123_000_000);
        try (TestFileSystems clocked = TestFileSystems.standard(FsOptions.defaults().withClock(new TestClock(at)))) {
            long f = clocked.file(ROOT, "f", "abc");
            Attributes a = clocked.fs.getattr(f);
            assertThat(a.btime()).isEqualTo(cut);
            assertThat(a.mtime()).isEqualTo(cut);
            assertThat(a.ctime()).isEqualTo(cut);
            assertThat(clocked.fs.getattr(ROOT).mtime()).as("the directory's").isEqualTo(cut);
        }
    }

    // ------------------------------------------------------------------ utimensat

    @Test
    void utimensSetsExactTimesToTheNanosecondAndCtimeToNow() {
        long f = t.file(dir, "f", "abc");
        Timestamp atime = new Timestamp(1_000_000_000L, 123_456_789);
        Timestamp mtime = new Timestamp(1_500_000_000L, 999_999_999);
        Window w = during(() -> utimens(f, TimeChange.at(atime), TimeChange.at(mtime)));
        Attributes a = stat(f);
        assertThat(a.atime()).isEqualTo(atime);
        assertThat(a.mtime()).isEqualTo(mtime);
        assertThat(w.contains(a.ctime())).isTrue();
        t.reopen();
        assertThat(stat(f).atime()).isEqualTo(atime);
        assertThat(stat(f).mtime()).isEqualTo(mtime);
    }

    @Test
    void timesBeforeTheEpochAndFarAheadAreKept() {
        long f = t.file(dir, "f", "abc");
        Timestamp past = Timestamp.of(Instant.parse("1901-12-14T00:00:00.5Z"));
        Timestamp future = Timestamp.of(Instant.parse("2446-05-10T22:38:55.999999999Z"));
        utimens(f, TimeChange.at(past), TimeChange.at(future));
        t.syncAndCrash();
        assertThat(stat(f).atime()).isEqualTo(past);
        assertThat(stat(f).mtime()).isEqualTo(future);
    }

    @Test
    void utimeNowSetsBothToNow() {
        long f = t.file(dir, "f", "abc");
        utimens(f, TimeChange.at(new Timestamp(1000, 0)), TimeChange.at(new Timestamp(2000, 0)));
        Window w = during(() -> utimens(f, TimeChange.NOW, TimeChange.NOW));
        Attributes a = stat(f);
        assertThat(w.contains(a.atime())).isTrue();
        assertThat(w.contains(a.mtime())).isTrue();
        assertThat(w.contains(a.ctime())).isTrue();
    }

    @Test
    void utimeOmitLeavesThatTimeAsItIs() {
        long f = t.file(dir, "f", "abc");
        Timestamp old = new Timestamp(1000, 5);
        utimens(f, TimeChange.at(old), TimeChange.at(old));
        Window w = during(() -> utimens(f, TimeChange.OMIT, TimeChange.NOW));
        assertThat(stat(f).atime()).isEqualTo(old);
        assertThat(w.contains(stat(f).mtime())).isTrue();
        Window w2 = during(() -> utimens(f, TimeChange.NOW, TimeChange.OMIT));
        assertThat(w2.contains(stat(f).atime())).isTrue();
        assertThat(w.contains(stat(f).mtime())).as("mtime kept from before").isTrue();
        assertThat(w2.contains(stat(f).ctime())).isTrue();
    }

    @Test
    void utimensWithBothOmittedChangesNothingNotEvenCtime() {
        // utimensat(2): "If both tv_nsec fields are UTIME_OMIT ... nothing to do" — Linux returns
        // before looking at the inode, so ctime stays.
        long f = t.file(dir, "f", "abc");
        tick();
        Attributes before = stat(f);
        utimens(f, TimeChange.OMIT, TimeChange.OMIT);
        assertThat(stat(f)).isEqualTo(before);
    }

    // ------------------------------------------------------------------ atime modes

    private byte[] readAll(long f) {
        return t.read(f);
    }

    @Test
    void relatimeUpdatesAtimeOnReadOnlyWhenItIsNotNewerThanMtimeOrCtime() {
        long f = t.file(dir, "f", "abc");
        Instant now = Instant.now();
        // atime newer than mtime and ctime, and less than a day old: a read leaves it.
        Timestamp ahead = ts(now.plus(Duration.ofHours(1)));
        utimens(f, TimeChange.at(ahead), TimeChange.at(ts(now.minus(Duration.ofHours(1)))));
        readAll(f);
        assertThat(stat(f).atime()).isEqualTo(ahead);

        // mtime newer than atime: the next read updates atime to now.
        utimens(f, TimeChange.OMIT, TimeChange.at(ts(now.plus(Duration.ofHours(2)))));
        Window w = during(() -> readAll(f));
        assertThat(w.contains(stat(f).atime())).isTrue();
    }

    @Test
    void relatimeUpdatesAtimeWhenItEqualsMtime() {
        long f = t.file(dir, "f", "abc");
        Timestamp same = ts(Instant.now().plus(Duration.ofHours(1)));
        utimens(f, TimeChange.at(same), TimeChange.at(same));
        Window w = during(() -> readAll(f));
        assertThat(w.contains(stat(f).atime())).isTrue();
    }

    @Test
    void relatimeUpdatesAtimeWhenCtimeIsNewer() {
        long f = t.file(dir, "f", "abc");
        Timestamp past = ts(Instant.now().minus(Duration.ofHours(2)));
        utimens(f, TimeChange.at(past), TimeChange.at(ts(Instant.now().minus(Duration.ofHours(3)))));
        // ctime is now (set by utimens), newer than atime.
        Window w = during(() -> readAll(f));
        assertThat(w.contains(stat(f).atime())).isTrue();
        Timestamp updated = stat(f).atime();
        readAll(f);
        assertThat(stat(f).atime()).as("now newer than mtime and ctime: left").isEqualTo(updated);
    }

    @Test
    void relatimeAppliesToReaddirOfADirectory() {
        t.file(dir, "f", "abc"); // the directory's mtime is now newer than its atime
        Window w = during(() -> t.fs.readdir(dir, 0, 10));
        assertThat(w.contains(stat(dir).atime())).isTrue();
        Timestamp updated = stat(dir).atime();
        t.fs.readdir(dir, 0, 10);
        assertThat(stat(dir).atime()).isEqualTo(updated);
    }

    @Test
    void strictatimeUpdatesOnEveryRead() {
        t.close();
        t = TestFileSystems.standard(FsOptions.defaults().withAtime(FsOptions.AtimeMode.STRICTATIME));
        long f = t.file(ROOT, "f", "abc");
        readAll(f);
        Window w = during(() -> readAll(f));
        assertThat(w.contains(stat(f).atime())).isTrue();
    }

    @Test
    void noatimeNeverUpdatesAtime() {
        t.close();
        t = TestFileSystems.standard(FsOptions.defaults().withAtime(FsOptions.AtimeMode.NOATIME));
        long f = t.file(ROOT, "f", "abc");
        Timestamp old = new Timestamp(1000, 0);
        utimens(f, TimeChange.at(old), TimeChange.OMIT);
        readAll(f);
        t.fs.readdir(ROOT, 0, 10);
        assertThat(stat(f).atime()).isEqualTo(old);
    }

    @Test
    void aReadOnlyFilesystemChangesNoTimeAndRefusesChangesWithErofs() {
        long f = t.file(dir, "f", "abc");
        Timestamp old = new Timestamp(1000, 0);
        utimens(f, TimeChange.at(old), TimeChange.OMIT);
        t.fs.close();
        t.fs = FileSystem.open(t.device, FsOptions.defaults().withReadOnly(true));
        assertThat(readAll(f)).isEqualTo(name("abc"));
        assertThat(stat(f).atime()).isEqualTo(old);
        assertThat(errnoOf(() -> t.fs.mkdir(dir, name("x"), 0755, CALLER))).isEqualTo(Errno.EROFS);
        assertThat(errnoOf(() -> t.fs.unlink(dir, name("f")))).isEqualTo(Errno.EROFS);
        assertThat(errnoOf(() -> t.fs.rename(dir, name("f"), dir, name("g"), 0))).isEqualTo(Errno.EROFS);
        assertThat(errnoOf(() -> t.fs.setattr(f, AttributeChanges.mode(0600)))).isEqualTo(Errno.EROFS);
        assertThat(errnoOf(() -> t.fs.open(f, OpenFlags.O_RDWR))).isEqualTo(Errno.EROFS);
        assertThat(errnoOf(() -> t.fs.link(f, dir, name("h")))).isEqualTo(Errno.EROFS);
        assertThat(errnoOf(() -> t.fs.symlink(dir, name("s"), name("f"), CALLER))).isEqualTo(Errno.EROFS);
        assertThat(stat(f).mode()).isEqualTo(Inode.S_IFREG | 0644);
    }

    @Test
    void timesSurviveACrashAfterSync() {
        long f = t.file(dir, "f", "abc");
        utimens(f, TimeChange.at(new Timestamp(12345, 678)), TimeChange.at(new Timestamp(23456, 789)));
        Attributes before = stat(f);
        t.syncAndCrash();
        assertThat(stat(f)).isEqualTo(before);
    }
}
