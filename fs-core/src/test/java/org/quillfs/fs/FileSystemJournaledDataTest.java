package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.name;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quillfs.file.DataMode;

/** The facade with data=journal: file data goes through the log, and survives a crash whole. */
class FileSystemJournaledDataTest {

    @Test
    void writesOfEverySizeReadBackAndSurviveACrashAfterSync() {
        try (TestFileSystems t = TestFileSystems.standard(FsOptions.defaults().withData(DataMode.JOURNAL))) {
            byte[] small = bytes(100, 1);
            byte[] large = bytes(3 << 20, 2); // larger than one transaction may log: several steps
            long a = write(t, "a", small);
            long b = write(t, "b", large);
            assertThat(read(t, a, small.length)).isEqualTo(small);
            assertThat(read(t, b, large.length)).isEqualTo(large);
            t.syncAndCrash();
            assertThat(read(t, a, small.length)).isEqualTo(small);
            assertThat(read(t, b, large.length)).isEqualTo(large);
            assertThat(t.fs.getattr(b).blocks()).isEqualTo((long) large.length / 512);
        }
    }

    @Test
    void anOverwriteInJournalModeIsNeverHalfOldHalfNewAfterACrash() {
        try (TestFileSystems t = TestFileSystems.standard(FsOptions.defaults().withData(DataMode.JOURNAL))) {
            byte[] before = bytes(64 << 10, 3);
            byte[] after = bytes(64 << 10, 4);
            long f = write(t, "f", before);
            t.fs.sync();
            long h = t.fs.open(f, OpenFlags.O_RDWR);
            t.fs.write(h, 0, ByteBuffer.wrap(after)); // one transaction: committed, durable at once
            t.fs.release(h);
            t.crashAndReopen();
            assertThat(read(t, f, after.length)).isEqualTo(after);
        }
    }

    private static long write(TestFileSystems t, String name, byte[] data) {
        OpenFile f = t.fs.create(FileSystem.ROOT, name(name), 0644, OpenFlags.O_RDWR, CALLER);
        assertThat(t.fs.write(f.handle(), 0, ByteBuffer.wrap(data))).isEqualTo(data.length);
        t.fs.release(f.handle());
        return f.attributes().inode();
    }

    private static byte[] read(TestFileSystems t, long inode, int length) {
        long h = t.fs.open(inode, OpenFlags.O_RDONLY);
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && t.fs.read(h, buffer.position(), buffer) > 0) {
            // read until full
        }
        t.fs.release(h);
        return buffer.array();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
