package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.name;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.FsException;

/** Space freed by removing directories and files counts, and can be used, at once. */
class FileSystemFreedSpaceTest {

    private static final int BLOCK = 4096;

    @Test
    void blocksOfARemovedDirectoryAreFreeAndUsableAtOnceOnAFullDisk() {
        try (TestFileSystems t = new TestFileSystems(BLOCK, 16L << 20)) {
            long d = t.fs.mkdir(FileSystem.ROOT, name("d"), 0755, CALLER).inode();
            for (int i = 0; i < 500; i++) {
                t.fs.mknod(d, name("a-rather-long-name-to-fill-directory-leaves-" + i), 0100644, 0, CALLER);
            }
            long dirBlocks = t.fs.getattr(d).blocks() / (BLOCK / 512);
            assertThat(dirBlocks).isGreaterThan(2);
            OpenFile hog = t.fs.create(FileSystem.ROOT, name("hog"), 0644, OpenFlags.O_RDWR, CALLER);
            fill(t, hog.handle());
            assertThat(t.fs.statfs().freeBlocks()).isLessThan(2);

            long before = t.fs.statfs().freeBlocks();
            for (int i = 0; i < 500; i++) {
                t.fs.unlink(d, name("a-rather-long-name-to-fill-directory-leaves-" + i));
            }
            t.fs.rmdir(FileSystem.ROOT, name("d"));
            assertThat(t.fs.statfs().freeBlocks()).as("free for statfs at once").isEqualTo(before + dirBlocks);

            long size = t.fs.getattr(hog.attributes().inode()).size();
            int n = (int) (dirBlocks * BLOCK);
            assertThat(t.fs.write(hog.handle(), size, ByteBuffer.allocate(n))).as("and usable at once").isEqualTo(n);
            t.fs.release(hog.handle());
        }
    }

    private static void fill(TestFileSystems t, long handle) {
        long at = 0;
        ByteBuffer chunk = ByteBuffer.allocate(64 * BLOCK);
        while (true) {
            try {
                int n = t.fs.write(handle, at, chunk.clear());
                at += n;
                if (n < chunk.capacity()) {
                    return;
                }
            } catch (FsException e) {
                return;
            }
        }
    }
}
