package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quillfs.format.TestFormats;

/**
 * Which changes take set-user-ID and set-group-ID away, as on Linux: a write or truncate by a
 * caller without CAP_FSETID, and a change of owner; set-group-ID without group execute stays,
 * and a caller with CAP_FSETID keeps both. The mount passes what the kernel says about the
 * caller (docs/MOUNT.md, "Set-ID bits").
 */
class FileSystemSetIdTest {

    private static final int BLOCK = 4096;
    /** A clock that stands still, so that a second whole-block write is an overwrite in place. */
    private final TestClock clock = new TestClock(Instant.parse("2026-11-24T12:00:00.250Z"));
    private final TestFileSystems t = new TestFileSystems(TestFormats.options(BLOCK, 64L << 20),
            FsOptions.defaults().withClock(clock));
    private final FileSystem fs = t.fs;

    @AfterEach
    void tearDown() {
        t.close();
    }

    private long fileWithMode(String name, int mode) {
        long inode = t.file(ROOT, name, new byte[2 * BLOCK]);
        fs.setattr(inode, AttributeChanges.mode(mode));
        return inode;
    }

    private int permissions(long inode) {
        return fs.getattr(inode).mode() & 07777;
    }

    private void write(long inode, long offset, int length, boolean clearSetId) {
        long h = fs.open(inode, OpenFlags.O_WRONLY);
        try {
            assertThat(fs.write(h, offset, ByteBuffer.allocate(length), clearSetId)).isEqualTo(length);
        } finally {
            fs.release(h);
        }
    }

    @Test
    void aWriteWithoutCapFsetidClearsSetUserIdAndAGroupExecutableSetGroupId() {
        long both = fileWithMode("both", 06775);
        long lockingMarker = fileWithMode("marker", 06745); // set-group-ID without group execute
        write(both, 10, 100, true);
        write(lockingMarker, 10, 100, true);
        assertThat(permissions(both)).isEqualTo(00775);
        assertThat(permissions(lockingMarker)).isEqualTo(02745);
    }

    @Test
    void aWriteWithCapFsetidKeepsTheBits() {
        long inode = fileWithMode("f", 06775);
        write(inode, 10, 100, false);
        assertThat(permissions(inode)).isEqualTo(06775);
    }

    @Test
    void aWholeBlockOverwriteThatWouldChangeNoOtherMetadataStillClearsTheBits() {
        long inode = fileWithMode("f", 04755);
        // The clock stands still: mtime and ctime are now, and block 1 is written and below the
        // size, so this write is an overwrite in place if nothing else must change.
        write(inode, BLOCK, BLOCK, false);
        assertThat(permissions(inode)).isEqualTo(04755);
        write(inode, BLOCK, BLOCK, true);
        assertThat(permissions(inode)).isEqualTo(00755);
    }

    @Test
    void theClearedBitsSurviveACrashOnceSynced() {
        long inode = fileWithMode("f", 06775);
        write(inode, 0, 10, true);
        t.syncAndCrash();
        assertThat(t.fs.getattr(inode).mode() & 07777).isEqualTo(00775);
    }

    @Test
    void aNewOwnerClearsTheBitsOfAFileButNotOfADirectory() {
        long file = fileWithMode("f", 06775);
        long dir = t.mkdir(ROOT, "d");
        fs.setattr(dir, AttributeChanges.mode(02775));
        fs.setattr(file, AttributeChanges.owner(42, -1));
        fs.setattr(dir, AttributeChanges.owner(42, 43));
        assertThat(permissions(file)).isEqualTo(00775);
        assertThat(permissions(dir)).isEqualTo(02775);
    }

    @Test
    void aModeGivenWithTheNewOwnerIsTheModeTheFileGets() {
        long file = fileWithMode("f", 0644);
        fs.setattr(file, AttributeChanges.owner(42, 43).withMode(06755));
        assertThat(permissions(file)).isEqualTo(06755);
    }

    @Test
    void clearSetIdChangesCtimeOnlyWhenItClearsSomething() {
        long plain = fileWithMode("plain", 0755);
        long setUid = fileWithMode("setuid", 04755);
        Attributes plainBefore = fs.getattr(plain);
        clock.advance(Duration.ofSeconds(1));
        assertThat(fs.clearSetId(plain)).isFalse();
        assertThat(fs.clearSetId(setUid)).isTrue();
        assertThat(fs.getattr(plain)).isEqualTo(plainBefore);
        Attributes cleared = fs.getattr(setUid);
        assertThat(cleared.mode() & 07777).isEqualTo(00755);
        assertThat(cleared.ctime().toInstant()).isEqualTo(clock.instant());
    }
}
