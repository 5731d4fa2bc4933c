package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.name;
import static org.quillfs.fs.TestFileSystems.random;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quillfs.file.DataMode;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.TestFormats;
import org.quillfs.format.Timestamp;
import org.quillfs.txn.MetadataStore;
import org.quillfs.volume.DeviceEvent;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

/**
 * Writes that change no metadata: whole blocks over blocks a file holds, written, below its
 * size, while its mtime and ctime already are the current millisecond, go to the device and
 * nowhere else (no transaction, nothing logged); every other write, and any write once the
 * clock has moved on, still changes what it must.
 */
class FileSystemOverwriteTest {

    private static final int BLOCK = 4096;
    private static final Instant START = Instant.parse("2026-11-24T12:00:00.123Z");

    private final TestClock clock = new TestClock(START);
    private RecordingBlockDevice device;
    private FsOptions options;
    private FileSystem fs;

    private void open(DataMode mode) {
        // No checkpoint or timed log force during a test: the device sees only what the test does.
        open(mode, Duration.ofHours(1));
    }

    private void open(DataMode mode, Duration commitInterval) {
        FormatOptions format = TestFormats.options(BLOCK, 64L << 20);
        MemoryBlockDevice image = new MemoryBlockDevice("fs", BLOCK, format.blockCount());
        Formatter.format(image, format);
        device = new RecordingBlockDevice(image);
        MetadataStore.Options store = new MetadataStore.Options(MetadataStore.Options.defaults().cacheBytes(),
                commitInterval, Duration.ofHours(1));
        options = FsOptions.defaults().withData(mode).withStore(store).withClock(clock);
        fs = FileSystem.open(device, options);
    }

    @AfterEach
    void tearDown() {
        if (fs != null) {
            fs.close();
        }
    }

    /** A file holding {@code content}, written and made durable; returns its inode. */
    private long durableFile(byte[] content) {
        OpenFile f = fs.create(FileSystem.ROOT, name("f"), 0644, OpenFlags.O_RDWR, CALLER);
        write(f.attributes().inode(), 0, content);
        fs.release(f.handle());
        fs.sync();
        return f.attributes().inode();
    }

    private void write(long inode, long offset, byte[] data) {
        long h = fs.open(inode, OpenFlags.O_WRONLY);
        try {
            assertThat(fs.write(h, offset, ByteBuffer.wrap(data))).isEqualTo(data.length);
        } finally {
            fs.release(h);
        }
    }

    private byte[] read(long inode) {
        long h = fs.open(inode, OpenFlags.O_RDONLY);
        try {
            ByteBuffer dst = ByteBuffer.allocate((int) fs.getattr(inode).size() + 1);
            fs.read(h, 0, dst);
            return Arrays.copyOf(dst.array(), dst.position());
        } finally {
            fs.release(h);
        }
    }

    private List<DeviceEvent.Write> writesSince(int mark) {
        List<DeviceEvent> events = device.events();
        return events.subList(mark, events.size()).stream()
                .filter(DeviceEvent.Write.class::isInstance).map(DeviceEvent.Write.class::cast).toList();
    }

    private static Timestamp millis(Instant i) {
        return Timestamp.of(i);
    }

    private static byte[] splice(byte[] into, int at, byte[] part) {
        byte[] out = into.clone();
        System.arraycopy(part, 0, out, at, part.length);
        return out;
    }

    @Test
    void aWholeBlockOverwriteWithinTheMillisecondWritesItsDataAndNothingElse() {
        open(DataMode.ORDERED);
        byte[] content = random(4 * BLOCK, 1);
        long f = durableFile(content);
        byte[] block = random(BLOCK, 2);
        int mark = device.events().size();

        write(f, BLOCK, block);
        fs.sync();

        List<DeviceEvent.Write> writes = writesSince(mark);
        assertThat(writes).as("the data block only: no log record, no inode").hasSize(1);
        assertThat(writes.get(0).data()).isEqualTo(block);
        assertThat(device.events().get(device.events().size() - 1))
                .as("sync flushed the overwrite").isInstanceOf(DeviceEvent.Flush.class);
        assertThat(read(f)).isEqualTo(splice(content, BLOCK, block));
        Attributes a = fs.getattr(f);
        assertThat(a.mtime()).isEqualTo(millis(START));
        assertThat(a.ctime()).isEqualTo(millis(START));
    }

    @Test
    void anOverwriteAfterTheClockMovedOnSetsMtimeAndCtimeThroughTheLog() {
        open(DataMode.ORDERED);
        byte[] content = random(4 * BLOCK, 3);
        long f = durableFile(content);
        clock.advance(Duration.ofMillis(1));
        int mark = device.events().size();

        write(f, 2 * BLOCK, random(2 * BLOCK, 4));
        fs.sync();

        assertThat(writesSince(mark)).as("the data, then the log").hasSizeGreaterThan(1);
        Attributes a = fs.getattr(f);
        assertThat(a.mtime()).isEqualTo(millis(START.plusMillis(1)));
        assertThat(a.ctime()).isEqualTo(millis(START.plusMillis(1)));
        assertThat(a.atime()).isEqualTo(millis(START));
    }

    @Test
    void writesThatChangeMetadataStillChangeItWithinTheMillisecond() {
        open(DataMode.ORDERED);
        byte[] content = random(4 * BLOCK + 100, 5);
        long f = durableFile(content);
        long blocksBefore = fs.getattr(f).blocks();

        byte[] partial = random(100, 6); // inside block 0: read, merged, written under the inode's lock
        write(f, 10, partial);
        byte[] expected = splice(content, 10, partial);
        assertThat(read(f)).isEqualTo(expected);

        byte[] overTheEnd = random(2 * BLOCK, 7); // the last block lies partly past the size: it grows
        write(f, 3 * BLOCK, overTheEnd);
        expected = splice(Arrays.copyOf(expected, 5 * BLOCK), 3 * BLOCK, overTheEnd);
        assertThat(read(f)).isEqualTo(expected);
        assertThat(fs.getattr(f).size()).isEqualTo(5 * BLOCK);

        fs.setattr(f, AttributeChanges.size(8 * BLOCK)); // a hole: blocks 5–7
        byte[] intoHole = random(BLOCK, 8);
        write(f, 6 * BLOCK, intoHole);
        expected = splice(Arrays.copyOf(expected, 8 * BLOCK), 6 * BLOCK, intoHole);
        assertThat(read(f)).isEqualTo(expected);
        assertThat(fs.getattr(f).blocks() - blocksBefore).as("sectors the hole's block added").isEqualTo(BLOCK / 512);

        fs.sync();
        fs.halt();
        fs = FileSystem.open(device, options);
        assertThat(read(f)).isEqualTo(expected);
    }

    @Test
    void anOverwriteOfPreallocatedBlocksWritesThemAndSurvivesACrash() {
        open(DataMode.ORDERED);
        long f = durableFile(random(BLOCK, 9));
        long h = fs.open(f, OpenFlags.O_RDWR);
        fs.fallocate(h, 0, BLOCK, 3 * BLOCK); // unwritten blocks below the size: not an overwrite
        byte[] block = random(BLOCK, 10);
        assertThat(fs.write(h, 2 * BLOCK, ByteBuffer.wrap(block))).isEqualTo(BLOCK);
        fs.release(h);
        fs.sync();
        fs.halt();
        fs = FileSystem.open(device, options);

        byte[] got = read(f);
        assertThat(got).hasSize(4 * BLOCK);
        assertThat(Arrays.copyOfRange(got, BLOCK, 2 * BLOCK)).as("still unwritten: zeros").isEqualTo(new byte[BLOCK]);
        assertThat(Arrays.copyOfRange(got, 2 * BLOCK, 3 * BLOCK)).isEqualTo(block);
    }

    @Test
    void aSyncedOverwriteWithinTheMillisecondSurvivesACrash() {
        open(DataMode.ORDERED);
        byte[] content = random(8 * BLOCK, 11);
        long f = durableFile(content);
        byte[] blocks = random(3 * BLOCK, 12);
        write(f, 4 * BLOCK, blocks);
        fs.sync();
        fs.halt();
        fs = FileSystem.open(device, options);

        assertThat(read(f)).isEqualTo(splice(content, 4 * BLOCK, blocks));
        assertThat(fs.getattr(f).mtime()).isEqualTo(millis(START));
    }

    /**
     * The commit interval makes every completed operation durable (docs/MOUNT.md, {@code commit=}),
     * an overwrite that logged nothing too: its timer flushes the device after the write although
     * the log had nothing to write.
     */
    @Test
    void aCommitIntervalMakesAnOverwriteThatLoggedNothingDurable() throws InterruptedException {
        open(DataMode.ORDERED, Duration.ofMillis(20));
        long f = durableFile(random(4 * BLOCK, 15));
        byte[] block = random(BLOCK, 16);
        int mark = device.events().size();

        write(f, 3 * BLOCK, block);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (flushAfterWriteOf(mark, block) < 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(flushAfterWriteOf(mark, block)).as("a flush after the overwrite, with no fsync").isPositive();
    }

    /** Where, from event {@code mark} on, a flush follows the write of {@code data}; -1 if none does yet. */
    private int flushAfterWriteOf(int mark, byte[] data) {
        List<DeviceEvent> events = device.events();
        boolean written = false;
        for (int i = mark; i < events.size(); i++) {
            if (events.get(i) instanceof DeviceEvent.Write w && Arrays.equals(w.data(), data)) {
                written = true;
            } else if (written && events.get(i) instanceof DeviceEvent.Flush) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void inDataJournalModeAnOverwriteGoesThroughTheLog() {
        open(DataMode.JOURNAL);
        byte[] content = random(4 * BLOCK, 13);
        long f = durableFile(content);
        byte[] block = random(BLOCK, 14);
        int mark = device.events().size();

        write(f, 0, block);
        fs.sync();

        assertThat(writesSince(mark)).as("the log, then the block home").hasSizeGreaterThan(1);
        assertThat(read(f)).isEqualTo(splice(content, 0, block));
    }
}
