package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.name;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FileSystemSmokeTest {

    @Test
    void createWriteReadReopen() {
        try (TestFileSystems t = TestFileSystems.small()) {
            Attributes d = t.fs.mkdir(FileSystem.ROOT, name("d"), 0755, CALLER);
            OpenFile f = t.fs.create(d.inode(), name("f"), 0644, OpenFlags.O_RDWR, CALLER);
            assertThat(t.fs.write(f.handle(), 0, TestFileSystems.bytes("hello"))).isEqualTo(5);
            t.fs.release(f.handle());
            t.reopen();
            long ino = t.fs.resolve("/d/f", true);
            assertThat(t.fs.getattr(ino).size()).isEqualTo(5);
            long h = t.fs.open(ino, OpenFlags.O_RDONLY);
            ByteBuffer buf = ByteBuffer.allocate(10);
            assertThat(t.fs.read(h, 0, buf)).isEqualTo(5);
            t.fs.release(h);
            assertThat(t.fs.getattr(FileSystem.ROOT).links()).isEqualTo(4);
        }
    }
}
