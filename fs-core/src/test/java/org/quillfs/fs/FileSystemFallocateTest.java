package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.name;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;

class FileSystemFallocateTest {

    private static final int BLOCK = 4096;

    @Test
    void modeZeroGrowsTheFileWithAllocatedZerosThatSurviveReopen() {
        try (TestFileSystems t = TestFileSystems.small()) {
            OpenFile f = t.fs.create(FileSystem.ROOT, name("f"), 0644, OpenFlags.O_RDWR, CALLER);
            t.fs.write(f.handle(), 0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            long free = t.fs.statfs().freeBlocks();
            t.fs.fallocate(f.handle(), 0, BLOCK, 10 * BLOCK);
            Attributes a = t.fs.getattr(f.attributes().inode());
            assertThat(a.size()).isEqualTo(11 * BLOCK);
            assertThat(a.blocks()).isEqualTo(11 * (BLOCK / 512));
            assertThat(t.fs.statfs().freeBlocks()).isEqualTo(free - 10);
            t.fs.release(f.handle());
            t.reopen();
            long h = t.fs.open(f.attributes().inode(), OpenFlags.O_RDWR);
            ByteBuffer all = ByteBuffer.allocate(11 * BLOCK);
            assertThat(t.fs.read(h, 0, all)).isEqualTo(11 * BLOCK);
            byte[] expected = new byte[11 * BLOCK];
            expected[0] = 1;
            expected[1] = 2;
            expected[2] = 3;
            assertThat(all.array()).isEqualTo(expected);
            t.fs.write(h, 5 * BLOCK + 7, ByteBuffer.wrap(new byte[] {9}));
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            t.fs.read(h, 5 * BLOCK, block);
            byte[] written = new byte[BLOCK];
            written[7] = 9;
            assertThat(block.array()).as("an unwritten block written in part holds zeros around the write")
                    .isEqualTo(written);
            assertThat(t.fs.getattr(f.attributes().inode()).blocks()).isEqualTo(11 * (BLOCK / 512));
            t.fs.release(h);
        }
    }

    @Test
    void keepSizeAllocatesPastTheEndAndATruncateToTheSizeFreesIt() {
        try (TestFileSystems t = TestFileSystems.small()) {
            OpenFile f = t.fs.create(FileSystem.ROOT, name("f"), 0644, OpenFlags.O_RDWR, CALLER);
            long ino = f.attributes().inode();
            t.fs.write(f.handle(), 0, ByteBuffer.wrap(new byte[100]));
            Attributes before = t.fs.getattr(ino);
            t.fs.fallocate(f.handle(), FileSystem.FALLOC_FL_KEEP_SIZE, 0, 8 * BLOCK);
            Attributes after = t.fs.getattr(ino);
            assertThat(after.size()).isEqualTo(100);
            assertThat(after.blocks()).isEqualTo(8 * (BLOCK / 512));
            assertThat(after.mtime()).isEqualTo(before.mtime());
            t.fs.setattr(ino, AttributeChanges.size(100));
            assertThat(t.fs.getattr(ino).blocks()).isEqualTo(BLOCK / 512);
            t.fs.release(f.handle());
        }
    }

    @Test
    void otherModesAndBadRangesAreRefusedAsLinuxDoes() {
        try (TestFileSystems t = TestFileSystems.small()) {
            OpenFile f = t.fs.create(FileSystem.ROOT, name("f"), 0644, OpenFlags.O_RDWR, CALLER);
            assertThat(errno(() -> t.fs.fallocate(f.handle(), FileSystem.FALLOC_FL_PUNCH_HOLE, 0, BLOCK)))
                    .isEqualTo(Errno.ENOTSUP);
            assertThat(errno(() -> t.fs.fallocate(f.handle(), 0, -1, BLOCK))).isEqualTo(Errno.EINVAL);
            assertThat(errno(() -> t.fs.fallocate(f.handle(), 0, 0, 0))).isEqualTo(Errno.EINVAL);
            assertThat(errno(() -> t.fs.fallocate(f.handle(), 0, Long.MAX_VALUE - 10, BLOCK))).isEqualTo(Errno.EFBIG);
            assertThat(errno(() -> t.fs.fallocate(f.handle(), 0, 0, 1L << 40))).isEqualTo(Errno.ENOSPC);
            t.fs.release(f.handle());
        }
    }

    private static Errno errno(Runnable r) {
        try {
            r.run();
        } catch (FsException e) {
            return e.errno();
        }
        throw new AssertionError("no error");
    }
}
