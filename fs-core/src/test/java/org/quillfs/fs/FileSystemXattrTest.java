package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.name;

import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;

class FileSystemXattrTest {

    @Test
    void attributesSurviveReopenAndGoWithTheirInode() {
        try (TestFileSystems t = TestFileSystems.small()) {
            long f = t.fs.mknod(FileSystem.ROOT, name("f"), 0100644, 0, CALLER).inode();
            long blocksBefore = t.fs.getattr(f).blocks();
            t.fs.setxattr(f, "user.colour", name("blue"), 0);
            t.fs.setxattr(f, "trusted.x", new byte[0], FileSystem.XATTR_CREATE);
            assertThat(t.fs.getattr(f).blocks()).isGreaterThan(blocksBefore);
            t.reopen();
            assertThat(t.fs.getxattr(f, "user.colour")).isEqualTo(name("blue"));
            assertThat(t.fs.listxattr(f)).containsExactlyInAnyOrder("user.colour", "trusted.x");
            long freeBefore = t.fs.statfs().freeInodes();
            t.fs.unlink(FileSystem.ROOT, name("f"));
            assertThat(t.fs.statfs().freeInodes()).isEqualTo(freeBefore + 1);
        }
    }

    @Test
    void errnosAreLinuxs() {
        try (TestFileSystems t = TestFileSystems.small()) {
            long f = t.fs.mknod(FileSystem.ROOT, name("f"), 0100644, 0, CALLER).inode();
            assertThatThrownBy(() -> t.fs.getxattr(f, "user.none")).isInstanceOf(FsException.class)
                    .extracting(e -> ((FsException) e).errno()).isEqualTo(Errno.ENODATA);
            assertThatThrownBy(() -> t.fs.setxattr(f, "user.a", new byte[1], FileSystem.XATTR_REPLACE))
                    .extracting(e -> ((FsException) e).errno()).isEqualTo(Errno.ENODATA);
            t.fs.setxattr(f, "user.a", new byte[1], 0);
            assertThatThrownBy(() -> t.fs.setxattr(f, "user.a", new byte[1], FileSystem.XATTR_CREATE))
                    .extracting(e -> ((FsException) e).errno()).isEqualTo(Errno.EEXIST);
            assertThatThrownBy(() -> t.fs.setxattr(f, "user.big", new byte[65537], 0))
                    .extracting(e -> ((FsException) e).errno()).isEqualTo(Errno.E2BIG);
            assertThatThrownBy(() -> t.fs.setxattr(f, "user.big", new byte[8192], 0))
                    .extracting(e -> ((FsException) e).errno()).isEqualTo(Errno.ENOSPC);
            assertThatThrownBy(() -> t.fs.setxattr(f, "nonsense.a", new byte[1], 0))
                    .extracting(e -> ((FsException) e).errno()).isEqualTo(Errno.ENOTSUP);
            t.fs.removexattr(f, "user.a");
            assertThatThrownBy(() -> t.fs.removexattr(f, "user.a"))
                    .extracting(e -> ((FsException) e).errno()).isEqualTo(Errno.ENODATA);
            assertThat(t.fs.listxattr(f)).isEmpty();
        }
    }
}
