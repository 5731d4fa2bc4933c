package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.name;
import static org.quillfs.fs.TestFileSystems.random;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.quillfs.format.Formatter;
import org.quillfs.format.TestFormats;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

/** What fsync costs the device, and that what it promises holds at its last flush. */
class FileSystemFsyncTest {

    static final int BLOCK = 4096;
    static final long BYTES = 16L << 20;

    @Test
    void fsyncAfterAWriteFlushesTwiceDataThenLogAndOnceMoreForNothing() {
        RecordingBlockDevice recording = formattedAndRecorded();
        byte[] content = random(3 * BLOCK, 5);
        try (FileSystem fs = FileSystem.open(recording, FsOptions.defaults())) {
            OpenFile file = fs.create(FileSystem.ROOT, name("f"), 0644, OpenFlags.O_RDWR, CALLER);
            fs.write(file.handle(), 0, ByteBuffer.wrap(content));

            int before = recording.flushes();
            fs.fsync(file.handle(), false);
            assertThat(recording.flushes() - before).as("the data, then the log").isEqualTo(2);

            assertThat(readAtLastFlush(recording, content.length)).as("durable at the fsync's last flush")
                    .isEqualTo(content);

            int after = recording.flushes();
            fs.fsync(file.handle(), false);
            assertThat(recording.flushes()).as("nothing new to make durable").isEqualTo(after);
            fs.release(file.handle());
        }
    }

    @Test
    void fsyncAfterAnOverwriteFlushesOnceAndTheOverwriteIsDurableAtThatFlush() {
        RecordingBlockDevice recording = formattedAndRecorded();
        byte[] content = random(16 * BLOCK, 6);
        byte[] patch = random(BLOCK, 7);
        try (FileSystem fs = FileSystem.open(recording, FsOptions.defaults())) {
            OpenFile file = fs.create(FileSystem.ROOT, name("f"), 0644, OpenFlags.O_RDWR, CALLER);
            fs.write(file.handle(), 0, ByteBuffer.wrap(content));
            fs.fsync(file.handle(), false);

            fs.write(file.handle(), 5 * BLOCK, ByteBuffer.wrap(patch)); // blocks the file holds: an overwrite
            int before = recording.flushes();
            fs.fsync(file.handle(), false);
            assertThat(recording.flushes() - before).as("the log's flush covers the data too").isEqualTo(1);

            System.arraycopy(patch, 0, content, 5 * BLOCK, BLOCK);
            assertThat(readAtLastFlush(recording, content.length)).as("durable at the fsync's flush").isEqualTo(content);
            fs.release(file.handle());
        }
    }

    /** A freshly formatted memory device whose writes and flushes are recorded. */
    private static RecordingBlockDevice formattedAndRecorded() {
        MemoryBlockDevice memory = new MemoryBlockDevice("fs", BLOCK, BYTES / BLOCK);
        Formatter.format(memory, TestFormats.options(BLOCK, BYTES));
        return new RecordingBlockDevice(memory);
    }

    /** The first {@code length} bytes of file "f" on the device as a crash right after its last flush leaves it. */
    private static byte[] readAtLastFlush(RecordingBlockDevice recording, int length) {
        CrashStates states = new CrashStates(recording);
        try (FileSystem crashed = FileSystem.open(states.atFlush(states.flushes()).device(), FsOptions.defaults())) {
            long ino = crashed.lookup(FileSystem.ROOT, name("f")).inode();
            ByteBuffer read = ByteBuffer.allocate(length);
            long handle = crashed.open(ino, OpenFlags.O_RDONLY);
            crashed.read(handle, 0, read);
            crashed.release(handle);
            return read.array();
        }
    }
}
